"""Scheduling follow-ups when a visit is completed (the outbox handler), cancelling them with the visit."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from backend.domain.appointment_rules import Status as AppointmentStatus
from backend.models import (
    Appointment,
    FollowUp,
    OutboxEvent,
)
from backend.services import events
from backend.services.outbox import EventHandler
from backend.services.outreach.followups.protocols import protocol_for
from backend.services.outreach.followups.rules import (
    S,
)

log = logging.getLogger(__name__)


def schedule_follow_ups(
    session: Session, appointment: Appointment, *, now: datetime
) -> list[FollowUp]:
    """Creates the protocol's follow-ups for a completed appointment (missing ones only).

    Times count from the end of the visit (spec 6.2); a visit recorded so late
    that its first follow-up would already be overdue counts from the
    recording instead, so it does not fire its follow-ups all at once.
    """
    if not appointment.procedure_type:
        return []
    protocol = protocol_for(session, appointment.tenant_id, appointment.procedure_type)
    if protocol is None:
        return []
    base = appointment.end_at
    if protocol.schedule_hours and base + timedelta(hours=min(protocol.schedule_hours)) <= now:
        base = now  # recorded so late that the first follow-up would already be overdue
    have = set(
        session.exec(
            select(FollowUp.sequence_number).where(FollowUp.appointment_id == appointment.id)
        ).all()
    )
    created = []
    for number, (hours, template) in enumerate(
        zip(protocol.schedule_hours, protocol.messages, strict=False), 1
    ):
        if number in have:
            continue
        follow_up = FollowUp(
            tenant_id=appointment.tenant_id,
            appointment_id=appointment.id,
            client_id=appointment.client_id,
            pet_id=appointment.pet_id,
            procedure_type=appointment.procedure_type,
            message_template=template,
            escalation_keywords=list(protocol.escalation_keywords),
            scheduled_at=base + timedelta(hours=hours),
            sequence_number=number,
            created_at=now,
        )
        session.add(follow_up)
        created.append(follow_up)
    session.flush()
    return created


def cancel_pending_for_appointment(
    session: Session, appointment_id: uuid.UUID, *, reason: str
) -> int:
    """Cancels the follow-ups of an appointment that have not gone out yet."""
    rows = session.exec(
        select(FollowUp).where(
            FollowUp.appointment_id == appointment_id,
            col(FollowUp.status).in_([S.PENDING, S.FAILED]),
        )
    ).all()
    for follow_up in rows:
        follow_up.status = S.CANCELLED
        follow_up.error = reason[:1000]
        session.add(follow_up)
    return len(rows)


def wants(event: OutboxEvent) -> bool:
    return event.type in (events.APPOINTMENT_UPDATED, events.APPOINTMENT_CANCELLED) and (
        event.payload.get("action") in ("complete", "cancel", "no_show", "undo_status")
    )


def handle_event(session: Session, event: OutboxEvent) -> None:
    """Outbox handler: completion schedules; cancel, no-show and undoing a completion cancel."""
    if not wants(event):
        return
    action = event.payload.get("action")
    appointment = session.get(Appointment, event.aggregate_id)
    if appointment is None:
        return
    if action == "complete" and appointment.status == AppointmentStatus.COMPLETED:
        schedule_follow_ups(session, appointment, now=event.created_at)
    elif action in ("cancel", "no_show"):
        label = "cancelada" if action == "cancel" else "el paciente no asistió"
        cancel_pending_for_appointment(session, appointment.id, reason=f"cita {label}")
    elif action == "undo_status" and appointment.status != AppointmentStatus.COMPLETED:
        cancel_pending_for_appointment(
            session, appointment.id, reason="la cita ya no figura como completada"
        )


HANDLER = EventHandler(handle=handle_event, wants=wants)
