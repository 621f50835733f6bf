"""Which appointment slots a doctor can still offer.

The pipeline, in order: the day's working periods (local clinic time, converted
to UTC; breaks are the gaps between periods) → minus busy time (appointments
widened by the buffer, blocked periods as they are) → stepped on a grid of
``slot_minutes`` from each period's start → no earlier than now + minimum
notice → no later than the booking horizon.

A slot lasts the service's ``duration_minutes`` when one is given (a 120-minute
surgery), else ``slot_minutes``; either way candidates start on the
``slot_minutes`` grid.

Pure and synchronous: callers load schedules, appointments and time off, and
pass them in. Everything returned is UTC.

Local times and daylight saving: a period runs from the first real instant at
which the clinic's clock reads its start to the first instant at which it reads
its end. A wall time skipped by a spring-forward jump therefore resolves to the
jump itself (no slots in the gap), and a wall time that happens twice on a
fall-back night resolves to its first occurrence, so a period 22:00-24:00 on
that night lasts three real hours.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend.domain.intervals import Interval, merge, overlaps

END_OF_DAY = time(0, 0)
"""As a period's *end*, midnight means the end of the day ("24:00")."""

ScheduleConflict = Literal[
    "outside_working_hours", "in_past", "inside_min_notice", "beyond_horizon", "blocked"
]

_Spans = tuple[list[datetime], list[datetime]]

_ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class WorkingPeriod:
    """One stretch of work on a weekday, in the clinic's local time.

    ``weekday`` is 0 for Monday to 6 for Sunday. ``end`` may be ``time(0, 0)``
    (``END_OF_DAY``) to mean "until midnight"; otherwise it must follow ``start``.
    """

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working periods are local wall times; pass naive times")
        if self.end != END_OF_DAY and self.end <= self.start:
            raise ValueError(f"period must end after it starts: {self.start}-{self.end}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorkingPeriod:
        """Build from the stored JSON shape ``{"weekday": 0, "start": "08:00", "end": "12:30"}``.

        ``"24:00"`` is accepted as an end and means midnight.
        """
        end = str(data["end"])
        return cls(
            weekday=int(data["weekday"]),
            start=time.fromisoformat(str(data["start"])),
            end=END_OF_DAY if end == "24:00" else time.fromisoformat(end),
        )


@dataclass(frozen=True)
class ScheduleRules:
    """A doctor's weekly working periods and booking rules in one clinic zone.

    ``duration_minutes`` is the length of what is being booked (a service),
    when it differs from the doctor's ``slot_minutes`` grid.
    """

    timezone: str
    periods: tuple[WorkingPeriod, ...]
    slot_minutes: int = 30
    buffer_minutes: int = 5
    min_notice_minutes: int = 60
    horizon_days: int = 60
    duration_minutes: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "periods", tuple(self.periods))
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {self.timezone!r}") from exc
        if self.slot_minutes <= 0:
            raise ValueError("slot_minutes must be positive")
        if self.duration_minutes is not None and self.duration_minutes <= 0:
            raise ValueError("duration_minutes must be positive")
        if min(self.buffer_minutes, self.min_notice_minutes, self.horizon_days) < 0:
            raise ValueError("buffer, notice and horizon cannot be negative")

    @property
    def visit_minutes(self) -> int:
        """How long each offered slot lasts."""
        return self.duration_minutes or self.slot_minutes

    @property
    def zone(self) -> ZoneInfo:
        # ZoneInfo caches instances by key, so this is a dictionary lookup.
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable ``[start, end)`` for one doctor, in UTC."""

    doctor_id: Any
    start: datetime
    end: datetime


@dataclass(frozen=True)
class DoctorAvailabilityInput:
    """One doctor's rules and busy time, for searching several doctors at once."""

    rules: ScheduleRules
    appointments: Sequence[Interval] = ()
    blocked: Sequence[Interval] = ()


def working_intervals(rules: ScheduleRules, day: date) -> list[Interval]:
    """The working periods of a local ``day`` as UTC intervals.

    Periods that overlap or touch are joined (no break between them means one
    stretch of work). Correct across DST changes, see the module docstring.
    """
    zone = rules.zone
    weekday = day.weekday()
    intervals = []
    for period in rules.periods:
        if period.weekday != weekday:
            continue
        start = _first_instant_reading(datetime.combine(day, period.start), zone)
        if period.end == END_OF_DAY:
            end_wall = datetime.combine(day + _ONE_DAY, END_OF_DAY)
        else:
            end_wall = datetime.combine(day, period.end)
        end = _first_instant_reading(end_wall, zone)
        if start < end:
            intervals.append(Interval(start, end))
    return merge(intervals)


