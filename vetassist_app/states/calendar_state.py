"""The calendar: day and week of one doctor, or every doctor side by side for a day.

`build_calendar` does the work (reads through the backend services, lays the
blocks out in pixels in the clinic's zone); `CalendarState` only checks who
is asking and keeps the result for the page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.domain.availability import working_intervals
from backend.domain.errors import NotFound
from backend.domain.intervals import Interval
from backend.services.scheduling import calendar_view
from backend.services.scheduling.availability import (
    bookable_doctors,
    find_free_slots,
    rules_for,
    schedules_for,
)
from backend.services.scheduling.calendar_view import AppointmentView
from vetassist_app import routes
from vetassist_app.formatting import (
    APPOINTMENT_STATUS,
    WEEKDAYS_SHORT,
    hhmm,
    long_date,
    short_date,
    week_range,
)
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.session_state import SessionState
from vetassist_app.styles import PX_PER_MINUTE

VIEWS = ("dia", "semana", "equipo")

TONED_STATUSES = frozenset({"pending", "confirmed", "completed", "no_show", "cancelled"})


@dataclass
class CalendarBlock:
    """One appointment drawn in a column, positioned in pixels and percent."""

    id: str = ""
    top: str = "0px"
    height: str = "0px"
    left: str = "0%"
    width: str = "100%"
    time_label: str = ""
    range_label: str = ""
    client: str = ""
    pet: str = ""
    reason: str = ""
    status: str = ""
    status_label: str = ""
    css: str = "va-block"  # tone by status (portal.css); emergencies stand out
    emergency: bool = False
    sync_failed: bool = False
    sync_error: str = ""
    compact: bool = False


@dataclass
class FreeCell:
    """A bookable empty slot; clicking it starts a new appointment there."""

    doctor_id: str = ""
    start_iso: str = ""
    top: str = "0px"
    height: str = "0px"
    label: str = ""


@dataclass
class Shade:
    """Time nobody can book: outside working hours, or time off."""

    top: str = "0px"
    height: str = "0px"
    label: str = ""
    kind: str = "off"  # off, time_off


@dataclass
class CalendarColumn:
    key: str = ""
    title: str = ""
    subtitle: str = ""
    accent: str = ""
    is_today: bool = False
    doctor_id: str = ""
    day_iso: str = ""
    count_label: str = ""
    blocks: list[CalendarBlock] = field(default_factory=list)
    free: list[FreeCell] = field(default_factory=list)
    shades: list[Shade] = field(default_factory=list)


@dataclass
class HourMark:
    label: str = ""
    top: str = "0px"


@dataclass
class DoctorOption:
    id: str = ""
    name: str = ""
    color: str = ""
    speciality: str = ""


@dataclass
class CalendarData:
    view: str
    anchor: date
    doctor_id: str
    title: str
    subtitle: str
    doctors: list[DoctorOption]
    columns: list[CalendarColumn]
    hours: list[HourMark]
    grid_height: int
    first_hour: int
    last_hour: int
    now_top: str
    window: tuple[datetime, datetime]
    shown_doctors: list[str]
    marker: int
    total: int
    sync_failures: int
    emergencies: int


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def lanes(intervals: list[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
    """(lane, lanes in its overlap group) for intervals sorted by start.

    Overlapping appointments (an emergency squeezed in, a cancelled one under
    its replacement) sit side by side instead of on top of each other.
    """
    result: list[tuple[int, int]] = []
    group: list[int] = []
    lane_ends: list[datetime] = []
    group_end: datetime | None = None
    for start, end in intervals:
        if group_end is not None and start >= group_end:
            width = len(lane_ends)
            for index in group:
                result[index] = (result[index][0], width)
            group, lane_ends, group_end = [], [], None
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= start:
                lane_ends[lane] = end
                break
        else:
            lane = len(lane_ends)
            lane_ends.append(end)
        result.append((lane, 0))
        group.append(len(result) - 1)
        group_end = end if group_end is None else max(group_end, end)
    width = len(lane_ends)
    for index in group:
        result[index] = (result[index][0], width)
    return result


def _px(minutes: float) -> str:
    return f"{round(minutes * PX_PER_MINUTE)}px"


def _minutes_from(origin: datetime, moment: datetime) -> float:
    return (moment - origin).total_seconds() / 60


def _block(
    view: AppointmentView,
    *,
    origin: datetime,
    end_of_grid: datetime,
    lane: int,
    width: int,
    tz: str,
) -> CalendarBlock:
    start = max(view.start_at, origin)
    end = min(view.end_at, end_of_grid)
    minutes = max(_minutes_from(start, end), 12)
    emergency = view.priority == "emergency"
    tone = view.status if view.status in TONED_STATUSES else "pending"
    css = f"va-block va-tone-{tone}" + (" va-tone-emergency" if emergency else "")
    share = 100 / max(width, 1)
    sync_failed = view.calendar_sync_ok is False
    return CalendarBlock(
        id=str(view.id),
        top=_px(_minutes_from(origin, start)),
        height=f"{max(round(minutes * PX_PER_MINUTE) - 2, 16)}px",
        left=f"calc({share * lane:.3f}% + 2px)",
        width=f"calc({share:.3f}% - 4px)",
        time_label=hhmm(view.start_at, tz),
        range_label=f"{hhmm(view.start_at, tz)}–{hhmm(view.end_at, tz)}",
        client=view.client_name or view.client_phone,
        pet=view.pet_name or "",
        reason=view.reason or "",
        status=view.status,
        status_label=APPOINTMENT_STATUS.get(view.status, view.status),
        css=css,
        emergency=emergency,
        sync_failed=sync_failed,
        sync_error=(view.calendar_sync_error or "error desconocido") if sync_failed else "",
        compact=minutes < 25,
    )


def _shades(
    intervals: list[Interval], origin: datetime, end_of_grid: datetime, kind: str, label: str
) -> list[Shade]:
    shades = []
    for interval in intervals:
        start = max(interval.start, origin)
        end = min(interval.end, end_of_grid)
        if end <= start:
            continue
        shades.append(
            Shade(
                top=_px(_minutes_from(origin, start)),
                height=_px(_minutes_from(start, end)),
                label=label,
                kind=kind,
            )
        )
    return shades


def _off_hours(working: list[Interval], origin: datetime, end_of_grid: datetime) -> list[Interval]:
    gaps = []
    cursor = origin
    for interval in sorted(working, key=lambda i: i.start):
        if interval.start > cursor:
            gaps.append(Interval(cursor, min(interval.start, end_of_grid)))
        cursor = max(cursor, interval.end)
    if cursor < end_of_grid:
        gaps.append(Interval(cursor, end_of_grid))
    return [g for g in gaps if g.end > g.start]


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
    tz_name = viewer.timezone
    zone = ZoneInfo(tz_name)
    today = now.astimezone(zone).date()
    with session_scope() as session:
        tenant = viewer.tenant(session)
        doctor_cards = calendar_view.doctors(session, viewer.tenant_id)
        options = [
            DoctorOption(
                id=str(d.id),
                name=d.full_name,
                color=d.color or "#0d9488",
                speciality=d.speciality or "",
            )
            for d in doctor_cards
        ]
        by_id = {str(d.id): d for d in doctor_cards}
        if doctor_id:
            chosen = str(parse_id(doctor_id))
            if chosen not in by_id:
                raise NotFound("doctor not found", field="doctorId")
        elif viewer.role == "doctor" and str(viewer.user_id) in by_id:
            chosen = str(viewer.user_id)
        else:
            chosen = options[0].id if options else ""

        if view == "semana":
            days = [week_start(anchor) + timedelta(days=i) for i in range(7)]
        else:
            days = [anchor]
        if view == "equipo":
            shown_doctors = [d.id for d in doctor_cards]
        else:
            shown_doctors = [uuid.UUID(chosen)] if chosen else []

        first_hour, last_hour = calendar_view.visible_hours(session, tenant, shown_doctors, days)
        range_start, range_end = calendar_view.local_day_bounds(tenant, days[0], days[-1])
        appointments = calendar_view.appointments_between(
            session,
            viewer.tenant_id,
            range_start,
            range_end,
            doctor_ids=shown_doctors,
            include_cancelled=show_cancelled,
        )
        # Stretch the grid to include anything booked outside the usual hours.
        for item in appointments:
            local_start = item.start_at.astimezone(zone)
            local_end = item.end_at.astimezone(zone)
            first_hour = min(first_hour, local_start.hour)
            if local_end.date() == local_start.date():
                last_hour = max(last_hour, local_end.hour + (1 if local_end.minute else 0))
        last_hour = max(last_hour, first_hour + 1)

        free_by_key: dict[tuple[str, date], list[FreeCell]] = {}
        if viewer.can(routes.CLINICAL) and shown_doctors and days[-1] >= today:
            staff = [
                d for d in bookable_doctors(session, viewer.tenant_id) if d.id in shown_doctors
            ]
            for slot in find_free_slots(
                session,
                tenant=tenant,
                doctors=staff,
                start_day=max(days[0], today),
                end_day=days[-1],
                now=now,
                limit=None,
            ):
                local_start = slot.start.astimezone(zone)
                origin = datetime.combine(local_start.date(), time(first_hour), zone)
                free_by_key.setdefault((str(slot.doctor_id), local_start.date()), []).append(
                    FreeCell(
                        doctor_id=str(slot.doctor_id),
                        start_iso=slot.start.isoformat(),
                        top=_px(_minutes_from(origin, slot.start) + 1),
                        height=_px(_minutes_from(slot.start, slot.end) - 2),
                        label=f"+ {local_start.strftime('%H:%M')}",
                    )
                )
        schedules = schedules_for(session, shown_doctors)
        time_off = calendar_view.time_off_between(
            session, viewer.tenant_id, shown_doctors, range_start, range_end
        )
        marker = calendar_view.change_marker(session, viewer.tenant_id)
        rules = {doc: rules_for(schedule, tenant) for doc, schedule in schedules.items()}

    def column(doc_id: str, day: date, title: str, subtitle: str, accent: str) -> CalendarColumn:
        origin = datetime.combine(day, time(first_hour), zone)
        end_of_grid = datetime.combine(day, time(0), zone) + timedelta(hours=last_hour)
        items = [
            a
            for a in appointments
            if str(a.doctor_id) == doc_id
            and a.start_at < end_of_grid
            and a.end_at > origin
            and a.start_at.astimezone(zone).date() == day
        ]
        items.sort(key=lambda a: (a.start_at, a.status == "cancelled"))
        placed = lanes([(a.start_at, a.end_at) for a in items])
        blocks = [
            _block(
                a,
                origin=origin,
                end_of_grid=end_of_grid,
                lane=lane,
                width=width,
                tz=tz_name,
            )
            for a, (lane, width) in zip(items, placed, strict=True)
        ]
        doctor_uuid = uuid.UUID(doc_id)
        working = working_intervals(rules[doctor_uuid], day) if doctor_uuid in rules else []
        shades = _shades(_off_hours(working, origin, end_of_grid), origin, end_of_grid, "off", "")
        shades += _shades(
            time_off.get(doctor_uuid, []), origin, end_of_grid, "time_off", "Ausencia"
        )
        live = [a for a in items if a.status != "cancelled"]
        return CalendarColumn(
            key=f"{doc_id}:{day.isoformat()}",
            title=title,
            subtitle=subtitle,
            accent=accent,
            is_today=day == today,
            doctor_id=doc_id,
            day_iso=day.isoformat(),
            count_label=f"{len(live)} cita{'s' if len(live) != 1 else ''}",
            blocks=blocks,
            free=free_by_key.get((doc_id, day), []),
            shades=shades,
        )

    columns: list[CalendarColumn] = []
    if view == "equipo":
        for option in options:
            columns.append(column(option.id, anchor, option.name, option.speciality, option.color))
        title = long_date(anchor).capitalize()
        subtitle = "Todo el equipo"
    elif chosen:
        doctor = by_id[chosen]
        color = doctor.color or "#0d9488"
        for day in days:
            columns.append(
                column(
                    chosen,
                    day,
                    f"{WEEKDAYS_SHORT[day.weekday()].capitalize()} {day.day}",
                    short_date(day) if view == "dia" else "",
                    color,
                )
            )
        if view == "semana":
            title = week_range(days[0])
        else:
            title = long_date(anchor).capitalize()
        subtitle = doctor.full_name
    else:
        title, subtitle = long_date(anchor).capitalize(), "Sin médicos activos"

    hours = [
        HourMark(label=f"{h:02d}:00", top=_px((h - first_hour) * 60))
        for h in range(first_hour, last_hour)
    ]
    live_items = [a for a in appointments if a.status != "cancelled"]
    return CalendarData(
        view=view,
        anchor=anchor,
        doctor_id=chosen,
        title=title,
        subtitle=subtitle,
        doctors=options,
        columns=columns,
        hours=hours,
        grid_height=round((last_hour - first_hour) * 60 * PX_PER_MINUTE),
        first_hour=first_hour,
        last_hour=last_hour,
        now_top=now_line(now, tz_name, first_hour, last_hour),
        window=(range_start, range_end),
        shown_doctors=[str(d) for d in shown_doctors],
        marker=marker,
        total=len(live_items),
        sync_failures=sum(1 for a in live_items if a.calendar_sync_ok is False),
        emergencies=sum(1 for a in live_items if a.priority == "emergency"),
    )


def now_line(now: datetime, tz_name: str, first_hour: int, last_hour: int) -> str:
    """Where today's columns draw the red "now" line ('' outside the hours shown)."""
    local_now = now.astimezone(ZoneInfo(tz_name))
    minutes = (local_now.hour - first_hour) * 60 + local_now.minute
    if 0 <= minutes < (last_hour - first_hour) * 60:
        return _px(minutes)
    return ""


