"""The calendar's layout: a `CalendarPeriod` (plain data) to columns of positioned blocks.

Pure: no database, no clock, no Reflex. The clinic's zone, the grid's first
hour and `styles.PX_PER_MINUTE` decide where everything sits; overlapping
appointments share their column's width in lanes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from backend.domain.appointment_rules import RESCHEDULABLE
from backend.domain.calendar_sync_badge import sync_state
from backend.domain.intervals import Interval
from backend.services.scheduling.calendar_view import AppointmentView, CalendarPeriod
from vetassist_app.formatting import (
    APPOINTMENT_STATUS,
    WEEKDAYS_SHORT,
    hhmm,
    long_date,
    short_date,
    week_range,
)
from vetassist_app.styles import PX_PER_MINUTE

VIEWS = ("dia", "semana", "equipo", "semana-equipo", "lista")
TEAM_VIEWS = frozenset({"equipo", "semana-equipo", "lista"})
"""Views of every doctor at once (the others show one doctor)."""
WEEK_VIEWS = frozenset({"semana", "semana-equipo", "lista"})

TONED_STATUSES = frozenset({"pending", "confirmed", "completed", "no_show", "cancelled"})
DEFAULT_DOCTOR_COLOR = "#0d9488"


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
    sync_state: str = "off"  # off, pending, failed, ok, review (domain.calendar_sync_badge)
    review_reason: str = ""  # why a change made in Google waits for a person
    compact: bool = False
    doctor_id: str = ""
    accent: str = ""  # the doctor's colour, where several doctors share a column
    movable: bool = False  # pending or confirmed: it can be dragged to another time
    start_minute: int = 0  # local minutes since midnight, for the label while dragging
    end_minute: int = 0


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
    """Time nobody can book: outside working hours, time off, Google busy time, closures."""

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
class ListRow:
    """One appointment of the list view."""

    id: str = ""
    time_label: str = ""
    start_label: str = ""
    end_label: str = ""
    client: str = ""
    pet: str = ""
    reason: str = ""
    doctor: str = ""
    accent: str = ""
    status: str = ""
    status_label: str = ""
    emergency: bool = False


@dataclass
class ListDay:
    day_iso: str = ""
    title: str = ""
    count_label: str = ""
    is_today: bool = False
    rows: list[ListRow] = field(default_factory=list)


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
    list_days: list[ListDay] = field(default_factory=list)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def days_shown(view: str, anchor: date) -> list[date]:
    """The local days of a view: the week of `anchor` (Monday first), or `anchor` alone."""
    if view in WEEK_VIEWS:
        return [week_start(anchor) + timedelta(days=i) for i in range(7)]
    return [anchor]


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


def now_line(now: datetime, tz_name: str, first_hour: int, last_hour: int) -> str:
    """Where today's columns draw the red "now" line ('' outside the hours shown)."""
    local_now = now.astimezone(ZoneInfo(tz_name))
    minutes = (local_now.hour - first_hour) * 60 + local_now.minute
    if 0 <= minutes < (last_hour - first_hour) * 60:
        return _px(minutes)
    return ""


def _block(
    view: AppointmentView,
    *,
    origin: datetime,
    end_of_grid: datetime,
    lane: int,
    width: int,
    tz: str,
    accent: str = "",
) -> CalendarBlock:
    start = max(view.start_at, origin)
    end = min(view.end_at, end_of_grid)
    minutes = max(_minutes_from(start, end), 12)
    emergency = view.priority == "emergency"
    tone = view.status if view.status in TONED_STATUSES else "pending"
    css = f"va-block va-tone-{tone}" + (" va-tone-emergency" if emergency else "")
    share = 100 / max(width, 1)
    review = view.calendar_review_reason is not None
    sync_failed = view.calendar_sync_ok is False and not review
    sync = sync_state(
        sync_ok=view.calendar_sync_ok,
        event_id=view.calendar_event_id,
        synced_version=view.calendar_synced_version,
        version=view.version,
        needs_review=review,
    )
    local_start = view.start_at.astimezone(ZoneInfo(tz))
    start_minute = local_start.hour * 60 + local_start.minute
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
        reason=" · ".join(x for x in (view.service_name, view.reason) if x),
        status=view.status,
        status_label=APPOINTMENT_STATUS.get(view.status, view.status),
        css=css,
        emergency=emergency,
        sync_failed=sync_failed,
        sync_error=(view.calendar_sync_error or "error desconocido") if sync_failed else "",
        sync_state=sync,
        review_reason=view.calendar_review_reason or "",
        compact=minutes < 25,
        doctor_id=str(view.doctor_id),
        accent=accent,
        movable=view.status in RESCHEDULABLE,
        start_minute=start_minute,
        end_minute=start_minute + round(_minutes_from(view.start_at, view.end_at)),
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