def busy_intervals(
    rules: ScheduleRules, appointments: Iterable[Interval], blocked: Iterable[Interval]
) -> list[Interval]:
    """Time no new appointment may touch, sorted and merged.

    Appointments are widened by ``buffer_minutes`` on both sides (cleaning,
    paperwork); blocked periods are taken as they are.
    """
    starts, ends = _busy_spans(rules, appointments, blocked)
    return [Interval(start, end) for start, end in zip(starts, ends, strict=True)]


def free_slots(
    rules: ScheduleRules,
    day: date,
    *,
    appointments: Iterable[Interval],
    blocked: Iterable[Interval],
    now: datetime,
    doctor_id: Any = None,
    limit: int | None = 10,
) -> list[Slot]:
    """Free slots of one doctor on one local day, soonest first.

    Args:
        rules: the doctor's schedule and booking rules.
        day: the day in the clinic's zone.
        appointments: the doctor's booked intervals, any order; others are ignored.
        blocked: time off and other blocked intervals, any order.
        now: the current instant (timezone-aware).
        doctor_id: copied onto every slot.
        limit: the most slots to return; ``None`` for all of them.

    Returns:
        Slots of ``visit_minutes`` on the ``slot_minutes`` grid of each working period, that start
        no earlier than now + minimum notice, fall within the horizon and touch
        no busy time.
    """
    _require_aware("now", now)
    _require_valid_limit(limit)
    if limit == 0 or day > _last_bookable_day(rules, now):
        return []
    windows = working_intervals(rules, day)
    if not windows:
        return []
    busy = _busy_spans(rules, appointments, blocked, (windows[0].start, windows[-1].end))
    slots = _grid_slots(
        windows, busy, earliest=_earliest_start(rules, now), rules=rules, doctor_id=doctor_id
    )
    return list(islice(slots, limit))


def free_slots_range(
    doctors: Mapping[Any, DoctorAvailabilityInput],
    start_day: date,
    end_day: date,
    *,
    now: datetime,
    limit: int | None = 10,
) -> list[Slot]:
    """Free slots of several doctors over local days ``start_day..end_day`` (inclusive).

    Slots come soonest first; at the same instant, doctors keep the mapping's
    order. Each doctor's slots are produced lazily and merged, so the search
    stops as soon as ``limit`` slots are found.
    """
    _require_aware("now", now)
    _require_valid_limit(limit)
    if limit == 0:
        return []
    streams = [
        _tagged(index, _doctor_slots(doctor_id, inputs, start_day, end_day, now))
        for index, (doctor_id, inputs) in enumerate(doctors.items())
    ]
    return [slot for _, _, slot in islice(heapq.merge(*streams), limit)]


def fits_schedule(
    rules: ScheduleRules,
    start: datetime,
    end: datetime,
    *,
    blocked: Iterable[Interval] = (),
    now: datetime,
) -> ScheduleConflict | None:
    """Why a booking ``[start, end)`` breaks the doctor's rules, or None if it does not.

    The booking must start no earlier than now + minimum notice, on a local day
    within the horizon, lie inside a single working interval of its local day,
    and touch no blocked time. Other appointments are the booking service's
    concern, not checked here.
    """
    _require_aware("now", now)
    booking = Interval(start, end)
    if start < now:
        return "in_past"
    if start < _earliest_start(rules, now):
        return "inside_min_notice"
    local_day = start.astimezone(rules.zone).date()
    if local_day > _last_bookable_day(rules, now):
        return "beyond_horizon"
    if not any(w.start <= start and end <= w.end for w in working_intervals(rules, local_day)):
        return "outside_working_hours"
    if any(overlaps(booking, b) for b in blocked):
        return "blocked"
    return None


EMERGENCY_GRACE = timedelta(minutes=15)
"""How long before now an emergency booking may start: it is written down as it happens."""


def fits_emergency(
    rules: ScheduleRules, start: datetime, *, now: datetime
) -> ScheduleConflict | None:
    """Why an emergency booking at ``start`` is refused, or None.

    Emergencies skip working hours, notice, blocked time and the neighbours'
    buffer, but not the calendar's bounds: no start before now (less
    `EMERGENCY_GRACE`), none on a local day beyond the horizon.
    """
    _require_aware("now", now)
    if start < now - EMERGENCY_GRACE:
        return "in_past"
    if start.astimezone(rules.zone).date() > _last_bookable_day(rules, now):
        return "beyond_horizon"
    return None


