"""Writing events to the transactional outbox, and waking the relay after commit.

`emit` adds the event to the caller's session, so it commits or rolls back with
the change it describes. After a commit that wrote events, the registered
dispatcher is called with their ids (in-process relay or a Celery task); until
one is registered nothing is dispatched eagerly and the periodic relay picks
the rows up.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from backend.models import OutboxEvent

log = logging.getLogger(__name__)

APPOINTMENT_CREATED = "appointment.created"
APPOINTMENT_UPDATED = "appointment.updated"
APPOINTMENT_CANCELLED = "appointment.cancelled"

Dispatcher = Callable[[list[int]], None]
_dispatcher: Dispatcher | None = None
_PENDING_KEY = "outbox_pending"


def set_dispatcher(dispatcher: Dispatcher | None) -> None:
    """Registers what runs after a commit that wrote events (None: nothing)."""
    global _dispatcher
    _dispatcher = dispatcher


def emit(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    type: str,
    aggregate_id: uuid.UUID,
    payload: dict[str, Any],
) -> OutboxEvent:
    outbox_event = OutboxEvent(
        tenant_id=tenant_id, type=type, aggregate_id=aggregate_id, payload=payload
    )
    session.add(outbox_event)
    session.info.setdefault(_PENDING_KEY, []).append(outbox_event)
    return outbox_event


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a SAVEPOINT released: the real commit comes later
        return
    pending: list[OutboxEvent] = session.info.pop(_PENDING_KEY, [])
    if not pending or _dispatcher is None:
        return
    ids = [e.id for e in pending if e.id is not None]
    try:
        _dispatcher(ids)
    except Exception:  # the relay sweep delivers what an eager dispatch missed
        log.exception("eager dispatch of outbox events %s failed", ids)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():  # only a SAVEPOINT: the outer transaction may still commit
        return
    session.info.pop(_PENDING_KEY, None)
