"""Read models for the portal's calendar: appointments with the names a person needs.

Reads only; every change goes through `services.booking`. Each function takes
the clinic id and filters on it, so a caller can never see another clinic's rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from backend.domain.errors import NotFound
from backend.domain.intervals import Interval
from backend.models import (
    Appointment,
    AuditLog,
    Client,
    DoctorSchedule,
    OutboxEvent,
    Pet,
    StaffUser,
    Tenant,
    TimeOff,
)


@dataclass(frozen=True)
class AppointmentView:
    """An appointment with its client, pet and doctor resolved."""

    id: uuid.UUID
    version: int
    doctor_id: uuid.UUID
    doctor_name: str
    doctor_color: str | None
    client_id: uuid.UUID
    client_name: str | None
    client_phone: str
    pet_id: uuid.UUID | None
    pet_name: str | None
    pet_species: str | None
    start_at: datetime
    end_at: datetime
    reason: str | None
    notes: str | None
    status: str
    priority: str
    source: str
    calendar_sync_ok: bool | None
    calendar_sync_error: str | None
    conversation_id: uuid.UUID | None
    emergency_id: uuid.UUID | None
    procedure_type: str | None
    cancel_reason: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    actor_type: str
    actor_label: str | None
    changes: dict[str, Any]


# AppointmentView fields read straight from the appointment row, in order.
_APPOINTMENT_COLUMNS = (
    "id",
    "version",
    "doctor_id",
    "client_id",
    "pet_id",
    "start_at",
    "end_at",
    "reason",
    "notes",
    "status",
    "priority",
    "source",
    "calendar_sync_ok",
    "calendar_sync_error",
    "conversation_id",
    "emergency_id",
    "procedure_type",
    "cancel_reason",
    "created_by",
    "created_at",
    "updated_at",
)


def _views(
    session: Session, *conditions: Any, order: Any = None, limit: int | None = None
) -> list[AppointmentView]:
    """Plain column rows (no ORM objects): a week of a busy clinic loads in a few ms."""
    query = (
        select(  # type: ignore[call-overload]
            *(getattr(Appointment, name) for name in _APPOINTMENT_COLUMNS),
            Client.name,
            Client.phone,
            StaffUser.full_name,
            StaffUser.color,
            Pet.name,
            Pet.species,
        )
        .join(Client, col(Client.id) == Appointment.client_id)
        .join(StaffUser, col(StaffUser.id) == Appointment.doctor_id)
        .outerjoin(Pet, col(Pet.id) == Appointment.pet_id)
        .where(*conditions)
    )
    if order is not None:
        query = query.order_by(order)
    if limit is not None:
        query = query.limit(limit)
    count = len(_APPOINTMENT_COLUMNS)
    views = []
    for row in session.exec(query).all():
        fields = dict(zip(_APPOINTMENT_COLUMNS, row[:count], strict=True))
        client_name, phone, doctor_name, color, pet_name, species = row[count:]
        views.append(
            AppointmentView(
                **fields,
                doctor_name=doctor_name,
                doctor_color=color,
                client_name=client_name,
                client_phone=phone,
                pet_name=pet_name,
                pet_species=species,
            )
        )
    return views


def appointments_between(
    session: Session,
    tenant_id: uuid.UUID,
    start: datetime,
    end: datetime,
    *,
    doctor_ids: list[uuid.UUID] | None = None,
    include_cancelled: bool = True,
) -> list[AppointmentView]:
    """The clinic's appointments overlapping [start, end), by start time."""
    conditions: list[Any] = [
        Appointment.tenant_id == tenant_id,
        Appointment.start_at < end,
        Appointment.end_at > start,
    ]
    if doctor_ids is not None:
        conditions.append(col(Appointment.doctor_id).in_(doctor_ids))
    if not include_cancelled:
        conditions.append(Appointment.status != "cancelled")
    return _views(session, *conditions, order=col(Appointment.start_at))


def appointment_view(
    session: Session, tenant_id: uuid.UUID, appointment_id: uuid.UUID
) -> AppointmentView:
    """One appointment of the clinic; NotFound for an unknown id or another clinic's."""
    found = _views(session, Appointment.id == appointment_id, Appointment.tenant_id == tenant_id)
    if not found:
        raise NotFound("appointment not found")
    return found[0]


def appointments_of_client(
    session: Session, tenant_id: uuid.UUID, client_id: uuid.UUID, *, limit: int = 50
) -> list[AppointmentView]:
    """A client's appointments, newest first."""
    return _views(
        session,
        Appointment.tenant_id == tenant_id,
        Appointment.client_id == client_id,
        order=col(Appointment.start_at).desc(),
        limit=limit,
    )


def appointments_of_conversation(
    session: Session, tenant_id: uuid.UUID, conversation_id: uuid.UUID, client_id: uuid.UUID | None
) -> list[AppointmentView]:
    """Appointments booked in a conversation, plus the client's upcoming ones."""
    condition = Appointment.conversation_id == conversation_id
    if client_id is not None:
        condition = condition | (Appointment.client_id == client_id)
    return _views(
        session,
        Appointment.tenant_id == tenant_id,
        condition,
        order=col(Appointment.start_at).desc(),
        limit=20,
    )


def history(
    session: Session, tenant_id: uuid.UUID, appointment_id: uuid.UUID
) -> list[HistoryEntry]:
    """The audit trail of one appointment, oldest first."""
    rows = session.exec(
        select(AuditLog)
        .where(AuditLog.tenant_id == tenant_id, AuditLog.appointment_id == appointment_id)
        .order_by(col(AuditLog.id))
    )
    return [
        HistoryEntry(
            at=row.at,
            action=row.action,
            actor_type=row.actor_type,
            actor_label=row.actor_label,
            changes=row.changes,
        )
        for row in rows
    ]