def calendar_changes(
    viewer: Viewer, marker: int
) -> tuple[int, list[calendar_view.ChangedSpan] | None]:
    """Appointment changes of the viewer's clinic since `marker` (see `changes_since`)."""
    with session_scope() as session:
        return calendar_view.changes_since(session, viewer.tenant_id, marker)


class CalendarState(SessionState):
    """What the calendar page shows; reloads itself when appointments change."""

    view: str = "semana"
    anchor: str = ""
    doctor_id: str = ""
    title: str = ""
    subtitle: str = ""
    doctors: list[DoctorOption] = []
    columns: list[CalendarColumn] = []
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
        return self._run(None, self._reload_or_reset)

    @rx.event
    def reload(self) -> Any:
        return self._run(None, self._reload_or_reset)

    @rx.event
    def set_view(self, view: str | list[str]) -> Any:
        chosen = view[0] if isinstance(view, list) and view else view
        self.view = chosen if isinstance(chosen, str) and chosen in VIEWS else "semana"
        return self._run(None, self._reload_or_reset)

    @rx.event
    def set_doctor(self, doctor_id: str) -> Any:
        self.doctor_id = doctor_id
        if self.view == "equipo":
            self.view = "semana"
        return self._run(None, self._reload_or_reset)

    @rx.event
    def open_column(self, doctor_id: str, day_iso: str) -> Any:
        """A column header: a doctor (team view) or a day (week view) on its own."""
        if self.view == "equipo":
            self.doctor_id = doctor_id
        self.anchor = day_iso
        self.view = "dia"
        return self._run(None, self._reload_or_reset)

    @rx.event
    def toggle_cancelled(self, value: bool) -> Any:
        self.show_cancelled = bool(value)
        return self._run(None, self._reload_or_reset)

    def _move(self, viewer: Viewer, direction: int) -> None:
        step = 7 if self.view == "semana" else 1
        self.anchor = (self._anchor_date(viewer) + timedelta(days=step * direction)).isoformat()
        self._reload_or_reset(viewer)

    @rx.event
    def previous(self) -> Any:
        return self._run(None, lambda viewer: self._move(viewer, -1))

    @rx.event
    def next(self) -> Any:
        return self._run(None, lambda viewer: self._move(viewer, 1))

    @rx.event
    def today(self) -> Any:
        self.anchor = ""
        return self._run(None, self._reload_or_reset)

    @rx.event
    def go_to(self, day_iso: str) -> Any:
        def run(viewer: Viewer) -> None:
            try:
                date.fromisoformat(day_iso)
            except ValueError:
                return
            self.anchor = day_iso
            self._reload_or_reset(viewer)

        return self._run(None, run)

    def _live(self, viewer: Viewer) -> None:
        """Every few seconds while the page is open: rebuild only if a change touches the view."""
        now = utcnow()
        minute = now.strftime("%Y%m%d%H%M")
        newest, spans = calendar_changes(viewer, self._marker)
        if newest != self._marker and (spans is None or any(self._shows(s) for s in spans)):
            self._reload_or_reset(viewer)
            return
        self._marker = newest
        if minute != self._now_minute:
            self._now_minute = minute
            top = now_line(now, viewer.timezone, *self._hours)
            if top != self.now_top:
                self.now_top = top

    def _shows(self, span: calendar_view.ChangedSpan) -> bool:
        if not self._window[0]:
            return True
        start, end = (datetime.fromisoformat(v) for v in self._window)
        doctors = {uuid.UUID(d) for d in self._shown}
        return span.start < end and span.end > start and bool(span.doctor_ids & doctors)
