"""The one place a conversation is opened, locked and closed.

A phone has at most one open conversation per clinic (a partial unique index):
`open_new` inserts one in a savepoint and yields to a concurrent opener;
`lock_open` / `lock_or_open` / `lock_by_id` take the row lock
(`SELECT … FOR UPDATE` on PostgreSQL; SQLite serialises writers at BEGIN) so
two messages of one conversation are never handled at once. Closing walks the
transition table's shortest legal path to CLOSED (through REMINDER or
COMPLETED) instead of setting the state directly, and releases the slots the
conversation held, so the table holds everywhere. The engine's own moves go
through `Turn.move`; everything else (the inbox, reminders, follow-ups,
timeouts, notifications) comes here.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from backend.core.db import add_unless_exists
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
    conversation.last_state_change = now
    mark_closed(session, conversation, now=now)
    session.add(conversation)
    session.flush()


def mark_closed(session: Session, conversation: Conversation, *, now: datetime) -> None:
    """Ends an open conversation whose state already reached CLOSED; frees its slot holds."""
    conversation.is_open = False
    conversation.closed_at = now
    conversation.timeout_at = None
    slots.release(session, conversation.id)


def _open_of(tenant_id: uuid.UUID, phone: str) -> Any:
    return (
        select(Conversation)
        .where(
            Conversation.tenant_id == tenant_id,
            Conversation.client_phone == phone,
            col(Conversation.is_open),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def lock_open(session: Session, tenant_id: uuid.UUID, phone: str) -> Conversation | None:
    """The phone's open conversation, row-locked; None when it has none."""
    return session.exec(_open_of(tenant_id, phone)).first()


def open_new(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    phone: str,
    now: datetime,
    client_id: uuid.UUID | None = None,
    type: str = "inbound",
    state_data: dict[str, Any] | None = None,
    last_inbound_at: datetime | None = None,
) -> Conversation | None:
    """Opens an IDLE conversation for the phone; None when another one was opened meanwhile."""
    conversation = Conversation(
        tenant_id=tenant_id,
        client_id=client_id,
        client_phone=phone,
        type=type,
        state=State.IDLE.value,
        state_data=dict(state_data or {}),
        started_at=now,
        last_message_at=now,
        last_inbound_at=last_inbound_at,
        last_state_change=now,
    )
    if not add_unless_exists(  # the phone's open conversation was opened concurrently
        session, conversation, unique=["tenant_id", "client_phone"], where="is_open"
    ):
        return None
    return conversation


def lock_or_open(
    session: Session, tenant_id: uuid.UUID, phone: str, *, now: datetime
) -> Conversation:
    """The phone's open conversation, row-locked; opened (IDLE) when there is none."""
    found = lock_open(session, tenant_id, phone)
    if found is not None:
        return found
    opened = open_new(session, tenant_id=tenant_id, phone=phone, now=now)
    if opened is not None:
        return opened
    found = lock_open(session, tenant_id, phone)  # wait for the other opener's lock
    if found is None:
        raise RuntimeError(f"no open conversation for {phone} after a concurrent open")
    return found


def lock_by_id(session: Session, conversation_id: uuid.UUID) -> Conversation | None:
    """A conversation by id, row-locked (callers check its clinic and state)."""
    return session.exec(
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def hand_to_staff(
    session: Session,
    conversation: Conversation,
    *,
    now: datetime,
    staff_id: uuid.UUID | None = None,
) -> None:
    """Staff answers from now on: the assistant stores what comes in and stays silent."""
    conversation.taken_over_by = staff_id or conversation.taken_over_by
    conversation.taken_over_at = conversation.taken_over_at or now
    conversation.timeout_at = None
    slots.release(session, conversation.id)
    session.add(conversation)
