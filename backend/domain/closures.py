"""Clinic holidays and closures as time: which instants and which local days they take.

A closure is stored as a UTC interval. An all-day closure of local days
``first..last`` runs from the first instant the clinic's clock reads 00:00 on
``first`` to the first instant it reads 00:00 on the day after ``last`` (so a
daylight-saving night changes nothing). Availability treats closures as blocked
time for every doctor; a normal booking touching one is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from backend.domain.availability import _first_instant_reading as first_instant_reading
from backend.domain.intervals import Interval, overlaps

MAX_CLOSURE_DAYS = 366


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant the clinic's clock reads 00:00 on ``day`` (or later, when a
    spring-forward jump skips midnight, as in Chile)."""
    return first_instant_reading(datetime.combine(day, time(0)), zone)


def all_day_closure(timezone: str, first: date, last: date) -> Interval:
    """Local days ``first..last`` (inclusive) as one UTC interval.

    Raises:
        ValueError: ``last`` before ``first``, or longer than MAX_CLOSURE_DAYS.
    """
    if last < first:
        raise ValueError("a closure ends on or after its first day")
    if (last - first).days + 1 > MAX_CLOSURE_DAYS:
        raise ValueError(f"a closure lasts at most {MAX_CLOSURE_DAYS} days")
    zone = ZoneInfo(timezone)
    return Interval(_local_midnight(first, zone), _local_midnight(last + timedelta(days=1), zone))


def partial_closure(timezone: str, day: date, start: time, end: time) -> Interval:
    """Part of one local day (e.g. 24 December from 13:00); ``end`` 00:00 means midnight.

    Raises:
        ValueError: the end is not after the start.
    """
    zone = ZoneInfo(timezone)
    start_at = first_instant_reading(datetime.combine(day, start), zone)
    end_wall = datetime.combine(day + timedelta(days=1) if end == time(0) else day, end)
    end_at = first_instant_reading(end_wall, zone)
    if end_at <= start_at:
        raise ValueError("a closure ends after it starts")
    return Interval(start_at, end_at)


def closure_touching(
    closures: Iterable[Interval], start: datetime, end: datetime
) -> Interval | None:
    """The first closure that shares an instant with ``[start, end)``, if any."""
    booking = Interval(start, end)
    return next((c for c in closures if overlaps(c, booking)), None)


def closed_days(
    closures: Sequence[Interval], timezone: str, first: date, last: date
) -> dict[date, bool]:
    """Local days of ``first..last`` that a closure touches → True when closed all day."""
    zone = ZoneInfo(timezone)
    found: dict[date, bool] = {}
    day = first
    while day <= last:
        whole = Interval(_local_midnight(day, zone), _local_midnight(day + timedelta(days=1), zone))
        touching = [c for c in closures if overlaps(c, whole)]
        if touching:
            found[day] = any(c.start <= whole.start and c.end >= whole.end for c in touching)
        day += timedelta(days=1)
    return found