def change_marker(session: Session, tenant_id: uuid.UUID) -> int:
    """A number that grows whenever any appointment of the clinic changes.

    Every booking write emits an outbox event in its transaction, so the
    newest event id is a cheap "something changed" probe for live views.
    """
    newest = session.exec(
        select(func.max(OutboxEvent.id)).where(OutboxEvent.tenant_id == tenant_id)
    ).one()
    return int(newest or 0)


@dataclass(frozen=True)
class DoctorCard:
    id: uuid.UUID
    full_name: str
    color: str | None
    speciality: str | None
    active_for_ai_booking: bool


def doctors(session: Session, tenant_id: uuid.UUID) -> list[DoctorCard]:
    """The clinic's active doctors by name."""
    rows = session.exec(
        select(StaffUser)
        .where(StaffUser.tenant_id == tenant_id, StaffUser.role == "doctor", StaffUser.is_active)
        .order_by(col(StaffUser.full_name))
    )
    return [
        DoctorCard(
            id=u.id,
            full_name=u.full_name,
            color=u.color,
            speciality=u.speciality,
            active_for_ai_booking=u.active_for_ai_booking,
        )
        for u in rows
    ]


def visible_hours(
    session: Session, tenant: Tenant, doctor_ids: list[uuid.UUID], days: list[date]
) -> tuple[int, int]:
    """First and last local hour the calendar should draw for these doctors and days.

    Spans every working period of the weekdays shown (and the clinic's
    business hours), rounded out to whole hours; 8-18 when nothing is known.
    """
    weekdays = {d.weekday() for d in days}
    starts: list[time] = []
    ends: list[time] = []
    schedules = session.exec(
        select(DoctorSchedule).where(col(DoctorSchedule.doctor_id).in_(doctor_ids))
    )
    for schedule in schedules:
        for period in schedule.periods:
            if int(period["weekday"]) in weekdays:
                starts.append(time.fromisoformat(str(period["start"])))
                end = str(period["end"])
                ends.append(time(23, 59) if end in ("24:00", "00:00") else time.fromisoformat(end))
    for weekday, spans in (tenant.business_hours or {}).items():
        if int(weekday) in weekdays:
            for start, end in spans:
                starts.append(time.fromisoformat(start))
                ends.append(time(23, 59) if end in ("24:00", "00:00") else time.fromisoformat(end))
    if not starts:
        return 8, 18
    first = min(starts).hour
    last_end = max(ends)
    last = last_end.hour + (1 if last_end.minute else 0)
    return first, min(last, 24)


def local_day_bounds(tenant: Tenant, first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants of the start of `first` and the end of `last` in the clinic's zone."""
    zone = ZoneInfo(tenant.timezone)
    return (
        datetime.combine(first, time(0), zone),
        datetime.combine(last + timedelta(days=1), time(0), zone),
    )


def time_off_between(
    session: Session,
    tenant_id: uuid.UUID,
    doctor_ids: list[uuid.UUID],
    start: datetime,
    end: datetime,
) -> dict[uuid.UUID, list[Interval]]:
    """Blocked periods per doctor overlapping [start, end)."""
    result: dict[uuid.UUID, list[Interval]] = {}
    rows = session.exec(
        select(TimeOff).where(
            TimeOff.tenant_id == tenant_id,
            col(TimeOff.doctor_id).in_(doctor_ids),
            TimeOff.start_at < end,
            TimeOff.end_at > start,
        )
    )
    for row in rows:
        result.setdefault(row.doctor_id, []).append(Interval(row.start_at, row.end_at))
    return result


@dataclass(frozen=True)
class ChangedSpan:
    """Where an appointment was and is after a change: who and when, both sides."""

    doctor_ids: frozenset[uuid.UUID]
    start: datetime
    end: datetime


def changes_since(
    session: Session, tenant_id: uuid.UUID, marker: int, *, limit: int = 200
) -> tuple[int, list[ChangedSpan] | None]:
    """The newest marker and the spans touched by appointment events after `marker`.

    A live calendar rebuilds only when a span meets what it shows. None instead
    of the list means "too many to say" (rebuild anyway).
    """
    rows = session.exec(
        select(OutboxEvent.id, OutboxEvent.payload)
        .where(OutboxEvent.tenant_id == tenant_id, col(OutboxEvent.id) > marker)
        .order_by(col(OutboxEvent.id))
        .limit(limit + 1)
    ).all()
    if not rows:
        return marker, []
    newest = int(rows[-1][0] or 0)
    if len(rows) > limit:
        return change_marker(session, tenant_id), None
    spans = []
    for _, payload in rows:
        appointment = payload.get("appointment") if isinstance(payload, dict) else None
        if not appointment:
            return newest, None
        changes = payload.get("changes", {})
        doctors = {appointment.get("doctor_id"), *(changes.get("doctor_id") or [])}
        starts = [appointment.get("start_at"), *(changes.get("start_at") or [])]
        ends = [appointment.get("end_at"), *(changes.get("end_at") or [])]
        try:
            spans.append(
                ChangedSpan(
                    doctor_ids=frozenset(uuid.UUID(str(d)) for d in doctors if d),
                    start=min(datetime.fromisoformat(s) for s in starts if s),
                    end=max(datetime.fromisoformat(e) for e in ends if e),
                )
            )
        except (ValueError, TypeError):
            return newest, None
    return newest, spans
