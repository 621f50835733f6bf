"""Conversation timeouts: one reminder after 30 minutes of silence, closed 24 hours later.

`sweep_conversation_timeouts(now)` applies the fallback of every open
conversation whose `timeout_at` has passed (see the table in
`domain.conversation_states`). Each conversation is handled in its own
transaction under its row lock and re-checked there, so running the sweep
twice, or beside a message being answered, changes nothing twice.

- waiting on the client (INTENT_DETECTION, booking states): "¿sigues ahí?" →
  REMINDER; when the client's need was already met (`quiet`), closed
  silently instead;
- REMINDER: closed silently 24 hours later (the next message opens a new
  conversation);
- GREETING (a new number that did not give its name): on to
  INTENT_DETECTION, the client created without a name (asked only once);
- CONFIRM_EMERGENCY unanswered for 5 minutes: closed, with the clinic's phone;
- COLLECT_STATUS after 24 hours, COMPLETED after a while: closed silently.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.domain.conversation_states import BOOKING_STATES, State, timeout_for
from backend.models import Conversation, Message, Tenant
from backend.services.assistant import replies
from backend.services.assistant.context import Turn
from backend.services.chats import lifecycle
from backend.services.patients import clients

log = logging.getLogger("backend.services.assistant")

SWEEP_BATCH = 500


def _due_ids(now: datetime, limit: int) -> list[uuid.UUID]:
    with session_scope(read_only=True) as session:
        return list(
            session.exec(
                select(Conversation.id)
                .where(
                    col(Conversation.is_open),
                    col(Conversation.timeout_at).is_not(None),
                    col(Conversation.timeout_at) <= now,
                )
                .order_by(col(Conversation.timeout_at))
                .limit(limit)
            )
        )


def _turn(session: Session, conversation: Conversation, tenant: Tenant, now: datetime) -> Turn:
    """A turn without a client message, so timeouts use the same checked moves."""
    placeholder = Message(
        tenant_id=tenant.id,
        direction="system",
        author="system",
        from_phone="",
        to_phone="",
        body="",
    )
    client = None
    if conversation.client_id:
        client = clients.get_client(session, tenant.id, conversation.client_id)
    return Turn(
        session=session,
        tenant=tenant,
        conversation=conversation,
        message=placeholder,
        now=now,
        client=client,
        data=dict(conversation.state_data or {}),
    )


def _apply(turn: Turn) -> None:
    state = turn.state
    data = turn.data
    if state == State.GREETING:
        turn.ensure_client()
        turn.move(State.INTENT_DETECTION)
        if data.get("pending_text"):
            data["resume_text"] = data.pop("pending_text")
        return
    if state == State.REMINDER:
        turn.move(State.CLOSED)
        return
    if state == State.CONFIRM_EMERGENCY:
        turn.move(State.CLOSED)
        turn.say(replies.emergency_unconfirmed(turn.clinic_phone))
        return
    if state in (State.COMPLETED, State.COLLECT_STATUS):
        path = turn.close_path() if state == State.COMPLETED else [State.COMPLETED, State.CLOSED]
        turn.move(*path)
        return
    fallback = timeout_for(state)
    if fallback is None or fallback[1] != State.REMINDER:
        return
    if data.get("quiet"):
        turn.move(*turn.close_path())
        return
    booking_pending = state in BOOKING_STATES or (
        state == State.INTENT_DETECTION and bool(data.get("resume_text"))
    )
    if turn.move(State.REMINDER):
        data["resume"] = state.value
        turn.say(replies.reminder(booking_pending))


def _sweep_one(conversation_id: uuid.UUID, now: datetime) -> bool:
    with session_scope(write=True) as session:
        conversation = lifecycle.lock_by_id(session, conversation_id)
        if (
            conversation is None
            or not conversation.is_open
            or conversation.timeout_at is None
            or conversation.timeout_at > now
        ):
            return False
        return apply_timeout(session, conversation, now)


def apply_timeout(session: Session, conversation: Conversation, now: datetime) -> bool:
    """Applies the conversation's timeout fallback in the caller's transaction (row already locked)."""
    if conversation.taken_over_at is not None:  # staff is on it; no automatic messages
        conversation.timeout_at = None
        session.add(conversation)
        return False
    tenant = session.get(Tenant, conversation.tenant_id)
    if tenant is None:
        return False
    turn = _turn(session, conversation, tenant, now)
    before = conversation.state
    _apply(turn)
    turn.finish()
    if conversation.state == before:  # nothing applicable: do not pick it up every minute
        conversation.timeout_at = None
        session.add(conversation)
    log.info("conversation %s timed out: %s → %s", conversation.id, before, conversation.state)
    return True


def sweep_conversation_timeouts(
    now: datetime | None = None, *, batch_size: int = SWEEP_BATCH
) -> int:
    """Applies every due timeout; returns how many conversations changed."""
    now = now or utcnow()
    changed = 0
    for conversation_id in _due_ids(now, batch_size):
        try:
            if _sweep_one(conversation_id, now):
                changed += 1
        except Exception:
            log.exception("timeout of conversation %s failed", conversation_id)
    return changed
