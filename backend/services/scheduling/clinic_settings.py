"""A clinic's own settings: opening hours, reminders, doctors' schedules and time
off, escalation contacts, staff and API keys listing.

Every function takes the clinic and only touches its rows; an id of another
clinic reads as unknown (NotFound). Values are validated here, so the portal
and any future API share one set of rules.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.domain.availability import ScheduleRules, WorkingPeriod
from backend.domain.errors import NotFound, ValidationFailed
from backend.models import (
    ApiKey,
    DoctorSchedule,
    EscalationContact,
    StaffUser,
    Tenant,
    TimeOff,
)
from backend.services.phones import to_e164

_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
CHANNELS = ("whatsapp", "email", "slack")


def _check_hhmm(value: str, field: str) -> str:
    value = value.strip()
    if len(value) == 4 and value[1] == ":":
        value = "0" + value
    if not _HHMM.match(value) or (value.startswith("24") and value != "24:00"):
        raise ValidationFailed(f"'{value}' is not a time HH:MM", field=field)
    return value


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def check_spans(spans: Sequence[Sequence[str]], field: str) -> list[list[str]]:
    """Sorted, non-overlapping [start, end] local times of one day."""
    cleaned = []
    for span in spans:
        if len(span) != 2:
            raise ValidationFailed("each period is a start and an end", field=field)
        start, end = _check_hhmm(span[0], field), _check_hhmm(span[1], field)
        if _minutes(end) <= _minutes(start):
            raise ValidationFailed(f"the period {start}-{end} ends before it starts", field=field)
        cleaned.append([start, end])
    cleaned.sort(key=lambda s: _minutes(s[0]))
    for previous, current in zip(cleaned, cleaned[1:], strict=False):
        if _minutes(current[0]) < _minutes(previous[1]):
            raise ValidationFailed("periods of one day overlap", field=field)
    return cleaned


def update_clinic(
    session: Session,
    tenant: Tenant,
    *,
    name: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    business_hours: Mapping[str, Sequence[Sequence[str]]] | None = None,
    reminder_offsets_hours: Sequence[int] | None = None,
) -> Tenant:
    """Edits the clinic's profile, opening hours (weekday "0".."6" → periods) and reminders."""
    if name is not None:
        if not name.strip():
            raise ValidationFailed("the clinic needs a name", field="name")
        tenant.name = name.strip()[:200]
    if phone is not None:
        tenant.phone = to_e164(phone, tenant.country) if phone.strip() else None
    if address is not None:
        tenant.address = address.strip()[:300] or None
    if business_hours is not None:
        hours: dict[str, Any] = {}
        for weekday, spans in business_hours.items():
            if weekday not in {str(d) for d in range(7)}:
                raise ValidationFailed(f"unknown weekday '{weekday}'", field="businessHours")
            checked = check_spans(spans, f"businessHours.{weekday}")
            if checked:
                hours[weekday] = checked
        tenant.business_hours = hours
    if reminder_offsets_hours is not None:
        offsets = sorted({int(h) for h in reminder_offsets_hours}, reverse=True)
        if any(h <= 0 or h > 24 * 14 for h in offsets):
            raise ValidationFailed(
                "reminders go 1 to 336 hours before", field="reminderOffsetsHours"
            )
        if len(offsets) > 5:
            raise ValidationFailed("at most 5 reminders", field="reminderOffsetsHours")
        tenant.reminder_offsets_hours = offsets
    session.add(tenant)
    session.flush()
    return tenant


@dataclass(frozen=True)
class DoctorSettings:
    doctor: StaffUser
    schedule: DoctorSchedule


def doctor_settings(session: Session, tenant_id: uuid.UUID) -> list[DoctorSettings]:
    """Active doctors with their schedules (a missing schedule is created with defaults)."""
    doctors = session.exec(
        select(StaffUser)
        .where(StaffUser.tenant_id == tenant_id, StaffUser.role == "doctor", StaffUser.is_active)
        .order_by(col(StaffUser.full_name))
    ).all()
    schedules = {
        s.doctor_id: s
        for s in session.exec(
            select(DoctorSchedule).where(col(DoctorSchedule.doctor_id).in_([d.id for d in doctors]))
        )
    }
    result = []
    for doctor in doctors:
        schedule = schedules.get(doctor.id)
        if schedule is None:
            schedule = DoctorSchedule(tenant_id=tenant_id, doctor_id=doctor.id)
        result.append(DoctorSettings(doctor=doctor, schedule=schedule))
    return result


