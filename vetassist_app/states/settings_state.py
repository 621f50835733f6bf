"""Settings for the manager: clinic hours and reminders, doctors' schedules and time
off, follow-up protocols, escalation contacts, API keys."""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from backend.domain.errors import ValidationFailed
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
class PeriodRow:
    """One period of a day in the time pickers; `id` keeps its inputs apart in the form."""

    id: str = ""
    start: str = ""
    end: str = ""


@dataclass
class DayHours:
    weekday: str = ""
    label: str = ""
    text: str = ""
    periods: list[PeriodRow] = field(default_factory=list)


_PERIOD_INPUT = re.compile(r"^day_([0-6])_(\w+)_(start|end)$")


def period_rows(spans: list[list[str]]) -> list[PeriodRow]:
    """Stored spans as time-picker rows; an end of "24:00" shows as 00:00 (midnight)."""
    return [
        PeriodRow(id=uuid.uuid4().hex[:8], start=start, end="00:00" if end == "24:00" else end)
        for start, end in spans
    ]


def new_period(periods: list[PeriodRow]) -> PeriodRow:
    """A period to add after the day's last one: from its end, two hours (08:00-12:00 first)."""
    if not periods or not periods[-1].end or periods[-1].end == "00:00":
        start, end = ("08:00", "12:00") if not periods else ("", "")
    else:
        hours, minutes = (int(p) for p in periods[-1].end.split(":"))
        start = f"{min(hours + 1, 23):02d}:{minutes:02d}"
        end = f"{min(hours + 3, 23):02d}:{minutes:02d}" if hours + 3 < 24 else "00:00"
    return PeriodRow(id=uuid.uuid4().hex[:8], start=start, end=end)


def spans_from_form(form: dict[str, Any], weekday: int) -> list[list[str]]:
    """A day's periods from its time pickers (`day_<d>_<row>_start` / `_end`), or from the
    text field `day_<d>` ("08:00-12:30, 14:00-18:00") when the form has no pickers.

    An end of 00:00 means midnight ("24:00"); a row left empty is dropped.
    """
    rows: dict[str, dict[str, str]] = {}
    for name, value in form.items():
        match = _PERIOD_INPUT.match(str(name))
        if match and int(match.group(1)) == weekday:
            rows.setdefault(match.group(2), {})[match.group(3)] = str(value or "").strip()
    if not rows:
        return parse_spans(str(form.get(f"day_{weekday}", "")), f"day_{weekday}")
    spans = []
    for row in rows.values():
        start, end = row.get("start", ""), row.get("end", "")
        if not start and not end:
            continue
        if not start or not end:
            raise ValidationFailed("a period needs a start and an end", field=f"day_{weekday}")
        spans.append([start, "24:00" if end == "00:00" else end])
    return spans


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
            periods=period_rows(periods_by_day.get(str(d), [])),
        )
        for d in range(7)
    ]


def load_settings(viewer: Viewer) -> SettingsData:
    tz = viewer.timezone
    found = clinic_settings.settings_of(viewer.tenant_id)
    return SettingsData(
        clinic_name=found.name,
        clinic_phone=phone_display(found.phone or ""),
        clinic_address=found.address or "",
        timezone=found.timezone,
        business_hours=_days(found.business_hours),
        reminders=", ".join(str(h) for h in found.reminder_offsets_hours),
        doctors=[
            DoctorForm(
                id=str(d.id),
                name=d.full_name,
                color=d.color or "#0d9488",
                speciality=d.speciality or "",
                days=_days(d.periods),
                slot_minutes=d.slot_minutes,
                buffer_minutes=d.buffer_minutes,
                min_notice_minutes=d.min_notice_minutes,
                horizon_days=d.horizon_days,
                ai_booking=d.active_for_ai_booking,
            )
            for d in found.doctors
        ],
        time_off=[
            TimeOffRow(
                id=str(t.id),
                doctor=t.doctor_name,
                start=date_time(t.start_at, tz),
                end=date_time(t.end_at, tz),
                reason=t.reason or "",
            )
            for t in found.time_off
        ],
        protocols=[
            ProtocolForm(
                procedure_type=p.procedure_type,
                label=p.label or PROCEDURE_LABEL.get(p.procedure_type, p.procedure_type),
                hours=", ".join(str(h) for h in p.schedule_hours),
                messages="\n".join(p.messages),
                keywords=", ".join(p.escalation_keywords),
            )
            for p in found.protocols
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
            for c in found.contacts
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
            for k in found.api_keys
        ],
    )