def grid_hours(period: CalendarPeriod) -> tuple[int, int]:
    """The working hours, stretched to include anything booked outside them."""
    zone = ZoneInfo(period.timezone)
    first_hour, last_hour = period.hours
    for item in period.appointments:
        local_start = item.start_at.astimezone(zone)
        local_end = item.end_at.astimezone(zone)
        first_hour = min(first_hour, local_start.hour)
        if local_end.date() == local_start.date():
            last_hour = max(last_hour, local_end.hour + (1 if local_end.minute else 0))
    return first_hour, max(last_hour, first_hour + 1)


@dataclass(frozen=True)
class _Grid:
    """What every column of one calendar shares."""

    period: CalendarPeriod
    first_hour: int
    last_hour: int
    today: date
    free: dict[tuple[str, date], list[FreeCell]]


def _free_cells(period: CalendarPeriod, first_hour: int) -> dict[tuple[str, date], list[FreeCell]]:
    zone = ZoneInfo(period.timezone)
    cells: dict[tuple[str, date], list[FreeCell]] = {}
    for slot in period.free_slots:
        local_start = slot.start.astimezone(zone)
        origin = datetime.combine(local_start.date(), time(first_hour), zone)
        cells.setdefault((str(slot.doctor_id), local_start.date()), []).append(
            FreeCell(
                doctor_id=str(slot.doctor_id),
                start_iso=slot.start.isoformat(),
                top=_px(_minutes_from(origin, slot.start) + 1),
                height=_px(_minutes_from(slot.start, slot.end) - 2),
                label=f"+ {local_start.strftime('%H:%M')}",
            )
        )
    return cells


def _column(
    grid: _Grid, doctor_id: uuid.UUID, day: date, title: str, subtitle: str, accent: str
) -> CalendarColumn:
    tz_name = grid.period.timezone
    zone = ZoneInfo(tz_name)
    origin = datetime.combine(day, time(grid.first_hour), zone)
    end_of_grid = datetime.combine(day, time(0), zone) + timedelta(hours=grid.last_hour)
    items = [
        a
        for a in grid.period.appointments
        if a.doctor_id == doctor_id
        and a.start_at < end_of_grid
        and a.end_at > origin
        and a.start_at.astimezone(zone).date() == day
    ]
    items.sort(key=lambda a: (a.start_at, a.status == "cancelled"))
    placed = lanes([(a.start_at, a.end_at) for a in items])
    blocks = [
        _block(a, origin=origin, end_of_grid=end_of_grid, lane=lane, width=width, tz=tz_name)
        for a, (lane, width) in zip(items, placed, strict=True)
    ]
    working = grid.period.working.get((doctor_id, day), [])
    shades = _shades(_off_hours(working, origin, end_of_grid), origin, end_of_grid, "off", "")
    shades += _shades(
        grid.period.time_off.get(doctor_id, []), origin, end_of_grid, "time_off", "Ausencia"
    )
    shades += _shades(
        grid.period.google_busy.get(doctor_id, []),
        origin,
        end_of_grid,
        "time_off",
        "Ocupado (Google)",
    )
    shades += _shades(grid.period.closures, origin, end_of_grid, "time_off", "Clínica cerrada")
    live = [a for a in items if a.status != "cancelled"]
    return CalendarColumn(
        key=f"{doctor_id}:{day.isoformat()}",
        title=title,
        subtitle=subtitle,
        accent=accent,
        is_today=day == grid.today,
        doctor_id=str(doctor_id),
        day_iso=day.isoformat(),
        count_label=f"{len(live)} cita{'s' if len(live) != 1 else ''}",
        blocks=blocks,
        free=grid.free.get((str(doctor_id), day), []),
        shades=shades,
    )


