"""Closing a conversation from outside the engine, by the transition table's legal path.

Other services (reminders, follow-ups) open conversations for system-initiated
messages; when they need to end one that is still open, this walks the
shortest legal path to CLOSED (through REMINDER or COMPLETED) instead of
setting the state directly, so the table holds everywhere.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from backend.domain.conversation_states import State, check_path, shortest_path
from backend.models import Conversation
from backend.services.assistant import slots

_CLOSING_VIA = (
    {State.REMINDER},
    {State.COMPLETED},
    {State.REMINDER, State.COMPLETED, State.GREETING},
)


def close_path(state: str) -> list[State]:
    """The legal hops from `state` to CLOSED, preferring REMINDER, then COMPLETED."""
    for allowed in _CLOSING_VIA:
        avoid = set(State) - allowed - {State.CLOSED}
        path = shortest_path(state, State.CLOSED, avoid=avoid)
        if path is not None:
            return path
    return []


def close_conversation(session: Session, conversation: Conversation, *, now: datetime) -> None:
    """Closes an open conversation silently (its state trail records the hops)."""
    if not conversation.is_open:
        return
    path = close_path(conversation.state)
    check_path(conversation.state, [s.value for s in path])
    data = dict(conversation.state_data or {})
    here = conversation.state
    hops = []
    for step in path:
        hops.append(f"{here}→{step.value}")
        here = step.value
    data["trail"] = (list(data.get("trail", [])) + hops)[-20:]
    conversation.state_data = data
    flag_modified(conversation, "state_data")
    conversation.state = State.CLOSED.value
    conversation.is_open = False
    conversation.closed_at = now
    conversation.timeout_at = None
    conversation.last_state_change = now
    slots.release(session, conversation.id)
    session.add(conversation)
    session.flush()
