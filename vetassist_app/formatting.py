"""Spanish labels and clinic-time formatting shared by the portal's states.

Everything is stored in UTC; the portal shows it in the clinic's IANA zone.
Weekday and month names come from `backend.domain.spanish_dates`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers

from backend.domain import spanish_dates
from backend.domain.appointment_rules import SOURCE_LABELS, STATUS_LABELS
from backend.domain.language.emergency import CATEGORY_LABELS

# Re-exported: the states index them by weekday.
from backend.domain.spanish_dates import WEEKDAYS as WEEKDAYS
from backend.domain.spanish_dates import WEEKDAYS_SHORT as WEEKDAYS_SHORT

APPOINTMENT_STATUS = STATUS_LABELS
STATUS_COLOR = {  # Radix color scales
    "pending": "amber",
    "confirmed": "teal",
    "completed": "blue",
    "cancelled": "gray",
    "no_show": "orange",
}
SOURCE_LABEL = SOURCE_LABELS
PROCEDURE_LABEL = {"consultation": "Consulta", "vaccination": "Vacunación", "surgery": "Cirugía"}
ROLE_LABEL = {
    "doctor": "Veterinario/a",
    "manager": "Gerencia",
    "support": "Soporte",
    "admin": "Administración",
}
EMERGENCY_STATUS = {
    "active": "Activa",
    "acknowledged": "En atención",
    "resolved": "Resuelta",
    "false_alarm": "Falsa alarma",
}
EMERGENCY_COLOR = {
    "active": "red",
    "acknowledged": "amber",
    "resolved": "green",
    "false_alarm": "gray",
}
CONVERSATION_STATE = {
    "IDLE": "Inactiva",
    "GREETING": "Saludo",
    "INTENT_DETECTION": "Entendiendo el motivo",
    "ASK_REASON": "Preguntando el motivo",
    "OFFER_SLOTS": "Ofreciendo horarios",
    "AWAIT_SELECTION": "Eligiendo horario",
    "CONFIRM_BOOKING": "Confirmando la cita",
    "CONFIRM_EMERGENCY": "Verificando emergencia",
    "ESCALATE": "Emergencia escalada",
    "COLLECT_STATUS": "Seguimiento",
    "COMPLETED": "Completada",
    "REMINDER": "Recordatorio enviado",
    "CLOSED": "Cerrada",
    "HUMAN": "Atendida por el equipo",
}
FOLLOW_UP_STATUS = {
    "pending": "Programado",
    "sent": "Enviado",
    "responded": "Respondido",
    "escalated": "Escalado",
    "cancelled": "Cancelado",
    "failed": "Fallido",
}
FOLLOW_UP_COLOR = {
    "pending": "gray",
    "sent": "blue",
    "responded": "green",
    "escalated": "red",
    "cancelled": "gray",
    "failed": "orange",
}
EMERGENCY_CATEGORY = {
    **CATEGORY_LABELS,  # every category the detector knows; the portal's shorter names below
    "poisoning": "Intoxicación",
    "breathing": "Dificultad respiratoria",
    "seizures": "Convulsiones",
    "trauma": "Trauma",
    "birth": "Parto",
    "bleeding": "Sangrado",
}
SPECIES_EMOJI = {"perro": "🐶", "gato": "🐱", "ave": "🐦", "conejo": "🐰"}


def zone(tz_name: str) -> ZoneInfo:
    return ZoneInfo(tz_name)


def local(value: datetime, tz_name: str) -> datetime:
    return value.astimezone(ZoneInfo(tz_name))


def hhmm(value: datetime, tz_name: str) -> str:
    return local(value, tz_name).strftime("%H:%M")


def time_range(start: datetime, end: datetime, tz_name: str) -> str:
    return f"{hhmm(start, tz_name)}–{hhmm(end, tz_name)}"


def long_date(day: date) -> str:
    """'jueves 28 de enero de 2027'."""
    return spanish_dates.long_date(day, with_year=True)


def short_date(day: date) -> str:
    """'jue 28 ene'."""
    return spanish_dates.short_date(day)


def date_time(value: datetime | None, tz_name: str) -> str:
    """'jue 28 ene, 10:30' in the clinic's zone ('' for None)."""
    if value is None:
        return ""
    moment = local(value, tz_name)
    return f"{short_date(moment.date())}, {moment.strftime('%H:%M')}"


def week_range(monday: date) -> str:
    """'25 – 31 ene 2027' (or across months: '29 mar – 4 abr 2027')."""
    sunday = monday + timedelta(days=6)
    end = spanish_dates.day_month(sunday, with_year=True)
    if monday.month == sunday.month:
        return f"{monday.day} – {end}"
    return f"{spanish_dates.day_month(monday)} – {end}"


def since(value: datetime | None, now: datetime) -> str:
    """'hace 4 min', 'hace 2 h', 'hace 3 días' ('' for None)."""
    if value is None:
        return ""
    seconds = max(0, int((now - value).total_seconds()))
    if seconds < 60:
        return "hace un momento"
    minutes = seconds // 60
    if minutes < 60:
        return f"hace {minutes} min"
    hours = minutes // 60
    if hours < 24:
        return f"hace {hours} h {minutes % 60:02d} min" if hours < 3 else f"hace {hours} h"
    days = hours // 24
    return "hace 1 día" if days == 1 else f"hace {days} días"


def chat_time(value: datetime | None, now: datetime, tz_name: str) -> str:
    """WhatsApp-style: the time today, 'ayer', or the short date."""
    if value is None:
        return ""
    moment = local(value, tz_name)
    today = local(now, tz_name).date()
    if moment.date() == today:
        return moment.strftime("%H:%M")
    if moment.date() == today - timedelta(days=1):
        return "ayer"
    return spanish_dates.day_month(moment.date())


def phone_display(phone: str | None) -> str:
    """'+57 300 111 2233' for Colombian mobiles; others in the international format
    ('+1 202-555-0147'), or as stored when they do not parse."""
    if not phone:
        return ""
    compact = phone.replace(" ", "")
    if compact.startswith("+57") and len(compact) == 13:
        return f"+57 {compact[3:6]} {compact[6:9]} {compact[9:]}"
    try:
        number = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def pet_label(name: str | None, species: str | None) -> str:
    if not name:
        return ""
    emoji = SPECIES_EMOJI.get((species or "").lower(), "🐾")
    return f"{emoji} {name}"


def plural(count: int, one: str, many: str) -> str:
    """ "1 cita", "2 citas", "0 citas"."""
    return f"{count} {one if count == 1 else many}"


def no_shows_label(count: int) -> str:
    """ "1 inasistencia", "2 inasistencias"; "" for none (nothing to warn about)."""
    return plural(count, "inasistencia", "inasistencias") if count else ""