def _first_instant_reading(wall: datetime, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the local clock reads ``wall`` or later.

    For an ambiguous wall time that is its first occurrence (fold=0). For a wall
    time inside a spring-forward gap it is the transition itself, found by
    bisection between the two candidate offsets (only on DST days).
    """
    candidate = wall.replace(tzinfo=zone).astimezone(UTC)
    if candidate.astimezone(zone).replace(tzinfo=None) == wall:
        return candidate
    # In a gap fold=0 applies the offset before the jump (lands after it) and
    # fold=1 the offset after the jump (lands before it).
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = candidate
    while high - low > _ONE_SECOND:
        mid = low + _ONE_SECOND * ((high - low) // _ONE_SECOND // 2)
        if mid.astimezone(zone).replace(tzinfo=None) >= wall:
            high = mid
        else:
            low = mid
    return high


def _grid_slots(
    windows: Sequence[Interval],
    busy: _Spans,
    *,
    earliest: datetime,
    rules: ScheduleRules,
    doctor_id: Any,
) -> Iterator[Slot]:
    """Grid slots inside sorted ``windows`` that start at/after ``earliest`` and miss ``busy``.

    One pass over both sorted lists; a collision jumps straight to the first
    grid point after the busy span. Slots longer than the grid step overlap
    each other: they are alternatives, not a sequence.
    """
    busy_starts, busy_ends = busy
    step = timedelta(minutes=rules.slot_minutes)
    length = timedelta(minutes=rules.visit_minutes)
    count = len(busy_ends)
    j = bisect_right(busy_ends, windows[0].start) if windows else 0
    for window in windows:
        start = window.start
        if start < earliest:
            start += step * _ceil_div(earliest - start, step)
        while start + length <= window.end:
            end = start + length
            while j < count and busy_ends[j] <= start:
                j += 1
            if j < count and busy_starts[j] < end:
                start += step * _ceil_div(busy_ends[j] - start, step)
                continue
            yield Slot(doctor_id, start, end)
            start += step


def _doctor_slots(
    doctor_id: Any,
    inputs: DoctorAvailabilityInput,
    start_day: date,
    end_day: date,
    now: datetime,
) -> Iterator[Slot]:
    """One doctor's free slots over a range of days, soonest first, lazily."""
    rules = inputs.rules
    zone = rules.zone
    earliest = _earliest_start(rules, now)
    # Working intervals of a local day never reach past its midnight, so days
    # before the earliest bookable instant's local day cannot hold a slot.
    day = max(start_day, earliest.astimezone(zone).date())
    last = min(end_day, _last_bookable_day(rules, now))
    if day > last:
        return
    range_start = _first_instant_reading(datetime.combine(day, time()), zone)
    range_end = _first_instant_reading(datetime.combine(last + _ONE_DAY, time()), zone)
    busy = _busy_spans(rules, inputs.appointments, inputs.blocked, (range_start, range_end))
    while day <= last:
        windows = working_intervals(rules, day)
        if windows:
            yield from _grid_slots(
                windows, busy, earliest=earliest, rules=rules, doctor_id=doctor_id
            )
        day += _ONE_DAY


def _busy_spans(
    rules: ScheduleRules,
    appointments: Iterable[Interval],
    blocked: Iterable[Interval],
    window: tuple[datetime, datetime] | None = None,
) -> _Spans:
    """Merged busy time as parallel sorted ``(starts, ends)`` lists.

    Plain datetimes rather than ``Interval`` objects keep the hot path free of
    per-object validation; ``window`` drops busy time that cannot touch it
    before the sort, so passing a doctor's whole calendar stays linear.
    """
    pad = timedelta(minutes=rules.buffer_minutes)
    if window is None:
        spans = [(a.start - pad, a.end + pad) for a in appointments]
        spans += [(b.start, b.end) for b in blocked]
    else:
        low, high = window
        padded_low, padded_high = low - pad, high + pad
        spans = [
            (a.start - pad, a.end + pad)
            for a in appointments
            if a.end > padded_low and a.start < padded_high
        ]
        spans += [(b.start, b.end) for b in blocked if b.end > low and b.start < high]
    spans.sort()
    starts: list[datetime] = []
    ends: list[datetime] = []
    for start, end in spans:
        if ends and start <= ends[-1]:
            if end > ends[-1]:
                ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _tagged(index: int, slots: Iterator[Slot]) -> Iterator[tuple[datetime, int, Slot]]:
    # (start, doctor order) sorts the merge and never lets it compare slots.
    for slot in slots:
        yield slot.start, index, slot


def _earliest_start(rules: ScheduleRules, now: datetime) -> datetime:
    return now + timedelta(minutes=rules.min_notice_minutes)


def _last_bookable_day(rules: ScheduleRules, now: datetime) -> date:
    return now.astimezone(rules.zone).date() + timedelta(days=rules.horizon_days)


def _ceil_div(a: timedelta, b: timedelta) -> int:
    return -(-a // b)


def _require_aware(name: str, value: datetime) -> None:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _require_valid_limit(limit: int | None) -> None:
    if limit is not None and limit < 0:
        raise ValueError("limit cannot be negative")
