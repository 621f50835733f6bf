"""Clinic closures as time, and what they do to availability."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.domain.availability import ScheduleRules, WorkingPeriod, fits_schedule, free_slots
from backend.domain.closures import all_day_closure, closed_days, closure_touching, partial_closure

BOGOTA = "America/Bogota"
MONDAY = date(2026, 6, 1)
TUESDAY = date(2026, 6, 2)
NOW = datetime(2026, 5, 25, 12, 0, tzinfo=UTC)


def rules() -> ScheduleRules:
    periods = tuple(WorkingPeriod(d, time(8), time(12)) for d in range(6))
    return ScheduleRules(timezone=BOGOTA, periods=periods, slot_minutes=60, buffer_minutes=0)


def at(day: date, hhmm: str, zone: str = BOGOTA) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), ZoneInfo(zone)).astimezone(UTC)


def test_all_day_closure_runs_from_local_midnight_to_midnight_after_last_day():
    closure = all_day_closure(BOGOTA, MONDAY, TUESDAY)

    assert closure.start == datetime(2026, 6, 1, 5, 0, tzinfo=UTC)
    assert closure.end == datetime(2026, 6, 3, 5, 0, tzinfo=UTC)


def test_all_day_closure_over_a_skipped_midnight_starts_at_the_jump():
    # Chile moved its clocks from 24:00 to 01:00 on 2026-09-06: that day has no 00:00
    closure = all_day_closure("America/Santiago", date(2026, 9, 6), date(2026, 9, 6))

    assert closure.start.astimezone(ZoneInfo("America/Santiago")).hour == 1
    assert closure.end - closure.start == timedelta(hours=23)


def test_closure_refuses_reversed_or_too_long_ranges():
    with pytest.raises(ValueError):
        all_day_closure(BOGOTA, TUESDAY, MONDAY)
    with pytest.raises(ValueError):
        all_day_closure(BOGOTA, MONDAY, MONDAY + timedelta(days=400))
    with pytest.raises(ValueError):
        partial_closure(BOGOTA, MONDAY, time(13), time(9))


def test_closed_day_offers_no_slots_and_the_next_day_is_untouched():
    closure = all_day_closure(BOGOTA, MONDAY, MONDAY)

    closed = free_slots(rules(), MONDAY, appointments=[], blocked=[closure], now=NOW, limit=None)
    open_day = free_slots(rules(), TUESDAY, appointments=[], blocked=[closure], now=NOW, limit=None)

    assert closed == []
    assert [s.start for s in open_day] == [
        at(TUESDAY, h) for h in ("08:00", "09:00", "10:00", "11:00")
    ]


def test_partial_closure_keeps_the_rest_of_the_day():
    closure = partial_closure(BOGOTA, MONDAY, time(10), time(0))

    slots = free_slots(rules(), MONDAY, appointments=[], blocked=[closure], now=NOW, limit=None)

    assert [s.start for s in slots] == [at(MONDAY, "08:00"), at(MONDAY, "09:00")]


def test_booking_inside_a_closure_is_found_and_refused():
    closure = all_day_closure(BOGOTA, MONDAY, MONDAY)
    start, end = at(MONDAY, "09:00"), at(MONDAY, "10:00")

    assert closure_touching([closure], start, end) == closure
    assert closure_touching([closure], at(TUESDAY, "09:00"), at(TUESDAY, "10:00")) is None
    assert fits_schedule(rules(), start, end, blocked=[closure], now=NOW) == "blocked"


def test_closed_days_tells_whole_days_from_partial_ones():
    closures = [
        all_day_closure(BOGOTA, MONDAY, TUESDAY),
        partial_closure(BOGOTA, date(2026, 6, 4), time(13), time(0)),
    ]

    days = closed_days(closures, BOGOTA, date(2026, 5, 31), date(2026, 6, 6))

    assert days == {MONDAY: True, TUESDAY: True, date(2026, 6, 4): False}
