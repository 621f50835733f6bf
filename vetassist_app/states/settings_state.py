"""Settings for the manager: clinic hours and reminders, doctors' schedules and time
off, follow-up protocols, escalation contacts, API keys."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from backend.core.db import session_scope
from backend.domain.errors import ValidationFailed
from backend.services.clinics import auth
from backend.services.outreach import followups
from backend.services.scheduling import clinic_settings
from vetassist_app import routes
from vetassist_app.formatting import PROCEDURE_LABEL, WEEKDAYS, date_time, phone_display
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.session_state import SessionState

CHANNEL_LABEL = {"whatsapp": "WhatsApp", "email": "Correo", "slack": "Slack"}
_SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–a]\s*(\d{1,2}:\d{2})\s*$")


def parse_spans(text: str, field_name: str = "hours") -> list[list[str]]:
    """'08:00-12:30, 14:00-18:00' → [['08:00', '12:30'], ['14:00', '18:00']]; '' → closed."""
    spans = []
    for part in re.split(r"[,;]", text or ""):
        if not part.strip():
            continue
        match = _SPAN.match(part)
        if match is None:
            raise ValidationFailed(
                f"write periods like 08:00-12:30, not '{part.strip()}'", field=field_name
            )
        spans.append([match.group(1), match.group(2)])
    return spans


def format_spans(spans: list[list[str]] | list[tuple[str, str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in spans)


def parse_hours(text: str, field_name: str) -> list[int]:
    """'24, 48, 72' → [24, 48, 72]."""
    try:
        return [int(part) for part in re.split(r"[,;\s]+", text.strip()) if part]
    except ValueError:
        raise ValidationFailed("write whole hours separated by commas", field=field_name) from None


@dataclass
class DayHours:
    weekday: str = ""
    label: str = ""
    text: str = ""


@dataclass
class DoctorForm:
    id: str = ""
    name: str = ""
    color: str = ""
    speciality: str = ""
    days: list[DayHours] = field(default_factory=list)
    slot_minutes: int = 30
    buffer_minutes: int = 5
    min_notice_minutes: int = 60
    horizon_days: int = 60
    ai_booking: bool = False


@dataclass
class TimeOffRow:
    id: str = ""
    doctor: str = ""
    start: str = ""
    end: str = ""
    reason: str = ""


@dataclass
class ProtocolForm:
    procedure_type: str = ""
    label: str = ""
    hours: str = ""
    messages: str = ""
    keywords: str = ""


@dataclass
class ContactRow:
    id: str = ""
    name: str = ""
    phone: str = ""
    email: str = ""
    channels: str = ""
    active: bool = True


@dataclass
class ApiKeyRow:
    id: str = ""
    name: str = ""
    prefix: str = ""
    created: str = ""
    last_used: str = ""
    revoked: str = ""
    live: bool = True


@dataclass
class SettingsData:
    clinic_name: str
    clinic_phone: str
    clinic_address: str
    timezone: str
    business_hours: list[DayHours]
    reminders: str
    doctors: list[DoctorForm]
    time_off: list[TimeOffRow]
    protocols: list[ProtocolForm]
    contacts: list[ContactRow]
    api_keys: list[ApiKeyRow]


def _days(periods_by_day: dict[str, list[list[str]]]) -> list[DayHours]:
    return [
        DayHours(
            weekday=str(d),
            label=WEEKDAYS[d].capitalize(),
            text=format_spans(periods_by_day.get(str(d), [])),
        )
        for d in range(7)
    ]


def load_settings(viewer: Viewer) -> SettingsData:
    tz = viewer.timezone
    # write: the first visit seeds the default follow-up protocols
    with session_scope(write=True) as session:
        tenant = viewer.tenant(session)
        doctors = clinic_settings.doctor_settings(session, viewer.tenant_id)
        names = {d.doctor.id: d.doctor.full_name for d in doctors}
        time_off = clinic_settings.list_time_off(session, viewer.tenant_id)
        protocols = followups.ensure_protocols(session, viewer.tenant_id)
        contacts = clinic_settings.list_contacts(session, viewer.tenant_id)
        keys = clinic_settings.list_api_keys(session, viewer.tenant_id)
        doctor_forms = []
        for item in doctors:
            by_day: dict[str, list[list[str]]] = {}
            for period in item.schedule.periods:
                by_day.setdefault(str(period["weekday"]), []).append(
                    [str(period["start"]), str(period["end"])]
                )
            doctor_forms.append(
                DoctorForm(
                    id=str(item.doctor.id),
                    name=item.doctor.full_name,
                    color=item.doctor.color or "#0d9488",
                    speciality=item.doctor.speciality or "",
                    days=_days(by_day),
                    slot_minutes=item.schedule.slot_minutes,
                    buffer_minutes=item.schedule.buffer_minutes,
                    min_notice_minutes=item.schedule.min_notice_minutes,
                    horizon_days=item.schedule.horizon_days,
                    ai_booking=item.doctor.active_for_ai_booking,
                )
            )
        data = SettingsData(
            clinic_name=tenant.name,
            clinic_phone=phone_display(tenant.phone or ""),
            clinic_address=tenant.address or "",
            timezone=tenant.timezone,
            business_hours=_days(
                {k: [list(span) for span in v] for k, v in (tenant.business_hours or {}).items()}
            ),
            reminders=", ".join(str(h) for h in tenant.reminder_offsets_hours),
            doctors=doctor_forms,
            time_off=[
                TimeOffRow(
                    id=str(t.id),
                    doctor=names.get(t.doctor_id, ""),
                    start=date_time(t.start_at, tz),
                    end=date_time(t.end_at, tz),
                    reason=t.reason or "",
                )
                for t in time_off
            ],
            protocols=[
                ProtocolForm(
                    procedure_type=p.procedure_type,
                    label=p.label or PROCEDURE_LABEL.get(p.procedure_type, p.procedure_type),
                    hours=", ".join(str(h) for h in p.schedule_hours),
                    messages="\n".join(p.messages),
                    keywords=", ".join(p.escalation_keywords),
                )
                for p in protocols
            ],
            contacts=[
                ContactRow(
                    id=str(c.id),
                    name=c.name,
                    phone=phone_display(c.whatsapp_phone or ""),
                    email=c.email or "",
                    channels=", ".join(CHANNEL_LABEL.get(ch, ch) for ch in c.channels),
                    active=c.is_active,
                )
                for c in contacts
            ],
            api_keys=[
                ApiKeyRow(
                    id=str(k.id),
                    name=k.name,
                    prefix=k.prefix + "…",
                    created=date_time(k.created_at, tz),
                    last_used=date_time(k.last_used_at, tz) or "Nunca",
                    revoked=date_time(k.revoked_at, tz),
                    live=k.revoked_at is None,
                )
                for k in keys
            ],
        )
    return data


def save_clinic(viewer: Viewer, form: dict[str, Any]) -> None:
    hours = {str(d): parse_spans(str(form.get(f"day_{d}", "")), f"day_{d}") for d in range(7)}
    with session_scope(write=True) as session:
        clinic_settings.update_clinic(
            session,
            viewer.tenant(session),
            name=str(form.get("name", "")),
            phone=str(form.get("phone", "")),
            address=str(form.get("address", "")),
            business_hours=hours,
            reminder_offsets_hours=parse_hours(str(form.get("reminders", "")), "reminders"),
        )


def _int(form: dict[str, Any], name: str) -> int:
    try:
        return int(str(form.get(name, "")).strip())
    except ValueError:
        raise ValidationFailed(f"{name} must be a whole number", field=name) from None


def save_doctor(viewer: Viewer, form: dict[str, Any]) -> None:
    periods = {str(d): parse_spans(str(form.get(f"day_{d}", "")), f"day_{d}") for d in range(7)}
    with session_scope(write=True) as session:
        clinic_settings.update_doctor_schedule(
            session,
            viewer.tenant(session),
            parse_id(str(form.get("doctor_id", ""))),
            periods=periods,
            slot_minutes=_int(form, "slot_minutes"),
            buffer_minutes=_int(form, "buffer_minutes"),
            min_notice_minutes=_int(form, "min_notice_minutes"),
            horizon_days=_int(form, "horizon_days"),
            active_for_ai_booking=str(form.get("ai_booking", "")) in ("on", "true", "True"),
        )


def add_time_off(viewer: Viewer, form: dict[str, Any]) -> None:
    tz = viewer.timezone
    start = clinic_settings.local_datetime(
        str(form.get("start_day", "")), str(form.get("start_time", "") or "00:00"), tz
    )
    end = clinic_settings.local_datetime(
        str(form.get("end_day", "")), str(form.get("end_time", "") or "23:59"), tz
    )
    with session_scope(write=True) as session:
        clinic_settings.add_time_off(
            session,
            viewer.tenant(session),
            parse_id(str(form.get("doctor_id", ""))),
            start_at=start,
            end_at=end,
            reason=str(form.get("reason", "")),
        )


def remove_time_off(viewer: Viewer, time_off_id: str) -> None:
    with session_scope(write=True) as session:
        clinic_settings.remove_time_off(session, viewer.tenant_id, parse_id(time_off_id))


def save_protocol(viewer: Viewer, form: dict[str, Any]) -> None:
    procedure_type = str(form.get("procedure_type", ""))
    if procedure_type not in PROCEDURE_LABEL:
        raise ValidationFailed(f"unknown procedure type '{procedure_type}'", field="procedureType")
    messages = [line.strip() for line in str(form.get("messages", "")).splitlines() if line.strip()]
    with session_scope(write=True) as session:
        followups.update_protocol(
            session,
            tenant_id=viewer.tenant_id,
            procedure_type=procedure_type,
            schedule_hours=parse_hours(str(form.get("hours", "")), "hours"),
            messages=messages,
            escalation_keywords=[k for k in str(form.get("keywords", "")).split(",") if k.strip()],
            label=str(form.get("label", "")).strip() or None,
        )


def save_contact(viewer: Viewer, form: dict[str, Any]) -> None:
    channels = [
        c for c in clinic_settings.CHANNELS if str(form.get(f"channel_{c}", "")) in ("on", "true")
    ]
    with session_scope(write=True) as session:
        clinic_settings.save_contact(
            session,
            viewer.tenant(session),
            contact_id=None,
            name=str(form.get("name", "")),
            whatsapp_phone=str(form.get("phone", "")),
            email=str(form.get("email", "")),
            channels=channels,
        )


def remove_contact(viewer: Viewer, contact_id: str) -> None:
    with session_scope(write=True) as session:
        clinic_settings.remove_contact(session, viewer.tenant_id, parse_id(contact_id))


def create_api_key(viewer: Viewer, name: str) -> str:
    """A new key for the clinic; the secret is returned once and never stored."""
    if not name.strip():
        raise ValidationFailed("give the key a name", field="name")
    with session_scope(write=True) as session:
        return auth.create_api_key(
            session, tenant_id=viewer.tenant_id, name=name.strip()[:100]
        ).secret


def revoke_api_key(viewer: Viewer, key_id: str) -> None:
    with session_scope(write=True) as session:
        auth.revoke_api_key(session, tenant_id=viewer.tenant_id, key_id=parse_id(key_id))


class SettingsState(SessionState):
    tab: str = "clinica"
    loaded: bool = False
    clinic_name: str = ""
    clinic_phone: str = ""
    clinic_address: str = ""
    timezone: str = ""
    business_hours: list[DayHours] = []
    reminders: str = ""
    doctors: list[DoctorForm] = []
    time_off: rx.Field[list[TimeOffRow]] = rx.field(default_factory=list)
    protocols: list[ProtocolForm] = []
    contacts: rx.Field[list[ContactRow]] = rx.field(default_factory=list)
    api_keys: rx.Field[list[ApiKeyRow]] = rx.field(default_factory=list)
    new_secret: str = ""
    version: rx.Field[int] = rx.field(0)

    def _load(self, viewer: Viewer) -> None:
        data = load_settings(viewer)
        self.clinic_name = data.clinic_name
        self.clinic_phone = data.clinic_phone
        self.clinic_address = data.clinic_address
        self.timezone = data.timezone
        self.business_hours = data.business_hours
        self.reminders = data.reminders
        self.doctors = data.doctors
        self.time_off = data.time_off
        self.protocols = data.protocols
        self.contacts = data.contacts
        self.api_keys = data.api_keys
        self.version += 1
        self.loaded = True

    def _save(self, action: Any, message: str) -> Any:
        def run(viewer: Viewer) -> Any:
            action(viewer)
            self._load(viewer)
            return rx.toast.success(message)

        return self._run(routes.MANAGEMENT, run)

    @rx.event
    def open_page(self) -> Any:
        self.new_secret = ""
        return self._run(routes.MANAGEMENT, self._load)

    @rx.event
    def set_tab(self, tab: str) -> None:
        self.tab = tab
        self.new_secret = ""

    @rx.event
    def save_clinic(self, form: dict[str, Any]) -> Any:
        return self._save(lambda v: save_clinic(v, form), "Datos de la clínica guardados.")

    @rx.event
    def save_doctor(self, form: dict[str, Any]) -> Any:
        return self._save(lambda v: save_doctor(v, form), "Horario del médico guardado.")

    @rx.event
    def add_time_off(self, form: dict[str, Any]) -> Any:
        return self._save(lambda v: add_time_off(v, form), "Ausencia registrada.")

    @rx.event
    def remove_time_off(self, time_off_id: str) -> Any:
        return self._save(lambda v: remove_time_off(v, time_off_id), "Ausencia eliminada.")

    @rx.event
    def save_protocol(self, form: dict[str, Any]) -> Any:
        return self._save(lambda v: save_protocol(v, form), "Protocolo de seguimiento guardado.")

    @rx.event
    def save_contact(self, form: dict[str, Any]) -> Any:
        return self._save(lambda v: save_contact(v, form), "Contacto de alerta agregado.")

    @rx.event
    def remove_contact(self, contact_id: str) -> Any:
        return self._save(lambda v: remove_contact(v, contact_id), "Contacto eliminado.")

    @rx.event
    def create_api_key(self, form: dict[str, Any]) -> Any:
        name = str(form.get("name", ""))

        def run(viewer: Viewer) -> Any:
            self.new_secret = create_api_key(viewer, name)
            self._load(viewer)
            return rx.toast.success("Clave creada. Cópiala ahora: no se vuelve a mostrar.")

        return self._run(routes.MANAGEMENT, run)

    @rx.event
    def revoke_api_key(self, key_id: str) -> Any:
        return self._save(lambda v: revoke_api_key(v, key_id), "Clave revocada.")

    @rx.event
    def hide_secret(self) -> None:
        self.new_secret = ""
