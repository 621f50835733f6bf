"""Appointment reminders: 24 h and 2 h before (per clinic), each sent once.

The outbox handler keeps an appointment's reminders in line with it: one row
per offset and *start time* (unique), so a moved appointment gets new
reminders and the old ones are cancelled; a cancelled, completed or no-show
appointment gets none. `send_due_reminders` (every few seconds on beat) sends
the due ones: the row turns `sent` in the transaction that queues the
message, under a row lock, so no reminder goes twice. A reminder that no
longer matches its appointment when due is cancelled instead of sent.

The reminder (re)starts the client's conversation as type "reminder" in
state REMINDER (waits 24 hours) with the appointment in its state data, so an
answer like "cancelar" or "cambiar" enters the assistant's cancel or
reschedule flow for that appointment.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from backend.core.clock import utcnow
from backend.core.db import is_postgres, session_scope
from backend.domain.appointment_rules import Status as AppointmentStatus
from backend.models import Appointment, Client, OutboxEvent, Pet, Reminder, Tenant
from backend.services import events
from backend.services.outbox import EventHandler
from backend.services.outreach.notifications import (
    ConversationBusy,
    first_name,
    format_time,
    format_when,
    send_to_client,
    sentence,
)

log = logging.getLogger(__name__)

LIVE = frozenset({AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED})
MAX_SEND_ATTEMPTS = 3
SEND_BATCH = 200
CONVERSATION_STATE = "REMINDER"


class ReminderStatus:
    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"


R = ReminderStatus


def offsets_for(tenant: Tenant) -> list[int]:
    """The clinic's reminder offsets in hours, largest first (24, 2)."""
    return sorted(
        {int(h) for h in (tenant.reminder_offsets_hours or []) if int(h) > 0}, reverse=True
    )


@dataclass
class PlannedReminder:
    """A reminder to insert at the end of an outbox batch (cheaper than an ORM object)."""

    tenant_id: uuid.UUID
    appointment_id: uuid.UUID
    offset_hours: int
    appointment_start_at: datetime
    due_at: datetime
    created_at: datetime
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    status: str = R.PENDING
    error: str | None = None

    def row(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in _PLANNED_FIELDS} | {"attempts": 0}


_PLANNED_FIELDS = tuple(f.name for f in fields(PlannedReminder))


def sync_reminders(
    session: Session,
    appointment: Appointment,
    *,
    now: datetime,
    existing: list[Reminder | PlannedReminder] | None = None,
    planned: list[PlannedReminder] | None = None,
) -> list[Reminder | PlannedReminder]:
    """Makes the appointment's pending reminders match its status, start and the clinic's offsets.

    Reminders whose time is already past at `now` are not created (booked
    an hour ahead: no 2-hour reminder). In an outbox batch the caller passes
    `existing` (all the appointment's reminders, loaded for the whole batch)
    and `planned` (rows it inserts at the end of the batch); new reminders
    are appended to both. Returns the reminders created.
    """
    if existing is None:
        existing = list(
            session.exec(select(Reminder).where(Reminder.appointment_id == appointment.id)).all()
        )
    pending = [r for r in existing if r.status == R.PENDING]
    if appointment.status not in LIVE:
        _cancel(session, pending, f"la cita está {appointment.status}")
        return []
    tenant = session.get(Tenant, appointment.tenant_id)
    offsets = offsets_for(tenant) if tenant else []
    _cancel(
        session,
        [
            r
            for r in pending
            if r.appointment_start_at != appointment.start_at or r.offset_hours not in offsets
        ],
        "la cita cambió de hora",
    )
    have = {r.offset_hours for r in existing if r.appointment_start_at == appointment.start_at}
    created: list[Reminder | PlannedReminder] = []
    for hours in offsets:
        due_at = appointment.start_at - timedelta(hours=hours)
        if hours in have or due_at <= now:
            continue
        # no savepoint: the relay hands one appointment's events out one at a time, so
        # the unique key can only clash with a rerun that then fails and retries
        reminder: Reminder | PlannedReminder
        if planned is not None:
            reminder = PlannedReminder(
                tenant_id=appointment.tenant_id,
                appointment_id=appointment.id,
                offset_hours=hours,
                appointment_start_at=appointment.start_at,
                due_at=due_at,
                created_at=now,
            )
            planned.append(reminder)
        else:
            reminder = Reminder(
                id=uuid.uuid4(),
                tenant_id=appointment.tenant_id,
                appointment_id=appointment.id,
                offset_hours=hours,
                appointment_start_at=appointment.start_at,
                due_at=due_at,
                created_at=now,
            )
            session.add(reminder)
        existing.append(reminder)
        created.append(reminder)
    return created