def _on_day(grid: _Grid, doctor_id: uuid.UUID, day: date) -> list[AppointmentView]:
    """The doctor's appointments drawn in the day's column (by their start), in order."""
    zone = ZoneInfo(grid.period.timezone)
    origin = datetime.combine(day, time(grid.first_hour), zone)
    end_of_grid = datetime.combine(day, time(0), zone) + timedelta(hours=grid.last_hour)
    items = [
        a
        for a in grid.period.appointments
        if a.doctor_id == doctor_id
        and a.start_at < end_of_grid
        and a.end_at > origin
        and a.start_at.astimezone(zone).date() == day
    ]
    items.sort(key=lambda a: (a.start_at, a.status == "cancelled"))
    return items


def _team_day_column(grid: _Grid, day: date) -> CalendarColumn:
    """One day of the team's week: each doctor keeps a slice of the column's width, in
    the order of the doctor list, so their appointments sit side by side."""
    tz_name = grid.period.timezone
    zone = ZoneInfo(tz_name)
    origin = datetime.combine(day, time(grid.first_hour), zone)
    end_of_grid = datetime.combine(day, time(0), zone) + timedelta(hours=grid.last_hour)
    doctors = grid.period.doctors
    blocks: list[CalendarBlock] = []
    live = 0
    for index, doctor in enumerate(doctors):
        items = _on_day(grid, doctor.id, day)
        live += sum(1 for a in items if a.status != "cancelled")
        placed = lanes([(a.start_at, a.end_at) for a in items])
        blocks += [
            _block(
                a,
                origin=origin,
                end_of_grid=end_of_grid,
                lane=index * width + lane,
                width=len(doctors) * width,
                tz=tz_name,
                accent=doctor.color or DEFAULT_DOCTOR_COLOR,
            )
            for a, (lane, width) in zip(items, placed, strict=True)
        ]
    return CalendarColumn(
        key=f"equipo:{day.isoformat()}",
        title=f"{WEEKDAYS_SHORT[day.weekday()].capitalize()} {day.day}",
        accent=DEFAULT_DOCTOR_COLOR,
        is_today=day == grid.today,
        day_iso=day.isoformat(),
        count_label=f"{live} cita{'s' if live != 1 else ''}",
        blocks=blocks,
        shades=_shades(grid.period.closures, origin, end_of_grid, "time_off", "Clínica cerrada"),
    )


def list_days(period: CalendarPeriod, now: datetime) -> list[ListDay]:
    """The list view: every day of `period`, its appointments (all doctors) by time."""
    zone = ZoneInfo(period.timezone)
    today = now.astimezone(zone).date()
    colors = {d.id: d.color or DEFAULT_DOCTOR_COLOR for d in period.doctors}
    days = []
    for day in period.days:
        items = sorted(
            (a for a in period.appointments if a.start_at.astimezone(zone).date() == day),
            key=lambda a: (a.start_at, a.doctor_name),
        )
        live = sum(1 for a in items if a.status != "cancelled")
        days.append(
            ListDay(
                day_iso=day.isoformat(),
                title=long_date(day).capitalize(),
                count_label="Sin citas" if not items else f"{live} cita{'s' if live != 1 else ''}",
                is_today=day == today,
                rows=[
                    ListRow(
                        id=str(a.id),
                        time_label=f"{hhmm(a.start_at, period.timezone)}–"
                        f"{hhmm(a.end_at, period.timezone)}",
                        start_label=hhmm(a.start_at, period.timezone),
                        end_label=hhmm(a.end_at, period.timezone),
                        client=a.client_name or a.client_phone,
                        pet=a.pet_name or "",
                        reason=" · ".join(x for x in (a.service_name, a.reason) if x),
                        doctor=a.doctor_name,
                        accent=colors.get(a.doctor_id, DEFAULT_DOCTOR_COLOR),
                        status=a.status,
                        status_label=APPOINTMENT_STATUS.get(a.status, a.status),
                        emergency=a.priority == "emergency",
                    )
                    for a in items
                ],
            )
        )
    return days


