"""Who is writing: a new number is asked its name once before anything is booked for it."""

from __future__ import annotations

from backend.domain.conversation_states import State
from backend.domain.language import normalize
from backend.models import Pet
from backend.services.assistant import replies
from backend.services.assistant.context import Turn
from backend.services.patients import clients


def needs_name(turn: Turn) -> bool:
    """A number without a client record (the record exists after the one question)."""
    return turn.client is None


def ask_name(turn: Turn, pending_text: str) -> None:
    """Asks the name (GREETING) and keeps the request to handle once it is given."""
    if turn.state != State.GREETING and not turn.move(State.GREETING):
        return
    turn.data["pending_text"] = pending_text[:1000]
    if turn.data.get("greeted"):
        turn.say("Con gusto te ayudo a agendar. Antes, ¿me regalas tu nombre, por favor?")
    else:
        turn.say(replies.ask_name(turn.clinic_name))
    turn.data["greeted"] = True


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
