"""The emergency on-call rota, and who receives an emergency at a given moment.

An emergency goes to, in order: the doctor on call then (a shift on that local
date, else a weekly shift on that weekday); else a doctor working then by their
schedule (not on time off, clinic not closed); else the first active doctor, those
open to the assistant first. So a Sunday emergency reaches Sunday's on-call
doctor instead of whoever sorts first.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, or_, select

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.domain.availability import working_intervals
from backend.domain.errors import NotFound, ValidationFailed
from backend.models import OnCallShift, StaffUser, Tenant, TimeOff
from backend.services.clinics.clinic_directory import get_clinic
from backend.services.scheduling import closures
from backend.services.scheduling.availability import (
    bookable_doctors,
    get_doctor,
    rules_for,
    schedules_for,
)
from backend.services.scheduling.clinic_settings import check_spans

_MINUTE = 60


@dataclass(frozen=True)
class ShiftEntry:
    id: uuid.UUID
    doctor_id: uuid.UUID
    doctor_name: str
    weekday: int | None
    on_date: date | None
    start: str
    end: str


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * _MINUTE + int(minutes)


def _covers(shift: OnCallShift, local: datetime) -> bool:
    now = local.hour * _MINUTE + local.minute
    return _minutes(shift.start) <= now < _minutes(shift.end)


def on_call_doctor(session: Session, tenant: Tenant, at: datetime) -> StaffUser | None:
    """The active doctor the rota names for `at`: a dated shift wins over a weekly one."""
    local = at.astimezone(ZoneInfo(tenant.timezone))
    shifts = session.exec(
        select(OnCallShift).where(
            OnCallShift.tenant_id == tenant.id,
            or_(
                col(OnCallShift.on_date) == local.date(),
                col(OnCallShift.weekday) == local.weekday(),
            ),
        )
    ).all()
    covering = sorted(
        (s for s in shifts if _covers(s, local)), key=lambda s: (s.on_date is None, s.start)
    )
    for shift in covering:
        doctor = session.get(StaffUser, shift.doctor_id)
        if doctor is not None and doctor.is_active and doctor.tenant_id == tenant.id:
            return doctor
    return None


def working_doctor(
    session: Session, tenant: Tenant, at: datetime, doctors: Sequence[StaffUser]
) -> StaffUser | None:
    """The first of `doctors` whose schedule has them at work at `at` (no time off then,
    clinic not closed)."""
    if closures.closures_within(session, tenant.id, (at, at + timedelta(minutes=1))):
        return None
    schedules = schedules_for(session, [d.id for d in doctors])
    away = set(
        session.exec(
            select(TimeOff.doctor_id).where(
                col(TimeOff.doctor_id).in_([d.id for d in doctors]),
                TimeOff.start_at <= at,
                TimeOff.end_at > at,
            )
        ).all()
    )
    day = at.astimezone(ZoneInfo(tenant.timezone)).date()
    for doctor in doctors:
        schedule = schedules.get(doctor.id)
        if schedule is None or doctor.id in away:
            continue
        windows = working_intervals(rules_for(schedule, tenant), day)
        if any(w.start <= at < w.end for w in windows):
            return doctor
    return None


def doctor_for_emergency(session: Session, tenant: Tenant, at: datetime) -> StaffUser | None:
    """Who receives an emergency at `at`: on call, else working, else the first doctor."""
    doctor = on_call_doctor(session, tenant, at)
    if doctor is not None:
        return doctor
    doctors = bookable_doctors(session, tenant.id, for_assistant=True)
    everyone = doctors + [d for d in bookable_doctors(session, tenant.id) if d not in doctors]
    return working_doctor(session, tenant, at, everyone) or (everyone[0] if everyone else None)


def add_shift(
    *,
    tenant_id: uuid.UUID,
    doctor_id: uuid.UUID,
    start: str,
    end: str,
    weekday: int | None = None,
    on_date: date | None = None,
) -> uuid.UUID:
    """Adds a shift on a weekday (0 Monday) or on one date; "24:00" ends at midnight.

    Raises:
        ValidationFailed: neither or both of weekday and date, a bad time range, or a
            shift that overlaps another on the same day.
    """
    if (weekday is None) == (on_date is None):
        raise ValidationFailed("give a weekday or a date", field="weekday", code="shift_day")
    if weekday is not None and not 0 <= weekday <= 6:
        raise ValidationFailed("weekday is 0 (Monday) to 6 (Sunday)", field="weekday")
    with session_scope(write=True) as session:
        tenant = get_clinic(session, tenant_id)
        doctor = get_doctor(session, tenant.id, doctor_id)
        same_day = session.exec(
            select(OnCallShift).where(
                OnCallShift.tenant_id == tenant.id,
                OnCallShift.weekday == weekday
                if weekday is not None
                else OnCallShift.on_date == on_date,
            )
        ).all()
        field = f"onCall.{weekday if weekday is not None else 'date'}"
        [[new_start, new_end]] = check_spans([[start, end]], field)
        check_spans([[new_start, new_end], *([s.start, s.end] for s in same_day)], field)
        shift = OnCallShift(
            tenant_id=tenant.id,
            doctor_id=doctor.id,
            weekday=weekday,
            on_date=on_date,
            start=new_start,
            end=new_end,
        )
        session.add(shift)
        session.flush()
        return shift.id


def remove_shift(*, tenant_id: uuid.UUID, shift_id: uuid.UUID) -> None:
    with session_scope(write=True) as session:
        row = session.get(OnCallShift, shift_id)
        if row is None or row.tenant_id != tenant_id:
            raise NotFound("on-call shift not found")
        session.delete(row)


def rota_of(tenant_id: uuid.UUID) -> list[ShiftEntry]:
    """The weekly rota by weekday and time, then dated shifts from today on."""
    with session_scope(read_only=True) as session:
        tenant = get_clinic(session, tenant_id)
        today = utcnow().astimezone(ZoneInfo(tenant.timezone)).date()
        rows = session.exec(
            select(OnCallShift, StaffUser.full_name)
            .join(StaffUser, col(StaffUser.id) == OnCallShift.doctor_id)
            .where(
                OnCallShift.tenant_id == tenant_id,
                or_(col(OnCallShift.on_date).is_(None), col(OnCallShift.on_date) >= today),
            )
        ).all()
        entries = [
            ShiftEntry(
                id=s.id,
                doctor_id=s.doctor_id,
                doctor_name=name,
                weekday=s.weekday,
                on_date=s.on_date,
                start=s.start,
                end=s.end,
            )
            for s, name in rows
        ]
    return sorted(
        entries,
        key=lambda e: (e.on_date is not None, e.weekday or 0, e.on_date or today, e.start),
    )
