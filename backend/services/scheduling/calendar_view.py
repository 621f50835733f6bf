"""The portal's calendar: what it shows, and what staff change on it.

Reads return appointments with the names a person needs (`period` is the
whole of a day or a week, as plain data the portal lays out). The changes
staff make on an appointment (status, move, notes) are whole units of work
that go through `services.booking`, as `booking.book` does for a new one.
Every function takes the clinic id and filters on it, so a caller can never
see or touch another clinic's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.domain.availability import Slot, working_intervals
from backend.domain.errors import NotFound
from backend.domain.intervals import Interval
from backend.models import (
    Appointment,
    AuditLog,
    CalendarBusyBlock,
    Client,
    DoctorSchedule,
    OutboxEvent,
    Pet,
    Service,
    StaffUser,
    TimeOff,
)
from backend.services.clinics.clinic_directory import get_clinic
from backend.services.scheduling import closures
from backend.services.scheduling.availability import (
    bookable_doctors,
    find_free_slots,
    rules_for,
    schedules_for,
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
    service_name: str | None = None
    calendar_event_id: str | None = None
    calendar_synced_version: int | None = None
    calendar_review_reason: str | None = None  # a change made in Google waits for a person
    calendar_review_start: datetime | None = None  # Google's proposed time
    calendar_review_end: datetime | None = None


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
    "calendar_event_id",
    "calendar_synced_version",
    "calendar_review_reason",
    "calendar_review_start",
    "calendar_review_end",
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
            Service.name,
        )
        .join(Client, col(Client.id) == Appointment.client_id)
        .join(StaffUser, col(StaffUser.id) == Appointment.doctor_id)
        .outerjoin(Pet, col(Pet.id) == Appointment.pet_id)
        .outerjoin(Service, col(Service.id) == Appointment.service_id)
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
        client_name, phone, doctor_name, color, pet_name, species, service_name = row[count:]
        views.append(
            AppointmentView(
                **fields,
                doctor_name=doctor_name,
                doctor_color=color,
                client_name=client_name,
                client_phone=phone,
                pet_name=pet_name,
                pet_species=species,
                service_name=service_name,
            )
        )
    return views


def _appointments_between(
    session: Session,
    tenant_id: uuid.UUID,
    start: datetime,
    end: datetime,
    *,
    doctor_ids: list[uuid.UUID],
    include_cancelled: bool,
) -> list[AppointmentView]:
    """The clinic's appointments of these doctors overlapping [start, end), by start time."""
    conditions: list[Any] = [
        Appointment.tenant_id == tenant_id,
        Appointment.start_at < end,
        Appointment.end_at > start,
        col(Appointment.doctor_id).in_(doctor_ids),
    ]
    if not include_cancelled:
        conditions.append(Appointment.status != "cancelled")
    return _views(session, *conditions, order=col(Appointment.start_at))


@dataclass(frozen=True)
class AppointmentRecord:
    """One appointment and its audit trail, oldest entry first."""

    view: AppointmentView
    history: list[HistoryEntry]


def appointment_record(tenant_id: uuid.UUID, appointment_id: uuid.UUID) -> AppointmentRecord:
    """One appointment of the clinic with its history; NotFound for an unknown id or
    another clinic's."""
    with session_scope(read_only=True) as session:
        found = _views(
            session, Appointment.id == appointment_id, Appointment.tenant_id == tenant_id
        )
        if not found:
            raise NotFound("appointment not found")
        return AppointmentRecord(view=found[0], history=_history(session, tenant_id, found[0].id))


def appointments_of_client(
    tenant_id: uuid.UUID, client_id: uuid.UUID, *, limit: int = 50
) -> list[AppointmentView]:
    """A client's appointments, newest first."""
    with session_scope(read_only=True) as session:
        return _views(
            session,
            Appointment.tenant_id == tenant_id,
            Appointment.client_id == client_id,
            order=col(Appointment.start_at).desc(),
            limit=limit,
        )


def appointments_of_conversation(
    tenant_id: uuid.UUID, conversation_id: uuid.UUID, client_id: uuid.UUID | None
) -> list[AppointmentView]:
    """Appointments booked in a conversation, plus the client's upcoming ones."""
    condition = Appointment.conversation_id == conversation_id
    if client_id is not None:
        condition = condition | (Appointment.client_id == client_id)
    with session_scope(read_only=True) as session:
        return _views(
            session,
            Appointment.tenant_id == tenant_id,
            condition,
            order=col(Appointment.start_at).desc(),
            limit=20,
        )


def _history(
    session: Session, tenant_id: uuid.UUID, appointment_id: uuid.UUID
) -> list[HistoryEntry]:
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


def _change_marker(session: Session, tenant_id: uuid.UUID) -> int:
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


def _doctors(session: Session, tenant_id: uuid.UUID) -> list[DoctorCard]:
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


