"""A clinic's own settings: opening hours, reminders, doctors' schedules and time
off, follow-up protocols, escalation contacts and API keys.

`settings_of` reads them all as plain data; every change is a whole unit of
work. Each function takes the clinic's id and only touches its rows; an id of
another clinic reads as unknown (NotFound). Values are validated here, so the
portal and any future API share one set of rules.
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
from backend.core.db import session_scope
from backend.domain.appointment_rules import ProcedureType
from backend.domain.availability import ScheduleRules, WorkingPeriod
from backend.domain.errors import NotFound, ValidationFailed
from backend.models import (
    ApiKey,
    DoctorSchedule,
    EscalationContact,
    StaffUser,
    TimeOff,
)
from backend.services.clinics import auth
from backend.services.clinics.clinic_directory import get_clinic
from backend.services.outreach import followups
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
            raise ValidationFailed(
                f"the period {start}-{end} ends before it starts",
                field=field,
                code="period_reversed",
            )
        cleaned.append([start, end])
    cleaned.sort(key=lambda s: _minutes(s[0]))
    for previous, current in zip(cleaned, cleaned[1:], strict=False):
        if _minutes(current[0]) < _minutes(previous[1]):
            raise ValidationFailed(
                "periods of one day overlap", field=field, code="periods_overlap"
            )
    return cleaned


@dataclass(frozen=True)
class DoctorPlan:
    """A doctor's weekly plan and booking rules (the defaults when never saved)."""

    id: uuid.UUID
    full_name: str
    color: str | None
    speciality: str | None
    active_for_ai_booking: bool
    periods: dict[str, list[list[str]]]  # weekday "0".."6" → [start, end] local times
    slot_minutes: int
    buffer_minutes: int
    min_notice_minutes: int
    horizon_days: int


@dataclass(frozen=True)
class TimeOffEntry:
    id: uuid.UUID
    doctor_name: str
    start_at: datetime
    end_at: datetime
    reason: str | None


@dataclass(frozen=True)
class ProtocolEntry:
    procedure_type: str
    label: str | None
    schedule_hours: list[int]
    messages: list[str]
    escalation_keywords: list[str]


@dataclass(frozen=True)
class ContactEntry:
    id: uuid.UUID
    name: str
    whatsapp_phone: str | None
    email: str | None
    channels: list[str]
    is_active: bool


@dataclass(frozen=True)
class ApiKeyEntry:
    """An API key by its prefix (secrets are never stored)."""

    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class ClinicSettings:
    name: str
    phone: str | None
    address: str | None
    timezone: str
    business_hours: dict[str, list[list[str]]]  # weekday "0".."6" → periods; closed days absent
    reminder_offsets_hours: list[int]
    doctors: list[DoctorPlan]
    time_off: list[TimeOffEntry]
    protocols: list[ProtocolEntry]
    contacts: list[ContactEntry]
    api_keys: list[ApiKeyEntry]


def _doctor_plans(session: Session, tenant_id: uuid.UUID) -> list[DoctorPlan]:
    """Active doctors with their schedules (a missing schedule reads as the defaults)."""
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
    plans = []
    for doctor in doctors:
        schedule = schedules.get(doctor.id) or DoctorSchedule(
            tenant_id=tenant_id, doctor_id=doctor.id
        )
        periods: dict[str, list[list[str]]] = {}
        for period in schedule.periods:
            periods.setdefault(str(period["weekday"]), []).append(
                [str(period["start"]), str(period["end"])]
            )
        plans.append(
            DoctorPlan(
                id=doctor.id,
                full_name=doctor.full_name,
                color=doctor.color,
                speciality=doctor.speciality,
                active_for_ai_booking=doctor.active_for_ai_booking,
                periods=periods,
                slot_minutes=schedule.slot_minutes,
                buffer_minutes=schedule.buffer_minutes,
                min_notice_minutes=schedule.min_notice_minutes,
                horizon_days=schedule.horizon_days,
            )
        )
    return plans


def settings_of(tenant_id: uuid.UUID) -> ClinicSettings:
    """Everything the settings page shows. Writes on a clinic's first visit: it seeds
    the default follow-up protocols."""
    now = utcnow()
    with session_scope(write=True) as session:
        tenant = get_clinic(session, tenant_id)
        doctors = _doctor_plans(session, tenant_id)
        names = {d.id: d.full_name for d in doctors}
        time_off = session.exec(
            select(TimeOff)
            .where(TimeOff.tenant_id == tenant_id, TimeOff.end_at > now)
            .order_by(col(TimeOff.start_at))
        ).all()
        protocols = followups.ensure_protocols(session, tenant_id)
        contacts = session.exec(
            select(EscalationContact)
            .where(EscalationContact.tenant_id == tenant_id)
            .order_by(col(EscalationContact.is_active).desc(), col(EscalationContact.name))
        ).all()
        keys = session.exec(
            select(ApiKey)
            .where(ApiKey.tenant_id == tenant_id)
            .order_by(col(ApiKey.revoked_at).is_not(None), col(ApiKey.created_at).desc())
        ).all()
        return ClinicSettings(
            name=tenant.name,
            phone=tenant.phone,
            address=tenant.address,
            timezone=tenant.timezone,
            business_hours={
                day: [list(span) for span in spans]
                for day, spans in (tenant.business_hours or {}).items()
            },
            reminder_offsets_hours=list(tenant.reminder_offsets_hours),
            doctors=doctors,
            time_off=[
                TimeOffEntry(
                    id=t.id,
                    doctor_name=names.get(t.doctor_id, ""),
                    start_at=t.start_at,
                    end_at=t.end_at,
                    reason=t.reason,
                )
                for t in time_off
            ],
            protocols=[
                ProtocolEntry(
                    procedure_type=p.procedure_type,
                    label=p.label,
                    schedule_hours=list(p.schedule_hours),
                    messages=list(p.messages),
                    escalation_keywords=list(p.escalation_keywords),
                )
                for p in protocols
            ],
            contacts=[
                ContactEntry(
                    id=c.id,
                    name=c.name,
                    whatsapp_phone=c.whatsapp_phone,
                    email=c.email,
                    channels=list(c.channels),
                    is_active=c.is_active,
                )
                for c in contacts
            ],
            api_keys=[
                ApiKeyEntry(
                    id=k.id,
                    name=k.name,
                    prefix=k.prefix,
                    created_at=k.created_at,
                    last_used_at=k.last_used_at,
                    revoked_at=k.revoked_at,
                )
                for k in keys
            ],
        )


