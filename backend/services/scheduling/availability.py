"""Free slots from the database: loads schedules and busy times, asks the domain.

One query per call fetches only the start/end of the live appointments in the
window (index `ix_appointment_doctor_start`), so the cost does not grow with
the size of the table.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import null, union_all
from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.domain.availability import (
    DoctorAvailabilityInput,
    ScheduleRules,
    Slot,
    WorkingPeriod,
    free_slots_range,
)
from backend.domain.errors import NotFound
from backend.domain.intervals import Interval
from backend.domain.service_matching import BookableService
from backend.models import (
    Appointment,
    CalendarBusyBlock,
    DoctorSchedule,
    SlotHold,
    StaffUser,
    Tenant,
    TimeOff,
)
from backend.services.scheduling import closures, services_catalog


def buffer_minutes(schedule: DoctorSchedule, service: BookableService | None = None) -> int:
    """The margin kept around a booking: the doctor's, or the service's when longer
    (a surgery needs more than a vaccine)."""
    return max(schedule.buffer_minutes, service.buffer_minutes if service else 0)


def rules_for(
    schedule: DoctorSchedule, tenant: Tenant, service: BookableService | None = None
) -> ScheduleRules:
    """The doctor's rules; with a service, its length and (if longer) its buffer."""
    periods = tuple(WorkingPeriod.from_dict(p) for p in schedule.periods)
    return ScheduleRules(
        timezone=tenant.timezone,
        periods=periods,
        slot_minutes=schedule.slot_minutes,
        buffer_minutes=buffer_minutes(schedule, service),
        min_notice_minutes=schedule.min_notice_minutes,
        horizon_days=schedule.horizon_days,
        duration_minutes=service.duration_minutes if service else None,
    )


def bookable_doctors(
    session: Session, tenant_id: uuid.UUID, *, for_assistant: bool = False
) -> list[StaffUser]:
    """Active doctors of the clinic (only those open to the assistant if asked), by name."""
    query = select(StaffUser).where(
        StaffUser.tenant_id == tenant_id, StaffUser.role == "doctor", StaffUser.is_active
    )
    if for_assistant:
        query = query.where(StaffUser.active_for_ai_booking)
    return list(session.exec(query.order_by(StaffUser.full_name)))


def get_doctor(session: Session, tenant_id: uuid.UUID, doctor_id: uuid.UUID) -> StaffUser:
    doctor = session.get(StaffUser, doctor_id)
    if doctor is None or doctor.tenant_id != tenant_id or doctor.role != "doctor":
        raise NotFound("doctor not found", field="doctorId")
    return doctor


def schedules_for(
    session: Session, doctor_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, DoctorSchedule]:
    rows = session.exec(select(DoctorSchedule).where(col(DoctorSchedule.doctor_id).in_(doctor_ids)))
    return {row.doctor_id: row for row in rows}


MAX_APPOINTMENT_LENGTH = timedelta(hours=8)  # booking refuses longer ones
WINDOW_PADDING = timedelta(hours=3)  # covers any buffer the settings allow (at most 2 h)


def local_window(tenant: Tenant, start_day: date, end_day: date) -> tuple[datetime, datetime]:
    """UTC bounds of the local days [start_day, end_day], padded for buffers."""
    tz = ZoneInfo(tenant.timezone)
    start = datetime.combine(start_day, time(0), tz) - WINDOW_PADDING
    end = datetime.combine(end_day + timedelta(days=1), time(0), tz) + WINDOW_PADDING
    return start.astimezone(UTC), end.astimezone(UTC)