def doctors(tenant_id: uuid.UUID) -> list[DoctorCard]:
    """The clinic's active doctors by name (those an appointment can be booked with)."""
    with session_scope(read_only=True) as session:
        return _doctors(session, tenant_id)


def _end_time(value: str) -> time:
    return time(23, 59) if value in ("24:00", "00:00") else time.fromisoformat(value)


def visible_hours(
    schedules: Sequence[DoctorSchedule],
    business_hours: Mapping[str, Sequence[Sequence[str]]],
    days: Sequence[date],
) -> tuple[int, int]:
    """First and last local hour the calendar should draw for these schedules and days.

    Spans every working period of the weekdays shown (and the clinic's
    business hours), rounded out to whole hours; 8-18 when nothing is known.
    """
    weekdays = {d.weekday() for d in days}
    starts: list[time] = []
    ends: list[time] = []
    for schedule in schedules:
        for period in schedule.periods:
            if int(period["weekday"]) in weekdays:
                starts.append(time.fromisoformat(str(period["start"])))
                ends.append(_end_time(str(period["end"])))
    for weekday, spans in business_hours.items():
        if int(weekday) in weekdays:
            for start, end in spans:
                starts.append(time.fromisoformat(start))
                ends.append(_end_time(end))
    if not starts:
        return 8, 18
    first = min(starts).hour
    last_end = max(ends)
    last = last_end.hour + (1 if last_end.minute else 0)
    return first, min(last, 24)


def local_day_bounds(tz_name: str, first: date, last: date) -> tuple[datetime, datetime]:
    """The instants of the start of `first` and the end of `last` in the clinic's zone."""
    zone = ZoneInfo(tz_name)
    return (
        datetime.combine(first, time(0), zone),
        datetime.combine(last + timedelta(days=1), time(0), zone),
    )


def _intervals_between(
    session: Session,
    model: type[TimeOff] | type[CalendarBusyBlock],
    tenant_id: uuid.UUID,
    doctor_ids: list[uuid.UUID],
    start: datetime,
    end: datetime,
) -> dict[uuid.UUID, list[Interval]]:
    """Per doctor, the `model` rows (time off, or Google busy time) overlapping [start, end)."""
    result: dict[uuid.UUID, list[Interval]] = {}
    rows = session.exec(
        select(model).where(
            col(model.tenant_id) == tenant_id,
            col(model.doctor_id).in_(doctor_ids),
            col(model.start_at) < end,
            col(model.end_at) > start,
        )
    )
    for row in rows:
        block: TimeOff | CalendarBusyBlock = row  # type: ignore[assignment]
        result.setdefault(block.doctor_id, []).append(Interval(block.start_at, block.end_at))
    return result


def _time_off_between(
    session: Session,
    tenant_id: uuid.UUID,
    doctor_ids: list[uuid.UUID],
    start: datetime,
    end: datetime,
) -> dict[uuid.UUID, list[Interval]]:
    """Blocked periods per doctor overlapping [start, end)."""
    return _intervals_between(session, TimeOff, tenant_id, doctor_ids, start, end)


def _google_busy_between(
    session: Session,
    tenant_id: uuid.UUID,
    doctor_ids: list[uuid.UUID],
    start: datetime,
    end: datetime,
) -> dict[uuid.UUID, list[Interval]]:
    """The doctors' own Google Calendar events overlapping [start, end), as stored by the poll."""
    return _intervals_between(session, CalendarBusyBlock, tenant_id, doctor_ids, start, end)


@dataclass(frozen=True)
class CalendarPeriod:
    """What the calendar shows for some days, as plain data (the portal lays it out).

    `working` holds each shown doctor's working intervals per day (a day
    without an entry is a day off); `hours` are the first and last local hour
    of the working plans and business hours of those weekdays.
    """

    timezone: str
    days: tuple[date, ...]
    doctors: list[DoctorCard]
    doctor_id: uuid.UUID | None
    shown: list[uuid.UUID]
    hours: tuple[int, int]
    window: tuple[datetime, datetime]
    appointments: list[AppointmentView]
    free_slots: list[Slot]
    working: dict[tuple[uuid.UUID, date], list[Interval]]
    time_off: dict[uuid.UUID, list[Interval]]
    marker: int
    closures: list[Interval] = field(default_factory=list)  # the whole clinic's
    google_busy: dict[uuid.UUID, list[Interval]] = field(default_factory=dict)
    """Per doctor, their own Google Calendar events (busy time nobody can book)."""


def _chosen_doctor(
    cards: list[DoctorCard], doctor_id: uuid.UUID | None, preferred: uuid.UUID | None
) -> uuid.UUID | None:
    ids = [d.id for d in cards]
    if doctor_id is not None:
        if doctor_id not in ids:
            raise NotFound("doctor not found", field="doctorId")
        return doctor_id
    if preferred is not None and preferred in ids:
        return preferred
    return ids[0] if ids else None