def update_clinic(
    *,
    tenant_id: uuid.UUID,
    name: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    business_hours: Mapping[str, Sequence[Sequence[str]]] | None = None,
    reminder_offsets_hours: Sequence[int] | None = None,
) -> None:
    """Edits the clinic's profile, opening hours (weekday "0".."6" → periods) and reminders."""
    with session_scope(write=True) as session:
        tenant = get_clinic(session, tenant_id)
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


def _doctor(session: Session, tenant_id: uuid.UUID, doctor_id: uuid.UUID) -> StaffUser:
    doctor = session.get(StaffUser, doctor_id)
    if doctor is None or doctor.tenant_id != tenant_id or doctor.role != "doctor":
        raise NotFound("doctor not found", field="doctorId")
    return doctor


def update_doctor_schedule(
    *,
    tenant_id: uuid.UUID,
    doctor_id: uuid.UUID,
    periods: Mapping[str, Sequence[Sequence[str]]],
    slot_minutes: int,
    buffer_minutes: int,
    min_notice_minutes: int,
    horizon_days: int,
    active_for_ai_booking: bool | None = None,
) -> None:
    """Replaces a doctor's weekly plan and booking rules (existing appointments stay)."""
    with session_scope(write=True) as session:
        tenant = get_clinic(session, tenant_id)
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


def add_time_off(
    *,
    tenant_id: uuid.UUID,
    doctor_id: uuid.UUID,
    start_at: datetime,
    end_at: datetime,
    reason: str | None = None,
) -> None:
    """Blocks a doctor's time; appointments already booked then are kept (and shown)."""
    with session_scope(write=True) as session:
        doctor = _doctor(session, tenant_id, doctor_id)
        if start_at.tzinfo is None or end_at.tzinfo is None:
            raise ValidationFailed("times need a time zone", field="startAt")
        if end_at <= start_at:
            raise ValidationFailed("the time off ends before it starts", field="endAt")
        if end_at - start_at > timedelta(days=120):
            raise ValidationFailed("time off lasts at most 120 days", field="endAt")
        session.add(
            TimeOff(
                tenant_id=tenant_id,
                doctor_id=doctor.id,
                start_at=start_at,
                end_at=end_at,
                reason=(reason or "").strip()[:200] or None,
            )
        )


def remove_time_off(*, tenant_id: uuid.UUID, time_off_id: uuid.UUID) -> None:
    with session_scope(write=True) as session:
        row = session.get(TimeOff, time_off_id)
        if row is None or row.tenant_id != tenant_id:
            raise NotFound("time off not found")
        session.delete(row)


def save_protocol(
    *,
    tenant_id: uuid.UUID,
    procedure_type: str,
    schedule_hours: Sequence[int],
    messages: Sequence[str],
    escalation_keywords: Sequence[str],
    label: str | None = None,
) -> None:
    """Edits the clinic's follow-up protocol of a procedure (see `followups.update_protocol`)."""
    if procedure_type not in {p.value for p in ProcedureType}:
        raise ValidationFailed(f"unknown procedure type '{procedure_type}'", field="procedureType")
    with session_scope(write=True) as session:
        followups.update_protocol(
            session,
            tenant_id=get_clinic(session, tenant_id).id,
            procedure_type=procedure_type,
            schedule_hours=schedule_hours,
            messages=messages,
            escalation_keywords=escalation_keywords,
            label=label,
        )


def save_contact(
    *,
    tenant_id: uuid.UUID,
    contact_id: uuid.UUID | None = None,
    name: str,
    whatsapp_phone: str | None,
    email: str | None,
    channels: Sequence[str],
    is_active: bool = True,
) -> None:
    """Creates or edits who is alerted for emergencies and escalations."""
    if not name.strip():
        raise ValidationFailed("the contact needs a name", field="name")
    chosen = [c for c in CHANNELS if c in set(channels)]
    if not chosen:
        raise ValidationFailed("choose at least one channel", field="channels")
    with session_scope(write=True) as session:
        tenant = get_clinic(session, tenant_id)
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


def remove_contact(*, tenant_id: uuid.UUID, contact_id: uuid.UUID) -> None:
    with session_scope(write=True) as session:
        contact = session.get(EscalationContact, contact_id)
        if contact is None or contact.tenant_id != tenant_id:
            raise NotFound("contact not found")
        session.delete(contact)


def add_api_key(*, tenant_id: uuid.UUID, name: str) -> str:
    """A new API key for the clinic; its secret is returned once and never stored."""
    if not name.strip():
        raise ValidationFailed("give the key a name", field="name")
    with session_scope(write=True) as session:
        return auth.create_api_key(
            session, tenant_id=get_clinic(session, tenant_id).id, name=name.strip()[:100]
        ).secret


def revoke_api_key(*, tenant_id: uuid.UUID, key_id: uuid.UUID) -> None:
    with session_scope(write=True) as session:
        auth.revoke_api_key(session, tenant_id=tenant_id, key_id=key_id)


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
