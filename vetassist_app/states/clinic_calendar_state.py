"""Settings → Festivos y guardias: clinic closures and the emergency on-call rota."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import reflex as rx

from backend.domain.errors import ValidationFailed
from backend.services.scheduling import closures, on_call
from backend.services.scheduling.availability import read_bookable_doctors
from vetassist_app import routes
from vetassist_app.formatting import WEEKDAYS, local, long_date
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.session_state import SessionState

DATE_FIELD = "closure"


@dataclass
class ClosureRow:
    id: str = ""
    days: str = ""
    hours: str = ""
    reason: str = ""


@dataclass
class ShiftRow:
    id: str = ""
    day: str = ""
    hours: str = ""
    doctor: str = ""


@dataclass
class DoctorOption:
    id: str = ""
    name: str = ""


def _day(raw: Any, field: str) -> date | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"'{text}' is not a date", field=field) from None


def _time(raw: Any, field: str) -> time | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"'{text}' is not a time", field=field) from None


def closure_rows(viewer: Viewer) -> list[ClosureRow]:
    rows = []
    tz = viewer.timezone
    for c in closures.upcoming_closures(viewer.tenant_id):
        start, end = local(c.start_at, tz), local(c.end_at, tz)
        if c.all_day:
            last = (end - timedelta(seconds=1)).date()
            days = long_date(start.date())
            if last != start.date():
                days = f"{long_date(start.date())} al {long_date(last)}"
            hours = "Todo el día"
        else:
            days = long_date(start.date())
            hours = f"{start:%H:%M}–{'24:00' if end.date() > start.date() else f'{end:%H:%M}'}"
        rows.append(
            ClosureRow(id=str(c.id), days=days.capitalize(), hours=hours, reason=c.reason or "")
        )
    return rows


def shift_rows(viewer: Viewer) -> list[ShiftRow]:
    return [
        ShiftRow(
            id=str(s.id),
            day=(
                f"Cada {WEEKDAYS[s.weekday]}"
                if s.weekday is not None
                else long_date(s.on_date).capitalize()
                if s.on_date
                else ""
            ),
            hours=f"{s.start}–{s.end}",
            doctor=s.doctor_name,
        )
        for s in on_call.rota_of(viewer.tenant_id)
    ]


def add_closure(viewer: Viewer, form: dict[str, Any]) -> None:
    first = _day(form.get("first_day"), DATE_FIELD)
    if first is None:
        raise ValidationFailed("the closure needs a first day", field=DATE_FIELD)
    start, end = _time(form.get("start"), DATE_FIELD), _time(form.get("end"), DATE_FIELD)
    closures.add_closure(
        tenant_id=viewer.tenant_id,
        first_day=first,
        last_day=_day(form.get("last_day"), DATE_FIELD),
        start=start,
        end=end if start is not None else None,
        reason=str(form.get("reason", "")),
    )


def add_shift(viewer: Viewer, form: dict[str, Any]) -> None:
    day = str(form.get("day", "") or "")
    on_date = _day(form.get("on_date"), "onCallDate")
    end = str(form.get("end", "") or "")
    on_call.add_shift(
        tenant_id=viewer.tenant_id,
        doctor_id=parse_id(str(form.get("doctor_id", ""))),
        weekday=int(day) if day.isdigit() and on_date is None else None,
        on_date=on_date,
        start=str(form.get("start", "") or ""),
        end="24:00" if end in ("00:00", "") else end,
    )


class ClinicCalendarState(SessionState):
    closures: rx.Field[list[ClosureRow]] = rx.field(default_factory=list)
    shifts: rx.Field[list[ShiftRow]] = rx.field(default_factory=list)
    doctor_options: rx.Field[list[DoctorOption]] = rx.field(default_factory=list)
    form_key: rx.Field[int] = rx.field(0)

    def _load(self, viewer: Viewer) -> None:
        self.closures = closure_rows(viewer)
        self.shifts = shift_rows(viewer)
        self.doctor_options = [
            DoctorOption(id=str(d.id), name=d.full_name)
            for d in read_bookable_doctors(tenant_id=viewer.tenant_id)
        ]

    def _save(self, action: Any, message: str) -> Any:
        def run(viewer: Viewer) -> Any:
            action(viewer)
            self._load(viewer)
            self.form_key += 1
            return rx.toast.success(message)

        return self._run(routes.MANAGEMENT, run)

    @rx.event
    def open_calendar(self) -> Any:
        return self._run(routes.MANAGEMENT, self._load)

    @rx.event
    def add_closure(self, form: dict[str, Any]) -> Any:
        return self._save(
            lambda v: add_closure(v, form), "Cierre registrado: nadie agenda ese día."
        )

    @rx.event
    def remove_closure(self, closure_id: str) -> Any:
        return self._save(
            lambda v: closures.remove_closure(
                tenant_id=v.tenant_id, closure_id=parse_id(closure_id)
            ),
            "Cierre eliminado.",
        )

    @rx.event
    def add_shift(self, form: dict[str, Any]) -> Any:
        return self._save(lambda v: add_shift(v, form), "Guardia agregada.")

    @rx.event
    def remove_shift(self, shift_id: str) -> Any:
        return self._save(
            lambda v: on_call.remove_shift(tenant_id=v.tenant_id, shift_id=parse_id(shift_id)),
            "Guardia eliminada.",
        )