def _cancel(session: Session, reminders: Iterable[Reminder | PlannedReminder], reason: str) -> None:
    for reminder in reminders:
        reminder.status = R.CANCELLED
        reminder.error = reason[:1000]
        if isinstance(reminder, Reminder):
            session.add(reminder)


REMINDER_EVENTS = (
    events.APPOINTMENT_CREATED,
    events.APPOINTMENT_UPDATED,
    events.APPOINTMENT_CANCELLED,
)
_BATCH = "reminders_batch"


def wants(event: OutboxEvent) -> bool:
    return event.type in REMINDER_EVENTS


def prepare(session: Session, events_: list[OutboxEvent]) -> None:
    """Loads the batch's appointments, clinics and existing reminders in three queries."""
    ids = {e.aggregate_id for e in events_}
    # kept referenced in the cache: the session's identity map only holds weak references
    tenants = list(
        session.exec(select(Tenant).where(col(Tenant.id).in_({e.tenant_id for e in events_})))
    )
    appointments = list(session.exec(select(Appointment).where(col(Appointment.id).in_(ids))))
    existing: dict[uuid.UUID, list[Reminder | PlannedReminder]] = {
        appointment_id: [] for appointment_id in ids
    }
    for reminder in session.exec(select(Reminder).where(col(Reminder.appointment_id).in_(ids))):
        existing[reminder.appointment_id].append(reminder)
    session.info[_BATCH] = {"existing": existing, "planned": [], "rows": [*tenants, *appointments]}


def finish(session: Session) -> None:
    """Inserts the reminders the batch planned, in one statement."""
    batch = session.info.pop(_BATCH, None)
    if batch and batch["planned"]:
        session.execute(insert(Reminder), [p.row() for p in batch["planned"]])


def handle_event(session: Session, event: OutboxEvent) -> None:
    """Outbox handler: every appointment event re-syncs that appointment's reminders."""
    if not wants(event):
        return
    appointment = session.get(Appointment, event.aggregate_id)
    if appointment is None:
        return
    batch = session.info.get(_BATCH)
    if batch is None:
        sync_reminders(session, appointment, now=event.created_at)
        return
    sync_reminders(
        session,
        appointment,
        now=event.created_at,
        existing=batch["existing"].setdefault(appointment.id, []),
        planned=batch["planned"],
    )


HANDLER = EventHandler(handle=handle_event, wants=wants, prepare=prepare, finish=finish)


# ------------------------------------------------------------------ sending


def reminder_text(
    reminder: Reminder, *, tenant: Tenant, client: Client | None, pet: Pet | None
) -> str:
    hello = f"Hola {first_name(client)}".strip() + ","
    who = f"de {pet.name} " if pet else ""
    start = reminder.appointment_start_at
    if reminder.offset_hours >= 24:
        lead = sentence(
            f"te recordamos tu cita {who}en {tenant.name} {format_when(start, tenant.timezone)}"
        )
    else:
        hours = "1 hora" if reminder.offset_hours == 1 else f"{reminder.offset_hours} horas"
        lead = f"tu cita {who}en {tenant.name} es hoy a las {format_time(start, tenant.timezone)} (en {hours})."
    footer = " Te esperamos." if reminder.offset_hours < 24 else ""
    return f"{hello} {lead}{footer} Si necesitas cancelar o cambiar la cita, responde «cancelar» o «cambiar»."


def send_due_reminders(now: datetime, *, batch_size: int = SEND_BATCH) -> int:
    """Sends every reminder due at `now`; returns how many were sent.

    Of several reminders of one appointment due together (the system was
    down), only the latest-offset one is sent; the others are cancelled.
    """
    sent = 0
    failed: set[uuid.UUID] = set()
    while True:
        picked, batch_sent = _send_batch(now, batch_size, failed)
        sent += batch_sent
        if picked < batch_size:
            return sent