def save_clinic(viewer: Viewer, form: dict[str, Any]) -> None:
    hours = {str(d): spans_from_form(form, d) for d in range(7)}
    clinic_settings.update_clinic(
        tenant_id=viewer.tenant_id,
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
    periods = {str(d): spans_from_form(form, d) for d in range(7)}
    clinic_settings.update_doctor_schedule(
        tenant_id=viewer.tenant_id,
        doctor_id=parse_id(str(form.get("doctor_id", ""))),
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
    clinic_settings.add_time_off(
        tenant_id=viewer.tenant_id,
        doctor_id=parse_id(str(form.get("doctor_id", ""))),
        start_at=start,
        end_at=end,
        reason=str(form.get("reason", "")),
    )


def remove_time_off(viewer: Viewer, time_off_id: str) -> None:
    clinic_settings.remove_time_off(tenant_id=viewer.tenant_id, time_off_id=parse_id(time_off_id))


def save_protocol(viewer: Viewer, form: dict[str, Any]) -> None:
    messages = [line.strip() for line in str(form.get("messages", "")).splitlines() if line.strip()]
    clinic_settings.save_protocol(
        tenant_id=viewer.tenant_id,
        procedure_type=str(form.get("procedure_type", "")),
        schedule_hours=parse_hours(str(form.get("hours", "")), "hours"),
        messages=messages,
        escalation_keywords=[k for k in str(form.get("keywords", "")).split(",") if k.strip()],
        label=str(form.get("label", "")).strip() or None,
    )


def save_contact(viewer: Viewer, form: dict[str, Any]) -> None:
    channels = [
        c for c in clinic_settings.CHANNELS if str(form.get(f"channel_{c}", "")) in ("on", "true")
    ]
    clinic_settings.save_contact(
        tenant_id=viewer.tenant_id,
        name=str(form.get("name", "")),
        whatsapp_phone=str(form.get("phone", "")),
        email=str(form.get("email", "")),
        channels=channels,
    )


def remove_contact(viewer: Viewer, contact_id: str) -> None:
    clinic_settings.remove_contact(tenant_id=viewer.tenant_id, contact_id=parse_id(contact_id))


def create_api_key(viewer: Viewer, name: str) -> str:
    """A new key for the clinic; the secret is returned once and never stored."""
    return clinic_settings.add_api_key(tenant_id=viewer.tenant_id, name=name)


def revoke_api_key(viewer: Viewer, key_id: str) -> None:
    clinic_settings.revoke_api_key(tenant_id=viewer.tenant_id, key_id=parse_id(key_id))


TABS = frozenset(
    {
        "clinica",
        "medicos",
        "servicios",
        "festivos",
        "equipo",
        "seguimientos",
        "contactos",
        "claves",
        "google",
    }
)
"""The tabs a link may open with `?tab=`."""


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
        """on_load; `?tab=google` (where Google's consent sends the manager back) opens that tab."""
        self.new_secret = ""
        tab = self.router.url.query_parameters.get("tab", "")
        if tab in TABS:
            self.tab = tab
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

    def _week(self, scope: str) -> list[DayHours]:
        """The week being edited: the clinic's hours ("clinic") or a doctor's (their id)."""
        if scope == "clinic":
            return self.business_hours
        return next((d.days for d in self.doctors if d.id == scope), [])

    def _set_week(self, scope: str, week: list[DayHours]) -> None:
        if scope == "clinic":
            self.business_hours = week
        else:
            self.doctors = [
                dataclasses.replace(d, days=week) if d.id == scope else d for d in self.doctors
            ]

    @rx.event
    def add_period(self, scope: str, weekday: str) -> None:
        """Another period on a day (saved with the form, like every other change)."""
        self._set_week(
            scope,
            [
                dataclasses.replace(day, periods=[*day.periods, new_period(day.periods)])
                if day.weekday == weekday
                else day
                for day in self._week(scope)
            ],
        )

    @rx.event
    def remove_period(self, scope: str, weekday: str, period_id: str) -> None:
        self._set_week(
            scope,
            [
                dataclasses.replace(day, periods=[p for p in day.periods if p.id != period_id])
                if day.weekday == weekday
                else day
                for day in self._week(scope)
            ],
        )
