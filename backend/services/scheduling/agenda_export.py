"""The agenda on paper and in a spreadsheet: a doctor's day to print, a range as CSV.

Both read through `calendar_view.period`, the calendar's own read, so what is
printed or exported is what the calendar shows, in the clinic's time zone.
The CSV is for Excel and Google Sheets as a clinic opens them: UTF-8 with a
byte-order mark, and any cell a client wrote that starts like a formula
(=, +, -, @) is quoted as text so opening the file never runs it.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from backend.domain import spanish_dates
from backend.domain.appointment_rules import SOURCE_LABELS, STATUS_LABELS
from backend.domain.errors import ValidationFailed
from backend.services.scheduling import calendar_view
from backend.services.scheduling.calendar_view import AppointmentView

MAX_EXPORT_DAYS = 93
"""About a quarter: enough for a report, bounded so one click never reads years."""

CSV_COLUMNS = (
    "Fecha",
    "Inicio",
    "Fin",
    "Veterinario",
    "Cliente",
    "Teléfono",
    "Mascota",
    "Especie",
    "Servicio",
    "Motivo",
    "Estado",
    "Prioridad",
    "Origen",
)


@dataclass(frozen=True)
class SheetRow:
    time: str  # "09:30 – 10:00"
    client: str
    phone: str
    pet: str
    service: str
    reason: str
    status: str
    emergency: bool


@dataclass(frozen=True)
class DaySheet:
    """One doctor's day as printed."""

    doctor_id: uuid.UUID
    doctor: str
    day_label: str  # "Martes 1 de diciembre de 2026"
    rows: list[SheetRow]


def _pet(view: AppointmentView) -> str:
    if not view.pet_name:
        return (view.pet_species or "").capitalize()
    return f"{view.pet_name} ({view.pet_species})" if view.pet_species else view.pet_name


def _row(view: AppointmentView, zone: ZoneInfo) -> SheetRow:
    start, end = view.start_at.astimezone(zone), view.end_at.astimezone(zone)
    return SheetRow(
        time=f"{start:%H:%M} – {end:%H:%M}",
        client=view.client_name or "Sin nombre",
        phone=view.client_phone,
        pet=_pet(view),
        service=view.service_name or "",
        reason=view.reason or "",
        status=STATUS_LABELS.get(view.status, view.status),
        emergency=view.priority == "emergency",
    )


def day_sheets(
    *,
    tenant_id: uuid.UUID,
    day: date,
    doctor_id: uuid.UUID | None = None,
    whole_team: bool = False,
    preferred_doctor_id: uuid.UUID | None = None,
) -> list[DaySheet]:
    """The day of one doctor (the one asked for, else as the calendar picks), or of every
    doctor, one sheet each; cancelled appointments are left out."""
    period = calendar_view.period(
        tenant_id=tenant_id,
        days=[day],
        doctor_id=doctor_id,
        whole_team=whole_team,
        preferred_doctor_id=preferred_doctor_id,
    )
    zone = ZoneInfo(period.timezone)
    names = {card.id: card.full_name for card in period.doctors}
    label = spanish_dates.long_date(day, with_year=True).capitalize()
    return [
        DaySheet(
            doctor_id=doctor,
            doctor=names.get(doctor, ""),
            day_label=label,
            rows=[_row(v, zone) for v in period.appointments if v.doctor_id == doctor],
        )
        for doctor in period.shown
    ]


def _cell(value: str) -> str:
    """Text a spreadsheet would read as a formula is kept as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def agenda_csv(
    *,
    tenant_id: uuid.UUID,
    first: date,
    last: date,
    doctor_id: uuid.UUID | None = None,
    whole_team: bool = True,
    include_cancelled: bool = False,
) -> str:
    """The appointments from `first` to `last` (local days, both included) as CSV text.

    Raises:
        ValidationFailed: `last` before `first`, or more than MAX_EXPORT_DAYS days.
        NotFound: a doctor of another clinic.
    """
    if last < first:
        raise ValidationFailed("the range ends before it starts", field="last")
    if (last - first).days + 1 > MAX_EXPORT_DAYS:
        raise ValidationFailed(f"export at most {MAX_EXPORT_DAYS} days at a time", field="last")
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    period = calendar_view.period(
        tenant_id=tenant_id,
        days=days,
        doctor_id=doctor_id,
        whole_team=whole_team and doctor_id is None,
        include_cancelled=include_cancelled,
    )
    zone = ZoneInfo(period.timezone)
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 (accents) only with the mark
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for view in period.appointments:
        start, end = view.start_at.astimezone(zone), view.end_at.astimezone(zone)
        writer.writerow(
            [
                start.date().isoformat(),
                f"{start:%H:%M}",
                f"{end:%H:%M}",
                _cell(view.doctor_name),
                _cell(view.client_name or ""),
                view.client_phone,
                _cell(view.pet_name or ""),
                _cell(view.pet_species or ""),
                _cell(view.service_name or ""),
                _cell(view.reason or ""),
                STATUS_LABELS.get(view.status, view.status),
                "Emergencia" if view.priority == "emergency" else "Normal",
                SOURCE_LABELS.get(view.source, view.source),
            ]
        )
    return out.getvalue()