def busy_times(
    session: Session,
    doctor_ids: Sequence[uuid.UUID],
    window: tuple[datetime, datetime],
    *,
    now: datetime,
    buffers: Mapping[uuid.UUID, timedelta] | None = None,
    holder_conversation_id: uuid.UUID | None = None,
) -> tuple[dict[uuid.UUID, list[Interval]], dict[uuid.UUID, list[Interval]]]:
    """Live appointments, and blocked time (time off, other chats' slot holds and the
    doctor's own Google Calendar events), per doctor.

    An appointment booked when its doctor's buffer was longer than now (in
    `buffers`) still blocks its stored range: the part beyond its end plus the
    current buffer is blocked time too, as booking and the database see it.

    One round trip: the four sources are read with UNION ALL. Appointments are
    bounded on `start_at` from both sides so the (doctor_id, start_at) index
    range stays as small as the window (whose padding covers any buffer, so
    also any stored blocked range reaching into it).
    """
    start, end = window
    # blocked_end is NULL on the rows that are not appointments
    appointment_rows = select(
        Appointment.doctor_id, Appointment.start_at, Appointment.end_at, Appointment.blocked_end
    ).where(
        col(Appointment.doctor_id).in_(doctor_ids),
        Appointment.start_at < end,
        Appointment.start_at > start - MAX_APPOINTMENT_LENGTH,
        Appointment.end_at > start,
        Appointment.status != "cancelled",
        Appointment.priority == "normal",
    )
    time_off_rows = select(TimeOff.doctor_id, TimeOff.start_at, TimeOff.end_at, null()).where(
        col(TimeOff.doctor_id).in_(doctor_ids), TimeOff.start_at < end, TimeOff.end_at > start
    )
    hold_rows = select(SlotHold.doctor_id, SlotHold.start_at, SlotHold.end_at, null()).where(
        col(SlotHold.doctor_id).in_(doctor_ids),
        SlotHold.expires_at > now,
        SlotHold.start_at < end,
        SlotHold.end_at > start,
    )
    if holder_conversation_id is not None:
        hold_rows = hold_rows.where(SlotHold.conversation_id != holder_conversation_id)
    google_rows = select(
        CalendarBusyBlock.doctor_id, CalendarBusyBlock.start_at, CalendarBusyBlock.end_at, null()
    ).where(
        col(CalendarBusyBlock.doctor_id).in_(doctor_ids),
        CalendarBusyBlock.start_at < end,
        CalendarBusyBlock.end_at > start,
    )
    buffers = buffers or {}
    appointments: dict[uuid.UUID, list[Interval]] = defaultdict(list)
    blocked: dict[uuid.UUID, list[Interval]] = defaultdict(list)
    for doctor_id, b_start, b_end, b_blocked_end in session.exec(
        union_all(appointment_rows, time_off_rows, hold_rows, google_rows)  # type: ignore[call-overload]
    ):
        b_start, b_end = as_utc(b_start), as_utc(b_end)
        if b_blocked_end is None:
            blocked[doctor_id].append(Interval(b_start, b_end))
            continue
        appointments[doctor_id].append(Interval(b_start, b_end))
        padded_end = b_end + buffers.get(doctor_id, timedelta(0))
        if as_utc(b_blocked_end) > padded_end:
            blocked[doctor_id].append(Interval(padded_end, as_utc(b_blocked_end)))
    return appointments, blocked


def as_utc(value: datetime) -> datetime:
    """UNION ALL drops the column type on SQLite, so values may come back naive (they are UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def find_free_slots(
    session: Session,
    *,
    tenant: Tenant,
    doctors: Sequence[StaffUser],
    start_day: date,
    end_day: date | None = None,
    now: datetime,
    limit: int | None = 10,
    holder_conversation_id: uuid.UUID | None = None,
    service: BookableService | None = None,
) -> list[Slot]:
    """Free slots of the given doctors over local days [start_day, end_day], soonest first.

    With a `service`, only the doctors offering it, and slots as long as it lasts.
    """
    end_day = end_day or start_day
    doctor_ids = [d.id for d in doctors if service is None or service.offered_by(d.id)]
    schedules = schedules_for(session, doctor_ids)
    doctor_ids = [d for d in doctor_ids if d in schedules]
    if not doctor_ids:
        return []
    appointments, blocked = busy_times(
        session,
        doctor_ids,
        local_window(tenant, start_day, end_day),
        now=now,
        buffers={d: timedelta(minutes=buffer_minutes(schedules[d], service)) for d in doctor_ids},
        holder_conversation_id=holder_conversation_id,
    )
    closed = closures.closures_within(session, tenant.id, local_window(tenant, start_day, end_day))
    inputs = {
        doctor_id: DoctorAvailabilityInput(
            rules=rules_for(schedules[doctor_id], tenant, service),
            appointments=appointments.get(doctor_id, []),
            blocked=[*blocked.get(doctor_id, []), *closed],
        )
        for doctor_id in doctor_ids
    }
    return free_slots_range(inputs, start_day, end_day, now=now, limit=limit)


def free_slots(
    *,
    tenant: Tenant,
    day: date,
    days: int = 1,
    doctor_id: uuid.UUID | None = None,
    limit: int | None = 10,
    service_id: uuid.UUID | None = None,
) -> list[Slot]:
    """Free slots from the local `day` over `days` days, soonest first, in a read-only unit.

    For one doctor when `doctor_id` is given (NotFound if not the clinic's),
    else for every bookable doctor of the clinic; for the service `service_id`
    (NotFound if not an active one of the clinic), else the clinic's default.
    """
    with session_scope(read_only=True) as session:
        service = services_catalog.service_for_booking(session, tenant.id, service_id)
        doctors = (
            [get_doctor(session, tenant.id, doctor_id)]
            if doctor_id
            else bookable_doctors(session, tenant.id)
        )
        return find_free_slots(
            session,
            tenant=tenant,
            doctors=doctors,
            start_day=day,
            end_day=day + timedelta(days=days - 1),
            now=utcnow(),
            limit=limit,
            service=service,
        )


def read_bookable_doctors(*, tenant_id: uuid.UUID) -> list[StaffUser]:
    """The clinic's active doctors by name, in a read-only unit of work."""
    with session_scope(read_only=True) as session:
        return bookable_doctors(session, tenant_id)
