"""Which of the client's pets a message names."""

from __future__ import annotations

from backend.domain.language import normalize
from backend.models import Pet
from backend.services.assistant.context import Turn
from backend.services.patients import clients


def pet_named_in(turn: Turn, text: str) -> Pet | None:
    """One of the client's pets named in the text ("una cita para Coco"), remembered for the turn."""
    if turn.client is None or not text:
        return None
    words = set(normalize(text).split())
    for pet in clients.pets_of(turn.session, turn.client.id):
        if normalize(pet.name) in words:
            turn.data.update(
                {"pet_id": str(pet.id), "pet_name": pet.name, "pet_species": pet.species}
            )
            return pet
    return None
