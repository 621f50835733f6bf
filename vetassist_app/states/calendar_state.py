"""The calendar: day and week of one doctor, every doctor side by side for a day or a
week, or the week as a list. The address keeps the view, doctor and date
(`agenda_url`), so a reload or "back" returns to the same place.

`build_calendar` reads the days shown with one service call
(`calendar_view.period`) and lays them out with the pure
`calendar_layout.lay_out`; `CalendarState` only checks who is asking and
keeps the result for the page. After a change (this tab's action, or anyone's,
seen by the live updates) `CalendarState` reads and lays out again only the
days the change touched (`_catch_up`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import reflex as rx

from backend.core.clock import utcnow
from backend.domain.errors import NotFound
from backend.services.scheduling import agenda_export, calendar_view
from vetassist_app import routes
from vetassist_app.calendar_layout import (
    TEAM_VIEWS,
    VIEWS,
    WEEK_VIEWS,
    CalendarColumn,
    CalendarData,
    DoctorOption,
    HourMark,
    ListDay,
    days_shown,
    lay_out,
    lay_out_part,
    now_line,
    totals,
)
from vetassist_app.calendar_layout import lanes as lanes  # re-exported for its callers
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.session_state import SessionState


def build_calendar(
    viewer: Viewer,
    *,
    view: str,
    anchor: date,
    doctor_id: str | None,
    show_cancelled: bool = False,
    now: datetime | None = None,
) -> CalendarData:
    """Everything the calendar page draws, for the viewer's clinic only.

    `doctor_id` picks the doctor of the day and week views (a doctor's own
    calendar by default); an id of another clinic is refused as unknown.
    """
    now = now or utcnow()
    view = view if view in VIEWS else "semana"
    period = calendar_view.period(
        tenant_id=viewer.tenant_id,
        days=days_shown(view, anchor),
        doctor_id=parse_id(doctor_id) if doctor_id else None,
        whole_team=view in TEAM_VIEWS,
        preferred_doctor_id=viewer.user_id if viewer.role == "doctor" else None,
        include_cancelled=show_cancelled,
        with_free_slots=viewer.can(routes.CLINICAL),
        now=now,
    )
    return lay_out(period, view=view, anchor=anchor, now=now)


PHONE_WIDTH = 768  # px: below it the portal is laid out for a phone (portal.css)

SHORTCUT_VIEWS = {"d": "dia", "s": "semana", "e": "equipo", "E": "semana-equipo", "l": "lista"}
"""Keys of the agenda page (the agenda script, calendar_editing.js in assets,) and the view each one opens."""


def agenda_url(view: str, anchor: str, doctor_id: str) -> str:
    """The address of what is on screen, so a reload or "back" returns to it."""
    params = {"vista": view, "fecha": anchor}
    if doctor_id and view not in TEAM_VIEWS:
        params["doctor"] = doctor_id
    return f"{routes.AGENDA}?{urlencode(params)}"


class CalendarState(SessionState):
    """What the calendar page shows; reloads itself when appointments change."""

    view: str = "semana"
    anchor: str = ""
    doctor_id: str = ""
    title: str = ""
    subtitle: str = ""
    doctors: list[DoctorOption] = []
    columns: list[CalendarColumn] = []
    list_days: list[ListDay] = []
    hours: list[HourMark] = []
    grid_height: str = "600px"
    show_cancelled: bool = False
    total: int = 0
    sync_failures: int = 0
    emergencies: int = 0
    now_top: str = ""
    loaded: bool = False
    _marker: int = -1
    _now_minute: str = ""
    _hours: tuple[int, int] = (8, 18)
    _window: tuple[str, str] = ("", "")
    _shown: list[str] = []

    @rx.var(cache=True)
    def can_edit(self) -> bool:
        return self.user_role in routes.CLINICAL

    @rx.var(cache=True)
    def print_href(self) -> str:
        """The printed day of the date shown: this doctor's, or every doctor's in the team view."""
        doctor = "todos" if self.view in TEAM_VIEWS or not self.doctor_id else self.doctor_id
        return f"{routes.AGENDA_PRINT}?doctor={doctor}&fecha={self.anchor}"

    @rx.var(cache=True)
    def column_count(self) -> int:
        return len(self.columns)

    def _anchor_date(self, viewer: Viewer) -> date:
        try:
            return date.fromisoformat(self.anchor)
        except ValueError:
            return utcnow().astimezone(ZoneInfo(viewer.timezone)).date()

    def _apply(self, data: CalendarData) -> None:
        """Sets only what changed: an unchanged grid is not sent to the browser again."""
        values: dict[str, Any] = {
            "view": data.view,
            "anchor": data.anchor.isoformat(),
            "doctor_id": data.doctor_id,
            "title": data.title,
            "subtitle": data.subtitle,
            "doctors": data.doctors,
            "columns": data.columns,
            "list_days": data.list_days,
            "hours": data.hours,
            "grid_height": f"{data.grid_height}px",
            "total": data.total,
            "sync_failures": data.sync_failures,
            "emergencies": data.emergencies,
            "now_top": data.now_top,
            "loaded": True,
        }
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)
        self._hours = (data.first_hour, data.last_hour)
        self._window = (data.window[0].isoformat(), data.window[1].isoformat())
        self._shown = data.shown_doctors
        self._marker = data.marker

    def _load(self, viewer: Viewer) -> None:
        now = utcnow()
        self._now_minute = now.strftime("%Y%m%d%H%M")
        self._apply(
            build_calendar(
                viewer,
                view=self.view,
                anchor=self._anchor_date(viewer),
                doctor_id=self.doctor_id or None,
                show_cancelled=self.show_cancelled,
                now=now,
            )
        )

    def _reload_or_reset(self, viewer: Viewer) -> None:
        """Reloads; a doctor id that is not (or no longer) valid falls back to the default."""
        try:
            self._load(viewer)
        except NotFound:
            self.doctor_id = ""
            self._load(viewer)

    @rx.event
    def open_page(self) -> Any:
        """on_load: reads ?vista=, ?fecha=, ?doctor= so a view can be linked to."""
        params = self.router.url.query_parameters
        if params.get("vista") in VIEWS:
            self.view = params["vista"]
        elif not self.loaded and self.user_role not in ("doctor", ""):
            self.view = "equipo"  # the front desk and the manager start with the whole team
        if params.get("fecha"):
            self.anchor = params["fecha"]
        if params.get("doctor"):
            self.doctor_id = params["doctor"]
        loaded = self._navigate(lambda viewer: None)
        if params.get("vista") in VIEWS or self.view != "semana":
            return loaded
        events = loaded if isinstance(loaded, list) else [loaded]
        fit = rx.call_script("window.innerWidth", callback=CalendarState.fit_screen)
        return [*(e for e in events if e is not None), fit]

    @rx.event
    def export_csv(self) -> Any:
        """The days on screen as a CSV download: the doctor shown, or the team."""

        def export(viewer: Viewer) -> Any:
            days = days_shown(self.view, self._anchor_date(viewer))
            text = agenda_export.agenda_csv(
                tenant_id=viewer.tenant_id,
                first=days[0],
                last=days[-1],
                doctor_id=parse_id(self.doctor_id)
                if self.view not in TEAM_VIEWS and self.doctor_id
                else None,
                include_cancelled=self.show_cancelled,
            )
            return rx.download(
                data=text, filename=f"agenda-{days[0]}-{days[-1]}.csv", mime_type="text/csv"
            )

        return self._run(None, export)

    @rx.event
    def fit_screen(self, width: int | float | str) -> Any:
        """A phone (under PHONE_WIDTH px) opens a doctor's calendar on one day: seven columns
        would not fit. A view asked for in the URL or picked since is left alone."""

        def fit(viewer: Viewer) -> None:
            try:
                narrow = float(width) < PHONE_WIDTH
            except (TypeError, ValueError):
                return
            if narrow and self.view == "semana":
                self.view = "dia"
                self._reload_or_reset(viewer)
                return self._url_event()
            return None

        return self._run(None, fit)

    @rx.event
    def reload(self) -> Any:
        return self._run(None, self._reload_or_reset)

    @rx.event
    def catch_up(self) -> Any:
        """After this tab changed an appointment: redraw the days that changed."""

        def redraw(viewer: Viewer) -> None:
            self._catch_up(viewer)

        return self._run(None, redraw)

    def _url_event(self) -> Any:
        """Writes the address of what is on screen into the address bar, without a reload
        and without a new history entry (the previous page stays one "back" away)."""
        url = json.dumps(agenda_url(self.view, self.anchor, self.doctor_id))
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {url})")

    def _navigate(self, change: Callable[[Viewer], None]) -> Any:
        """Applies a change of view, doctor or date, redraws, and updates the address."""

        def run(viewer: Viewer) -> Any:
            change(viewer)
            self._reload_or_reset(viewer)
            return self._url_event()

        return self._run(None, run)

    @rx.event
    def set_view(self, view: str | list[str]) -> Any:
        chosen = view[0] if isinstance(view, list) and view else view
        self.view = chosen if isinstance(chosen, str) and chosen in VIEWS else "semana"
        return self._navigate(lambda viewer: None)

    @rx.event
    def set_doctor(self, doctor_id: str) -> Any:
        self.doctor_id = doctor_id
        if self.view in TEAM_VIEWS:
            self.view = "semana"
        return self._navigate(lambda viewer: None)

    @rx.event
    def open_column(self, doctor_id: str, day_iso: str) -> Any:
        """A column header: a doctor (team view) or a day (week views) on its own."""
        if self.view == "equipo":
            self.doctor_id = doctor_id
        self.anchor = day_iso
        self.view = "dia"
        return self._navigate(lambda viewer: None)

    @rx.event
    def shortcut(self, key: str) -> Any:
        """A key pressed on the agenda page: d/s/e/E/l pick the view, t today, arrows move."""
        if key in SHORTCUT_VIEWS:
            self.view = SHORTCUT_VIEWS[key]
            return self._navigate(lambda viewer: None)
        if key == "t":
            self.anchor = ""
            return self._navigate(lambda viewer: None)
        if key in ("ArrowLeft", "ArrowRight"):
            return self._navigate(
                lambda viewer: self._step(viewer, -1 if key == "ArrowLeft" else 1)
            )
        return self._run(None, lambda viewer: None)  # another key: only the session check

    @rx.event
    def toggle_cancelled(self, value: bool) -> Any:
        self.show_cancelled = bool(value)
        return self._run(None, self._reload_or_reset)

    def _step(self, viewer: Viewer, direction: int) -> None:
        step = 7 if self.view in WEEK_VIEWS else 1
        self.anchor = (self._anchor_date(viewer) + timedelta(days=step * direction)).isoformat()

    @rx.event
    def previous(self) -> Any:
        return self._navigate(lambda viewer: self._step(viewer, -1))

    @rx.event
    def next(self) -> Any:
        return self._navigate(lambda viewer: self._step(viewer, 1))

    @rx.event
    def today(self) -> Any:
        self.anchor = ""
        return self._navigate(lambda viewer: None)

    @rx.event
    def go_to(self, day_iso: str) -> Any:
        try:
            date.fromisoformat(day_iso)
        except ValueError:  # a half-typed date: nothing to show yet, only the session check
            return self._run(None, lambda viewer: None)
        self.anchor = day_iso
        return self._navigate(lambda viewer: None)

    def _live(self, viewer: Viewer) -> None:
        """Every few seconds while the page is open: redraw what changed, move the now line."""
        now = utcnow()
        minute = now.strftime("%Y%m%d%H%M")
        if self._catch_up(viewer, now=now):
            return
        if minute != self._now_minute:
            self._now_minute = minute
            top = now_line(now, viewer.timezone, *self._hours)
            if top != self.now_top:
                self.now_top = top

    def _catch_up(self, viewer: Viewer, *, now: datetime | None = None) -> bool:
        """Brings the calendar up to the appointment changes made since it was drawn; True
        when it redrew anything.

        Only the days a change touches are read and laid out again; the whole calendar
        when changes are too many to say, or a changed day needs more hours than the grid.
        """
        newest, spans = calendar_view.changes_since(viewer.tenant_id, self._marker)
        if newest == self._marker:
            return False
        if spans is None or not self._shown or self.view in TEAM_VIEWS:
            if spans is None or any(self._shows(s) for s in spans):
                self._reload_or_reset(viewer)
                return True
            self._marker = newest
            return False
        days = sorted(
            {day for span in spans if self._shows(span) for day in self._days_of(span, viewer)}
        )
        if not days:
            self._marker = newest
            return False
        now = now or utcnow()
        try:
            period = calendar_view.period(
                tenant_id=viewer.tenant_id,
                days=days,
                doctor_id=uuid.UUID(self._shown[0]),
                include_cancelled=self.show_cancelled,
                with_free_slots=viewer.can(routes.CLINICAL),
                now=now,
            )
        except NotFound:  # the doctor shown is no longer one
            period = None
        columns = (
            None
            if period is None
            else lay_out_part(
                period,
                view=self.view,
                anchor=self._anchor_date(viewer),
                now=now,
                hours=self._hours,
            )
        )
        if columns is None:
            self._reload_or_reset(viewer)
            return True
        fresh = {column.key: column for column in columns}
        self.columns = [fresh.get(column.key, column) for column in self.columns]
        counted = totals(self.columns)
        self.total = counted.appointments
        self.sync_failures = counted.sync_failures
        self.emergencies = counted.emergencies
        self._marker = newest
        return True

    def _days_of(self, span: calendar_view.ChangedSpan, viewer: Viewer) -> list[date]:
        """The shown days a changed span lies on (an appointment sits in its start's column)."""
        zone = ZoneInfo(viewer.timezone)
        first = span.start.astimezone(zone).date()
        last = (span.end - timedelta(microseconds=1)).astimezone(zone).date()
        shown = {column.day_iso for column in self.columns}
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        return [day for day in days if day.isoformat() in shown]

    def _shows(self, span: calendar_view.ChangedSpan) -> bool:
        if not self._window[0]:
            return True
        start, end = (datetime.fromisoformat(v) for v in self._window)
        doctors = {uuid.UUID(d) for d in self._shown}
        return span.start < end and span.end > start and bool(span.doctor_ids & doctors)