def _doctor(session: Session, tenant_id: uuid.UUID, doctor_id: uuid.UUID) -> StaffUser:
    doctor = session.get(StaffUser, doctor_id)
    if doctor is None or doctor.tenant_id != tenant_id or doctor.role != "doctor":
        raise NotFound("doctor not found", field="doctorId")
    return doctor


def update_doctor_schedule(
    session: Session,
    tenant: Tenant,
    doctor_id: uuid.UUID,
    *,
    periods: Mapping[str, Sequence[Sequence[str]]],
    slot_minutes: int,
    buffer_minutes: int,
    min_notice_minutes: int,
    horizon_days: int,
    active_for_ai_booking: bool | None = None,
) -> DoctorSchedule:
    """Replaces a doctor's weekly plan and booking rules (existing appointments stay)."""
    doctor = _doctor(session, tenant.id, doctor_id)
    if not 5 <= slot_minutes <= 240:
        raise ValidationFailed("the slot lasts 5 to 240 minutes", field="slotMinutes")
    if not 0 <= buffer_minutes <= 120:
        raise ValidationFailed("the buffer is 0 to 120 minutes", field="bufferMinutes")
    if not 0 <= min_notice_minutes <= 7 * 24 * 60:
        raise ValidationFailed("the notice is 0 minutes to 7 days", field="minNoticeMinutes")
    if not 1 <= horizon_days <= 366:
        raise ValidationFailed("the horizon is 1 to 366 days", field="horizonDays")
    stored: list[dict[str, Any]] = []
    for weekday, spans in sorted(periods.items()):
        if weekday not in {str(d) for d in range(7)}:
            raise ValidationFailed(f"unknown weekday '{weekday}'", field="periods")
        for start, end in check_spans(spans, f"periods.{weekday}"):
            stored.append({"weekday": int(weekday), "start": start, "end": end})
    # The domain's own constructors are the final word on what a schedule is.
    ScheduleRules(
        timezone=tenant.timezone,
        periods=tuple(WorkingPeriod.from_dict(p) for p in stored),
        slot_minutes=slot_minutes,
        buffer_minutes=buffer_minutes,
        min_notice_minutes=min_notice_minutes,
        horizon_days=horizon_days,
    )
    schedule = session.exec(
        select(DoctorSchedule).where(DoctorSchedule.doctor_id == doctor.id)
    ).first() or DoctorSchedule(tenant_id=tenant.id, doctor_id=doctor.id)
    schedule.periods = stored
    schedule.slot_minutes = slot_minutes
    schedule.buffer_minutes = buffer_minutes
    schedule.min_notice_minutes = min_notice_minutes
    schedule.horizon_days = horizon_days
    schedule.updated_at = utcnow()
    session.add(schedule)
    if active_for_ai_booking is not None:
        doctor.active_for_ai_booking = active_for_ai_booking
        session.add(doctor)
    session.flush()
    return schedule


def list_time_off(
    session: Session, tenant_id: uuid.UUID, *, since: datetime | None = None
) -> list[TimeOff]:
    """Time off that has not ended yet (or ended after `since`), soonest first."""
    since = since or utcnow()
    return list(
        session.exec(
            select(TimeOff)
            .where(TimeOff.tenant_id == tenant_id, TimeOff.end_at > since)
            .order_by(col(TimeOff.start_at))
        )
    )


def add_time_off(
    session: Session,
    tenant: Tenant,
    doctor_id: uuid.UUID,
    *,
    start_at: datetime,
    end_at: datetime,
    reason: str | None = None,
) -> TimeOff:
    """Blocks a doctor's time; appointments already booked then are kept (and shown)."""
    doctor = _doctor(session, tenant.id, doctor_id)
    if start_at.tzinfo is None or end_at.tzinfo is None:
        raise ValidationFailed("times need a time zone", field="startAt")
    if end_at <= start_at:
        raise ValidationFailed("the time off ends before it starts", field="endAt")
    if end_at - start_at > timedelta(days=120):
        raise ValidationFailed("time off lasts at most 120 days", field="endAt")
    row = TimeOff(
        tenant_id=tenant.id,
        doctor_id=doctor.id,
        start_at=start_at,
        end_at=end_at,
        reason=(reason or "").strip()[:200] or None,
    )
    session.add(row)
    session.flush()
    return row


