"""The printed day: `/agenda/imprimir?doctor=…&fecha=…` (or `doctor=todos`, one page each)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from backend.core.clock import utcnow
from backend.services.scheduling import agenda_export
from vetassist_app.formatting import phone_display
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.session_state import SessionState

EVERY_DOCTOR = "todos"


@dataclass
class PrintRow:
    time: str = ""
    client: str = ""
    phone: str = ""
    pet: str = ""
    service: str = ""
    reason: str = ""
    status: str = ""
    emergency: bool = False


@dataclass
class PrintSheet:
    doctor: str = ""
    day_label: str = ""
    rows: list[PrintRow] = field(default_factory=list)
    count_label: str = ""  # "1 cita", "3 citas"


def read_sheets(viewer: Viewer, doctor: str, day_iso: str) -> list[PrintSheet]:
    """The sheets asked for by the URL, in the viewer's clinic (today when no date)."""
    try:
        day = date.fromisoformat(day_iso)
    except ValueError:
        day = utcnow().astimezone(ZoneInfo(viewer.timezone)).date()
    sheets = agenda_export.day_sheets(
        tenant_id=viewer.tenant_id,
        day=day,
        doctor_id=parse_id(doctor) if doctor and doctor != EVERY_DOCTOR else None,
        whole_team=doctor == EVERY_DOCTOR,
        preferred_doctor_id=viewer.user_id if viewer.role == "doctor" else None,
    )
    return [
        PrintSheet(
            doctor=sheet.doctor,
            day_label=sheet.day_label,
            rows=[
                PrintRow(**{**vars(row), "phone": phone_display(row.phone)}) for row in sheet.rows
            ],
            count_label="1 cita" if len(sheet.rows) == 1 else f"{len(sheet.rows)} citas",
        )
        for sheet in sheets
    ]


class PrintState(SessionState):
    sheets: list[PrintSheet] = []
    printed_at: str = ""

    @rx.event
    def open_page(self) -> Any:
        params = self.router.url.query_parameters

        def load(viewer: Viewer) -> None:
            self.sheets = read_sheets(viewer, params.get("doctor", ""), params.get("fecha", ""))
            now = utcnow().astimezone(ZoneInfo(viewer.timezone))
            self.printed_at = f"{now:%d/%m/%Y %H:%M}"

        return self._run(None, load)