def _columns(grid: _Grid, view: str, anchor: date) -> list[CalendarColumn]:
    """The columns of `grid.period`: its doctors on `anchor` (team view), its days with
    every doctor (team week), none (list), else its days of the chosen doctor."""
    period = grid.period
    if view == "lista":
        return []
    if view == "semana-equipo":
        return [_team_day_column(grid, day) for day in period.days]
    if view == "equipo":
        return [
            _column(
                grid,
                doctor.id,
                anchor,
                doctor.full_name,
                doctor.speciality or "",
                doctor.color or DEFAULT_DOCTOR_COLOR,
            )
            for doctor in period.doctors
        ]
    if period.doctor_id is None:
        return []
    doctor = next(d for d in period.doctors if d.id == period.doctor_id)
    return [
        _column(
            grid,
            doctor.id,
            day,
            f"{WEEKDAYS_SHORT[day.weekday()].capitalize()} {day.day}",
            short_date(day) if view == "dia" else "",
            doctor.color or DEFAULT_DOCTOR_COLOR,
        )
        for day in period.days
    ]


def _grid(period: CalendarPeriod, first_hour: int, last_hour: int, now: datetime) -> _Grid:
    return _Grid(
        period=period,
        first_hour=first_hour,
        last_hour=last_hour,
        today=now.astimezone(ZoneInfo(period.timezone)).date(),
        free=_free_cells(period, first_hour),
    )


@dataclass(frozen=True)
class Totals:
    """What the toolbar counts: live appointments drawn, failed syncs, emergencies."""

    appointments: int
    sync_failures: int
    emergencies: int


def totals(columns: list[CalendarColumn]) -> Totals:
    """Counted from the blocks drawn, so a calendar redrawn in part counts the same."""
    live = [b for column in columns for b in column.blocks if b.status != "cancelled"]
    return Totals(
        appointments=len(live),
        sync_failures=sum(1 for b in live if b.sync_failed),
        emergencies=sum(1 for b in live if b.emergency),
    )


def lay_out(period: CalendarPeriod, *, view: str, anchor: date, now: datetime) -> CalendarData:
    """The calendar page of `view` ("dia", "semana" or "equipo") drawn from `period`.

    `anchor` is the day asked for; `now` marks today's column and the "now" line.
    """
    first_hour, last_hour = grid_hours(period)
    options = [
        DoctorOption(
            id=str(d.id),
            name=d.full_name,
            color=d.color or DEFAULT_DOCTOR_COLOR,
            speciality=d.speciality or "",
        )
        for d in period.doctors
    ]
    columns = _columns(_grid(period, first_hour, last_hour, now), view, anchor)
    if view == "equipo":
        title, subtitle = long_date(anchor).capitalize(), "Todo el equipo"
    elif view in TEAM_VIEWS:
        title, subtitle = week_range(period.days[0]), "Todo el equipo"
    elif period.doctor_id is not None:
        doctor = next(d for d in period.doctors if d.id == period.doctor_id)
        title = week_range(period.days[0]) if view == "semana" else long_date(anchor).capitalize()
        subtitle = doctor.full_name
    else:
        title, subtitle = long_date(anchor).capitalize(), "Sin médicos activos"

    hours = [
        HourMark(label=f"{h:02d}:00", top=_px((h - first_hour) * 60))
        for h in range(first_hour, last_hour)
    ]
    days = list_days(period, now) if view == "lista" else []
    counted = totals(columns)
    if view == "lista":
        live = [r for d in days for r in d.rows if r.status != "cancelled"]
        counted = Totals(len(live), 0, sum(1 for r in live if r.emergency))
    return CalendarData(
        view=view,
        anchor=anchor,
        doctor_id=str(period.doctor_id or ""),
        title=title,
        subtitle=subtitle,
        doctors=options,
        columns=columns,
        hours=hours,
        grid_height=round((last_hour - first_hour) * 60 * PX_PER_MINUTE),
        first_hour=first_hour,
        last_hour=last_hour,
        now_top=now_line(now, period.timezone, first_hour, last_hour),
        window=period.window,
        shown_doctors=[str(d) for d in period.shown],
        marker=period.marker,
        total=counted.appointments,
        sync_failures=counted.sync_failures,
        emergencies=counted.emergencies,
        list_days=days,
    )


def lay_out_part(
    period: CalendarPeriod,
    *,
    view: str,
    anchor: date,
    now: datetime,
    hours: tuple[int, int],
) -> list[CalendarColumn] | None:
    """The columns of `period` (some days of the calendar shown) on its grid of `hours`;
    None when what they hold needs more hours than that grid has (lay the whole out again)."""
    first_hour, last_hour = grid_hours(period)
    if first_hour < hours[0] or last_hour > hours[1]:
        return None
    return _columns(_grid(period, *hours, now), view, anchor)