def _send_batch(now: datetime, batch_size: int, failed: set[uuid.UUID]) -> tuple[int, int]:
    with session_scope(write=True) as session:
        query = (
            select(Reminder)
            .where(Reminder.status == R.PENDING, col(Reminder.due_at) <= now)
            .order_by(col(Reminder.due_at))
            .limit(batch_size)
        )
        if failed:
            query = query.where(col(Reminder.id).not_in(failed))
        if is_postgres():
            query = query.with_for_update(skip_locked=True)
        rows = list(session.exec(query).all())
        if not rows:
            return 0, 0
        appointments = {
            a.id: a
            for a in session.exec(
                select(Appointment).where(col(Appointment.id).in_({r.appointment_id for r in rows}))
            )
        }
        closest = _closest_due(session, {r.appointment_id for r in rows}, now)
        sent = 0
        for reminder in rows:
            appointment = appointments.get(reminder.appointment_id)
            reason = _why_not(reminder, appointment, now)
            if (
                reason is None
                and closest[(reminder.appointment_id, reminder.appointment_start_at)]
                != reminder.offset_hours
            ):
                reason = "otro recordatorio más cercano a la cita sale ahora"
            if reason is not None:
                _cancel(session, [reminder], reason)
                continue
            if _send_one(session, reminder, appointment, now):  # type: ignore[arg-type]
                sent += 1
            elif reminder.status == R.PENDING:
                failed.add(reminder.id)
        return len(rows), sent


def _closest_due(
    session: Session, appointment_ids: set[uuid.UUID], now: datetime
) -> dict[tuple[uuid.UUID, datetime], int]:
    """Per appointment and start: the smallest offset among its due or sent reminders."""
    rows = session.exec(
        select(
            Reminder.appointment_id, Reminder.appointment_start_at, func.min(Reminder.offset_hours)
        )
        .where(
            col(Reminder.appointment_id).in_(appointment_ids),
            col(Reminder.status).in_([R.PENDING, R.SENT]),
            col(Reminder.due_at) <= now,
        )
        .group_by(col(Reminder.appointment_id), col(Reminder.appointment_start_at))
    ).all()
    return {(appointment_id, start): offset for appointment_id, start, offset in rows}


def _why_not(reminder: Reminder, appointment: Appointment | None, now: datetime) -> str | None:
    if appointment is None:
        return "la cita ya no existe"
    if appointment.status not in LIVE:
        return f"la cita está {appointment.status}"
    if appointment.start_at != reminder.appointment_start_at:
        return "la cita cambió de hora"
    if appointment.start_at <= now:
        return "la cita ya empezó"
    return None


def _send_one(
    session: Session, reminder: Reminder, appointment: Appointment, now: datetime
) -> bool:
    tenant = session.get(Tenant, reminder.tenant_id)
    client = session.get(Client, appointment.client_id)
    pet = session.get(Pet, appointment.pet_id) if appointment.pet_id else None
    body = reminder_text(reminder, tenant=tenant, client=client, pet=pet)  # type: ignore[arg-type]
    reminder.attempts += 1
    try:
        with session.begin_nested():
            try:
                delivery = send_to_client(
                    session,
                    tenant=tenant,  # type: ignore[arg-type]
                    client=client,  # type: ignore[arg-type]
                    body=body,
                    conversation_type="reminder",
                    state=CONVERSATION_STATE,
                    state_data=reminder_state_data(reminder, appointment),
                )
            except ConversationBusy:
                # the client is mid-conversation: the reminder joins it as is
                delivery = send_to_client(session, tenant=tenant, client=client, body=body)  # type: ignore[arg-type]
    except Exception as exc:
        log.warning("reminder %s could not be sent: %r", reminder.id, exc)
        reminder.error = str(exc)[:1000] or exc.__class__.__name__
        if reminder.attempts >= MAX_SEND_ATTEMPTS:
            reminder.status = R.FAILED
        session.add(reminder)
        return False
    reminder.message_id = delivery.message_id
    if delivery.status == "failed":
        reminder.status = R.FAILED
        reminder.error = "fuera de la ventana de 24 horas y sin plantilla configurada"
        session.add(reminder)
        return False
    reminder.status = R.SENT
    reminder.sent_at = utcnow()
    reminder.error = None
    session.add(reminder)
    return True


def reminder_state_data(reminder: Reminder, appointment: Appointment) -> dict[str, object]:
    """What the assistant finds in a reminder conversation: which appointment it is about."""
    return {
        "reminder_id": str(reminder.id),
        "reminder_appointment_id": str(appointment.id),
        "reminder_appointment_ids": [str(appointment.id)],
    }