def period(
    *,
    tenant_id: uuid.UUID,
    days: Sequence[date],
    doctor_id: uuid.UUID | None = None,
    whole_team: bool = False,
    preferred_doctor_id: uuid.UUID | None = None,
    include_cancelled: bool = False,
    with_free_slots: bool = False,
    now: datetime | None = None,
) -> CalendarPeriod:
    """One read of everything the calendar draws for `days` (local dates, in order).

    Args:
        doctor_id: the doctor whose calendar is asked for; one of another
            clinic (or not an active doctor) is refused as NotFound. When
            None, `preferred_doctor_id` if that is an active doctor (a
            doctor's own calendar), else the first doctor by name.
        whole_team: every active doctor side by side instead of one.
        with_free_slots: also the bookable free slots from today on.
    """
    now = now or utcnow()
    with session_scope(read_only=True) as session:
        tenant = get_clinic(session, tenant_id)
        zone = ZoneInfo(tenant.timezone)
        today = now.astimezone(zone).date()
        cards = _doctors(session, tenant_id)
        chosen = _chosen_doctor(cards, doctor_id, preferred_doctor_id)
        if whole_team:
            shown = [d.id for d in cards]
        else:
            shown = [chosen] if chosen is not None else []
        window = local_day_bounds(tenant.timezone, days[0], days[-1])
        schedules = schedules_for(session, shown)
        appointments = _appointments_between(
            session,
            tenant_id,
            *window,
            doctor_ids=shown,
            include_cancelled=include_cancelled,
        )
        free: list[Slot] = []
        if with_free_slots and shown and days[-1] >= today:
            staff = [d for d in bookable_doctors(session, tenant_id) if d.id in shown]
            free = find_free_slots(
                session,
                tenant=tenant,
                doctors=staff,
                start_day=max(days[0], today),
                end_day=days[-1],
                now=now,
                limit=None,
            )
        time_off = _time_off_between(session, tenant_id, shown, *window)
        google_busy = _google_busy_between(session, tenant_id, shown, *window)
        closed = closures.closures_within(session, tenant_id, window)
        marker = _change_marker(session, tenant_id)
        rules = {doc: rules_for(schedule, tenant) for doc, schedule in schedules.items()}
        business_hours = tenant.business_hours or {}
    return CalendarPeriod(
        timezone=tenant.timezone,
        days=tuple(days),
        doctors=cards,
        doctor_id=chosen,
        shown=shown,
        hours=visible_hours(list(schedules.values()), business_hours, days),
        window=window,
        appointments=appointments,
        free_slots=free,
        working={
            (doc, day): working_intervals(rules[doc], day)
            for doc in shown
            if doc in rules
            for day in days
        },
        time_off=time_off,
        marker=marker,
        closures=closed,
        google_busy=google_busy,
    )


@dataclass(frozen=True)
class DoctorSlots:
    doctor_name: str
    slots: list[Slot]


def free_slots_of_doctor(
    tenant_id: uuid.UUID, doctor_id: uuid.UUID, day: date, *, now: datetime | None = None
) -> DoctorSlots:
    """Free slots of one active doctor of the clinic on a local day; NotFound for any other."""
    with session_scope(read_only=True) as session:
        tenant = get_clinic(session, tenant_id)
        doctors = [d for d in bookable_doctors(session, tenant_id) if d.id == doctor_id]
        if not doctors:
            raise NotFound("doctor not found", field="doctorId")
        slots = find_free_slots(
            session,
            tenant=tenant,
            doctors=doctors,
            start_day=day,
            now=now or utcnow(),
            limit=None,
        )
        return DoctorSlots(doctor_name=doctors[0].full_name, slots=slots)


@dataclass(frozen=True)
class ChangedSpan:
    """Where an appointment was and is after a change: who and when, both sides."""

    doctor_ids: frozenset[uuid.UUID]
    start: datetime
    end: datetime


def changes_since(
    tenant_id: uuid.UUID, marker: int, *, limit: int = 200
) -> tuple[int, list[ChangedSpan] | None]:
    """The newest marker and the spans touched by appointment events after `marker`.

    A live calendar rebuilds only when a span meets what it shows. None instead
    of the list means "too many to say" (rebuild anyway).
    """
    with session_scope(read_only=True) as session:
        rows = session.exec(
            select(OutboxEvent.id, OutboxEvent.payload)
            .where(OutboxEvent.tenant_id == tenant_id, col(OutboxEvent.id) > marker)
            .order_by(col(OutboxEvent.id))
            .limit(limit + 1)
        ).all()
        if len(rows) > limit:
            return _change_marker(session, tenant_id), None
    if not rows:
        return marker, []
    newest = int(rows[-1][0] or 0)
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


# ------------------------------------------------- changes staff make on the calendar
