"""Writing events to the transactional outbox, and waking the relay after commit.

`emit` adds the event to the caller's session, so it commits or rolls back with
the change it describes, and submits the relay job for after that commit
(`backend.core.jobs`); the periodic relay picks up whatever an eager relay missed.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from backend.core.clock import utcnow
from backend.core.jobs import Job, submit_after_commit
from backend.models import OutboxEvent

APPOINTMENT_CREATED = "appointment.created"
APPOINTMENT_UPDATED = "appointment.updated"
APPOINTMENT_CANCELLED = "appointment.cancelled"
CLIENT_MERGED = "client.merged"
ALERT_DELIVERY_SETTLED = "alert.delivery_settled"
"""A delivery of an alert was sent or failed for good (aggregate: the alert)."""


def event_row(
    *, tenant_id: uuid.UUID, type: str, aggregate_id: uuid.UUID, payload: dict[str, Any]
) -> dict[str, Any]:
    """The outbox row of an event, for `emit` and for a caller that writes it with its
    change in one statement (then `relay_after_commit`)."""
    return {
        "tenant_id": tenant_id,
        "type": type,
        "aggregate_id": aggregate_id,
        "payload": payload,
        "created_at": utcnow(),
        "attempts": 0,
    }


def relay_after_commit(session: Session) -> None:
    """Wakes the relay once the caller's transaction commits."""
    submit_after_commit(session, Job.RELAY_OUTBOX)


def emit(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    type: str,
    aggregate_id: uuid.UUID,
    payload: dict[str, Any],
) -> OutboxEvent:
    outbox_event = OutboxEvent(
        **event_row(tenant_id=tenant_id, type=type, aggregate_id=aggregate_id, payload=payload)
    )
    session.add(outbox_event)
    relay_after_commit(session)
    return outbox_event