def remove_time_off(session: Session, tenant_id: uuid.UUID, time_off_id: uuid.UUID) -> None:
    row = session.get(TimeOff, time_off_id)
    if row is None or row.tenant_id != tenant_id:
        raise NotFound("time off not found")
    session.delete(row)
    session.flush()


def list_contacts(session: Session, tenant_id: uuid.UUID) -> list[EscalationContact]:
    return list(
        session.exec(
            select(EscalationContact)
            .where(EscalationContact.tenant_id == tenant_id)
            .order_by(col(EscalationContact.is_active).desc(), col(EscalationContact.name))
        )
    )


def save_contact(
    session: Session,
    tenant: Tenant,
    *,
    contact_id: uuid.UUID | None,
    name: str,
    whatsapp_phone: str | None,
    email: str | None,
    channels: Sequence[str],
    is_active: bool = True,
) -> EscalationContact:
    """Creates or edits who is alerted for emergencies and escalations."""
    if not name.strip():
        raise ValidationFailed("the contact needs a name", field="name")
    chosen = [c for c in CHANNELS if c in set(channels)]
    if not chosen:
        raise ValidationFailed("choose at least one channel", field="channels")
    phone = (
        to_e164(whatsapp_phone, tenant.country)
        if whatsapp_phone and whatsapp_phone.strip()
        else None
    )
    mail = (email or "").strip().lower() or None
    if mail is not None and "@" not in mail:
        raise ValidationFailed("not an e-mail address", field="email")
    if "whatsapp" in chosen and phone is None:
        raise ValidationFailed("WhatsApp alerts need a phone", field="whatsappPhone")
    if "email" in chosen and mail is None:
        raise ValidationFailed("e-mail alerts need an address", field="email")
    if contact_id is None:
        contact = EscalationContact(tenant_id=tenant.id, name=name.strip()[:200])
    else:
        found = session.get(EscalationContact, contact_id)
        if found is None or found.tenant_id != tenant.id:
            raise NotFound("contact not found")
        contact = found
    contact.name = name.strip()[:200]
    contact.whatsapp_phone = phone
    contact.email = mail
    contact.channels = chosen
    contact.is_active = is_active
    session.add(contact)
    session.flush()
    return contact


def remove_contact(session: Session, tenant_id: uuid.UUID, contact_id: uuid.UUID) -> None:
    contact = session.get(EscalationContact, contact_id)
    if contact is None or contact.tenant_id != tenant_id:
        raise NotFound("contact not found")
    session.delete(contact)
    session.flush()


def list_api_keys(session: Session, tenant_id: uuid.UUID) -> list[ApiKey]:
    """The clinic's API keys, live ones first (only prefixes; secrets are never stored)."""
    return list(
        session.exec(
            select(ApiKey)
            .where(ApiKey.tenant_id == tenant_id)
            .order_by(col(ApiKey.revoked_at).is_not(None), col(ApiKey.created_at).desc())
        )
    )


def staff_names(session: Session, tenant_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """Every staff member's name by id (for "taken over by", audit lines)."""
    rows = session.exec(
        select(StaffUser.id, StaffUser.full_name).where(StaffUser.tenant_id == tenant_id)
    )
    return {user_id: name for user_id, name in rows}


def local_datetime(day: str, clock_time: str, tz_name: str) -> datetime:
    """'2027-01-28' + '14:30' in the clinic's zone, as an aware datetime."""
    try:
        moment = datetime.combine(
            datetime.fromisoformat(day).date(), time.fromisoformat(_check_hhmm(clock_time, "time"))
        )
    except ValueError:
        raise ValidationFailed(
            f"'{day} {clock_time}' is not a date and time", field="time"
        ) from None
    return moment.replace(tzinfo=ZoneInfo(tz_name))
