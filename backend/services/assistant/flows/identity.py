"""Who writes: a name given as a bare reply, and which of the client's pets a message names."""

from __future__ import annotations

import re

from backend.domain.language import Intent, YesNo, extract_name_reply, normalize, parse_when
from backend.models import Pet
from backend.services.assistant.context import Turn
from backend.services.patients import clients

_NEGATED = re.compile(r"\bno (?:es )?(?:para |de )?(?:el |la |mi )?$")


def pet_named_in(turn: Turn, text: str) -> Pet | None:
    """The client's pet the text names ("una cita para Coco"), remembered for the turn.

    A pet named only to be ruled out ("es para Luna, no para Toby") does not
    count; of several named, the first said wins.
    """
    if turn.client is None or not text:
        return None
    normalized = f" {normalize(text)} "
    named: list[tuple[int, Pet]] = []
    for pet in clients.pets_of(turn.session, turn.client.id):
        found = re.search(rf"(?<= ){re.escape(normalize(pet.name))}(?= )", normalized)
        if found and not _NEGATED.search(normalized[: found.start()]):
            named.append((found.start(), pet))
    if not named:
        return None
    pet = min(named, key=lambda item: item[0])[1]
    turn.data.update({"pet_id": str(pet.id), "pet_name": pet.name, "pet_species": pet.species})
    return pet


def name_reply(turn: Turn, text: str) -> str | None:
    """A bare name given as an answer ("Camila Rodríguez"); never a yes or no, a number,
    a moment, a reason or a request ("Control general", "el martes", "2", "sí")."""
    understanding = turn.understanding
    if (
        not text.strip()
        or understanding.yes_no != YesNo.UNCLEAR
        or understanding.intent not in (Intent.UNKNOWN, Intent.GREETING)
        or any(char.isdigit() for char in text)
        or parse_when(text, now=turn.now, tz=turn.tz) is not None
        or _NOT_A_NAME.search(normalize(text))
    ):
        return None
    return extract_name_reply(text)


_NOT_A_NAME = re.compile(
    r"\b(?:control|chequeo|revision|vacuna\w*|consulta|cita|turno|vomit\w*|diarrea|tos|"
    r"fiebre|cirugia|esteriliz\w*|castra\w*|bano|peluqueria|desparasit\w*|dolor|herida|"
    r"general|perro|perra|gato|gata|mascota|cachorr\w*|urgente|emergencia|ayuda)\b"
)
