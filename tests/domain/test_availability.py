from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.domain.availability import (
    EMERGENCY_GRACE,
    END_OF_DAY,
    DoctorAvailabilityInput,
    ScheduleRules,
    Slot,
    WorkingPeriod,
    busy_intervals,
    fits_emergency,
    fits_schedule,
    free_slots,
    free_slots_range,
    working_intervals,
)
from backend.domain.intervals import Interval, overlaps

BOGOTA = ZoneInfo("America/Bogota")  # UTC-5 all year
SANTIAGO = ZoneInfo("America/Santiago")
MONDAY = date(2026, 6, 1)
TUESDAY = date(2026, 6, 2)
SUNDAY_BEFORE = date(2026, 5, 31)


def at(day: date, hhmm: str, zone: ZoneInfo = BOGOTA, fold: int = 0) -> datetime:
    """The UTC instant of a local wall time."""
    wall = datetime.combine(day, time.fromisoformat(hhmm))
    return wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)


def utc(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=UTC)


def span(day: date, start: str, end: str, zone: ZoneInfo = BOGOTA) -> Interval:
    return Interval(at(day, start, zone), at(day, end, zone))


def period(weekday: int, start: str, end: str) -> WorkingPeriod:
    return WorkingPeriod.from_dict({"weekday": weekday, "start": start, "end": end})


def rules(*periods: WorkingPeriod, timezone: str = "America/Bogota", **options) -> ScheduleRules:
    return ScheduleRules(timezone=timezone, periods=periods, **options)


def local_starts(slots: list[Slot], zone: ZoneInfo = BOGOTA) -> list[str]:
    return [slot.start.astimezone(zone).strftime("%H:%M") for slot in slots]


MONDAY_MORNING = rules(period(0, "08:00", "12:00"))
NOW = at(SUNDAY_BEFORE, "08:00")  # a day ahead: notice and past play no part


def slots_on(schedule: ScheduleRules, day: date = MONDAY, **kwargs) -> list[Slot]:
    kwargs.setdefault("appointments", [])
    kwargs.setdefault("blocked", [])
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("limit", None)
    return free_slots(schedule, day, **kwargs)


# Rules and periods


def test_working_period_from_dict_reads_24_00_as_end_of_day():
    assert period(5, "22:00", "24:00") == WorkingPeriod(5, time(22), END_OF_DAY)


@pytest.mark.parametrize(
    ("weekday", "start", "end"),
    [(7, time(8), time(9)), (-1, time(8), time(9)), (0, time(9), time(8)), (0, time(9), time(9))],
)
def test_working_period_rejects_invalid(weekday, start, end):
    with pytest.raises(ValueError):
        WorkingPeriod(weekday, start, end)


def test_schedule_rules_rejects_unknown_timezone():
    with pytest.raises(ValueError, match="timezone"):
        rules(timezone="America/Nowhere")


def test_schedule_rules_rejects_non_positive_slot():
    with pytest.raises(ValueError, match="slot_minutes"):
        rules(slot_minutes=0)


# Working intervals


def test_working_intervals_converts_local_periods_to_utc():
    schedule = rules(period(0, "08:00", "12:00"), period(0, "14:00", "18:00"))
    assert working_intervals(schedule, MONDAY) == [
        Interval(utc(MONDAY, "13:00"), utc(MONDAY, "17:00")),
        Interval(utc(MONDAY, "19:00"), utc(MONDAY, "23:00")),
    ]


def test_working_intervals_closed_weekday_is_empty():
    assert working_intervals(MONDAY_MORNING, TUESDAY) == []


def test_working_intervals_joins_touching_periods():
    schedule = rules(period(0, "10:00", "12:00"), period(0, "08:00", "10:00"))
    assert working_intervals(schedule, MONDAY) == [span(MONDAY, "08:00", "12:00")]


def test_busy_intervals_widens_appointments_not_blocked():
    busy = busy_intervals(
        MONDAY_MORNING,
        appointments=[span(MONDAY, "10:00", "10:30")],
        blocked=[span(MONDAY, "11:00", "11:30")],
    )
    assert busy == [span(MONDAY, "09:55", "10:35"), span(MONDAY, "11:00", "11:30")]


# Free slots on one day


def test_free_slots_plain_day_steps_the_whole_period():
    slots = slots_on(MONDAY_MORNING)
    assert local_starts(slots) == [
        "08:00",
        "08:30",
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
    ]
    assert all(slot.end - slot.start == timedelta(minutes=30) for slot in slots)
    assert all(slot.start.utcoffset() == timedelta(0) for slot in slots)


def test_free_slots_break_resets_grid_to_next_period_start():
    schedule = rules(period(0, "08:00", "10:15"), period(0, "11:10", "12:10"))
    assert local_starts(slots_on(schedule)) == [
        "08:00",
        "08:30",
        "09:00",
        "09:30",
        "11:10",
        "11:40",
    ]


def test_free_slots_closed_weekday_is_empty():
    assert slots_on(MONDAY_MORNING, TUESDAY) == []


def test_free_slots_buffer_removes_neighbouring_slots():
    # 10:00-10:30 widened by 5 minutes is 09:55-10:35: it touches the 09:30 and 10:30 slots.
    slots = slots_on(MONDAY_MORNING, appointments=[span(MONDAY, "10:00", "10:30")])
    assert local_starts(slots) == ["08:00", "08:30", "09:00", "11:00", "11:30"]


def test_free_slots_without_buffer_keeps_adjacent_slots():
    schedule = rules(period(0, "08:00", "12:00"), buffer_minutes=0)
    slots = slots_on(schedule, appointments=[span(MONDAY, "10:00", "10:30")])
    assert "09:30" in local_starts(slots)
    assert "10:30" in local_starts(slots)
    assert "10:00" not in local_starts(slots)


def test_free_slots_blocked_time_is_not_widened():
    slots = slots_on(MONDAY_MORNING, blocked=[span(MONDAY, "10:00", "10:40")])
    assert local_starts(slots) == ["08:00", "08:30", "09:00", "09:30", "11:00", "11:30"]


def test_free_slots_keeps_grid_after_appointment_off_grid():
    slots = slots_on(MONDAY_MORNING, appointments=[span(MONDAY, "08:10", "08:20")])
    assert local_starts(slots)[:2] == ["08:30", "09:00"]


def test_free_slots_accepts_unsorted_overlapping_inputs():
    appointments = [
        span(MONDAY, "11:00", "11:30"),
        span(MONDAY, "08:00", "08:30"),
        span(MONDAY, "08:10", "08:40"),
    ]
    blocked = [span(MONDAY, "10:00", "10:30"), span(MONDAY, "09:00", "09:10")]
    slots = slots_on(MONDAY_MORNING, appointments=appointments, blocked=blocked)
    assert local_starts(slots) == ["09:30"]


def test_free_slots_ignores_busy_time_on_other_days():
    slots = slots_on(MONDAY_MORNING, appointments=[span(TUESDAY, "08:00", "12:00")])
    assert len(slots) == 8


def test_free_slots_skips_past_and_min_notice():
    # now 09:10 + 60 minutes notice = 10:10, so the next grid slot is 10:30.
    slots = slots_on(MONDAY_MORNING, now=at(MONDAY, "09:10"))
    assert local_starts(slots) == ["10:30", "11:00", "11:30"]


def test_free_slots_earliest_on_grid_is_included():
    slots = slots_on(MONDAY_MORNING, now=at(MONDAY, "09:00"))
    assert local_starts(slots)[0] == "10:00"


def test_free_slots_without_notice_still_skips_the_past():
    schedule = rules(period(0, "08:00", "12:00"), min_notice_minutes=0)
    assert local_starts(slots_on(schedule, now=at(MONDAY, "09:10")))[0] == "09:30"


def test_free_slots_day_already_over_is_empty():
    assert slots_on(MONDAY_MORNING, now=at(MONDAY, "11:31")) == []


def test_free_slots_horizon_counts_days_in_clinic_zone():
    every_day = rules(*(period(weekday, "08:00", "12:00") for weekday in range(7)), horizon_days=7)
    # 03:00 UTC on June 1st is still May 31st in Bogota, so the last bookable day is June 7th.
    now = utc(MONDAY, "03:00")
    assert slots_on(every_day, date(2026, 6, 7), now=now)
    assert slots_on(every_day, date(2026, 6, 8), now=now) == []


def test_free_slots_limit_returns_the_soonest():
    assert local_starts(slots_on(MONDAY_MORNING, limit=3)) == ["08:00", "08:30", "09:00"]
    assert len(slots_on(MONDAY_MORNING, limit=None)) == 8
    assert slots_on(MONDAY_MORNING, limit=0) == []


def test_free_slots_default_limit_is_ten():
    every_five = rules(period(0, "08:00", "12:00"), slot_minutes=5)
    assert len(free_slots(every_five, MONDAY, appointments=[], blocked=[], now=NOW)) == 10


def test_free_slots_rejects_negative_limit():
    with pytest.raises(ValueError, match="limit"):
        slots_on(MONDAY_MORNING, limit=-1)


def test_free_slots_rejects_naive_now():
    with pytest.raises(ValueError, match="now"):
        slots_on(MONDAY_MORNING, now=datetime(2026, 5, 31, 8))


def test_free_slots_tags_slots_with_doctor_id():
    slots = slots_on(MONDAY_MORNING, doctor_id="dr-ana", limit=1)
    assert slots == [Slot("dr-ana", utc(MONDAY, "13:00"), utc(MONDAY, "13:30"))]


# Daylight saving time (America/Santiago, 2026)

FALL_BACK_DAY = date(2026, 4, 4)  # Saturday: 24:00 -03 becomes 23:00 -04
SPRING_FORWARD_DAY = date(2026, 9, 6)  # Sunday: 00:00 -04 becomes 01:00 -03


def test_santiago_2026_transitions_are_the_ones_these_tests_assume():
    assert at(FALL_BACK_DAY, "23:30", SANTIAGO, fold=0) == utc(date(2026, 4, 5), "02:30")
    assert at(FALL_BACK_DAY, "23:30", SANTIAGO, fold=1) == utc(date(2026, 4, 5), "03:30")
    assert (utc(date(2026, 4, 5), "03:00") - timedelta(seconds=1)).astimezone(SANTIAGO).hour == 23
    assert utc(date(2026, 4, 5), "03:00").astimezone(SANTIAGO).strftime("%H:%M%z") == "23:00-0400"
    assert (utc(SPRING_FORWARD_DAY, "04:00") - timedelta(seconds=1)).astimezone(SANTIAGO).strftime(
        "%d %H:%M%z"
    ) == "05 23:59-0400"
    assert (
        utc(SPRING_FORWARD_DAY, "04:00").astimezone(SANTIAGO).strftime("%d %H:%M%z")
        == "06 01:00-0300"
    )


def test_spring_forward_period_across_gap_has_two_real_hours():
    schedule = rules(period(6, "00:00", "03:00"), timezone="America/Santiago")
    assert working_intervals(schedule, SPRING_FORWARD_DAY) == [
        Interval(utc(SPRING_FORWARD_DAY, "04:00"), utc(SPRING_FORWARD_DAY, "06:00"))
    ]
    slots = slots_on(schedule, SPRING_FORWARD_DAY, now=utc(date(2026, 8, 20), "12:00"))
    assert [s.start for s in slots] == [
        utc(SPRING_FORWARD_DAY, h) for h in ("04:00", "04:30", "05:00", "05:30")
    ]
    assert local_starts(slots, SANTIAGO) == ["01:00", "01:30", "02:00", "02:30"]


def test_spring_forward_start_inside_gap_opens_at_the_jump():
    schedule = rules(period(6, "00:30", "03:00"), timezone="America/Santiago")
    assert working_intervals(schedule, SPRING_FORWARD_DAY) == [
        Interval(utc(SPRING_FORWARD_DAY, "04:00"), utc(SPRING_FORWARD_DAY, "06:00"))
    ]


def test_spring_forward_period_entirely_in_gap_is_empty():
    schedule = rules(period(6, "00:00", "00:45"), timezone="America/Santiago")
    assert working_intervals(schedule, SPRING_FORWARD_DAY) == []


def test_spring_forward_end_of_day_into_gap_closes_at_the_jump():
    saturday = date(2026, 9, 5)
    schedule = rules(period(5, "22:00", "24:00"), timezone="America/Santiago")
    assert working_intervals(schedule, saturday) == [
        Interval(utc(SPRING_FORWARD_DAY, "02:00"), utc(SPRING_FORWARD_DAY, "04:00"))
    ]
    slots = slots_on(schedule, saturday, now=utc(date(2026, 8, 20), "12:00"))
    assert len(slots) == 4


def test_fall_back_period_to_midnight_has_three_real_hours():
    schedule = rules(period(5, "22:00", "24:00"), timezone="America/Santiago")
    next_day = date(2026, 4, 5)
    assert working_intervals(schedule, FALL_BACK_DAY) == [
        Interval(utc(next_day, "01:00"), utc(next_day, "04:00"))
    ]
    slots = slots_on(schedule, FALL_BACK_DAY, now=utc(date(2026, 3, 20), "12:00"))
    assert len({slot.start for slot in slots}) == len(slots) == 6
    assert local_starts(slots, SANTIAGO) == ["22:00", "22:30", "23:00", "23:30", "23:00", "23:30"]


def test_fall_back_ambiguous_end_closes_at_first_occurrence():
    schedule = rules(period(5, "20:00", "23:30"), timezone="America/Santiago")
    assert working_intervals(schedule, FALL_BACK_DAY) == [
        Interval(utc(FALL_BACK_DAY, "23:00"), utc(date(2026, 4, 5), "02:30"))
    ]


def test_fall_back_appointment_in_repeated_hour_blocks_only_its_instants():
    schedule = rules(period(5, "22:00", "24:00"), timezone="America/Santiago", buffer_minutes=0)
    second_eleven_pm = Interval(utc(date(2026, 4, 5), "03:00"), utc(date(2026, 4, 5), "03:30"))
    slots = slots_on(
        schedule,
        FALL_BACK_DAY,
        appointments=[second_eleven_pm],
        now=utc(date(2026, 3, 20), "12:00"),
    )
    starts = [slot.start for slot in slots]
    assert utc(date(2026, 4, 5), "02:00") in starts  # the first 23:00
    assert utc(date(2026, 4, 5), "03:00") not in starts
    assert len(slots) == 5


def test_day_after_fall_back_uses_winter_offset():
    schedule = rules(period(6, "08:00", "12:00"), timezone="America/Santiago")
    sunday = date(2026, 4, 5)
    assert working_intervals(schedule, sunday) == [
        Interval(utc(sunday, "12:00"), utc(sunday, "16:00"))
    ]


# Several doctors over a range of days

TWO_MORNINGS = rules(period(0, "08:00", "10:00"), period(1, "08:00", "10:00"))


def test_free_slots_range_orders_by_time_then_doctor():
    doctors = {
        "ana": DoctorAvailabilityInput(TWO_MORNINGS),
        "beto": DoctorAvailabilityInput(
            TWO_MORNINGS, appointments=[span(MONDAY, "08:00", "08:30")]
        ),
    }
    slots = free_slots_range(doctors, MONDAY, TUESDAY, now=NOW, limit=None)
    monday = [
        (s.doctor_id, s.start.astimezone(BOGOTA).strftime("%H:%M"))
        for s in slots
        if s.start < utc(TUESDAY, "00:00")
    ]
    assert monday == [
        ("ana", "08:00"),
        ("ana", "08:30"),
        ("ana", "09:00"),
        ("beto", "09:00"),
        ("ana", "09:30"),
        ("beto", "09:30"),
    ]
    assert len(slots) == 6 + 8
    assert [s.start for s in slots] == sorted(s.start for s in slots)


def test_free_slots_range_ties_follow_mapping_order():
    doctors = {
        "beto": DoctorAvailabilityInput(TWO_MORNINGS),
        "ana": DoctorAvailabilityInput(TWO_MORNINGS),
    }
    slots = free_slots_range(doctors, MONDAY, MONDAY, now=NOW, limit=4)
    assert [s.doctor_id for s in slots] == ["beto", "ana", "beto", "ana"]


def test_free_slots_range_limit_spans_doctors_and_days():
    doctors = {
        "ana": DoctorAvailabilityInput(TWO_MORNINGS),
        "beto": DoctorAvailabilityInput(TWO_MORNINGS),
    }
    slots = free_slots_range(doctors, MONDAY, TUESDAY, now=at(MONDAY, "08:00"), limit=3)
    # Monday is full after notice except 09:00 and 09:30 for both doctors.
    assert [(s.doctor_id, s.start) for s in slots] == [
        ("ana", at(MONDAY, "09:00")),
        ("beto", at(MONDAY, "09:00")),
        ("ana", at(MONDAY, "09:30")),
    ]


def test_free_slots_range_merges_doctors_in_different_zones_by_real_time():
    doctors = {
        "bogota": DoctorAvailabilityInput(rules(period(0, "08:00", "09:00"))),
        "santiago": DoctorAvailabilityInput(
            rules(period(0, "08:00", "09:00"), timezone="America/Santiago")
        ),
    }
    slots = free_slots_range(doctors, MONDAY, MONDAY, now=NOW, limit=None)
    # In June Santiago is UTC-4, an hour ahead of Bogota.
    assert [s.doctor_id for s in slots] == ["santiago", "santiago", "bogota", "bogota"]


def test_free_slots_range_stays_inside_the_days_given():
    every_day = rules(*(period(weekday, "08:00", "09:00") for weekday in range(7)))
    doctors = {"ana": DoctorAvailabilityInput(every_day)}
    slots = free_slots_range(doctors, TUESDAY, date(2026, 6, 3), now=NOW, limit=None)
    assert {s.start.astimezone(BOGOTA).date() for s in slots} == {TUESDAY, date(2026, 6, 3)}
    assert free_slots_range(doctors, TUESDAY, MONDAY, now=NOW) == []


def test_free_slots_range_applies_each_doctors_horizon():
    doctors = {
        "short": DoctorAvailabilityInput(rules(period(1, "08:00", "09:00"), horizon_days=1)),
        "long": DoctorAvailabilityInput(rules(period(1, "08:00", "09:00"), horizon_days=5)),
    }
    slots = free_slots_range(doctors, MONDAY, TUESDAY, now=at(SUNDAY_BEFORE, "08:00"), limit=None)
    assert {s.doctor_id for s in slots} == {"long"}


def test_free_slots_range_matches_day_by_day_search():
    weekdays = rules(
        *(
            period(weekday, start, end)
            for weekday in range(5)
            for start, end in [("08:00", "12:30"), ("14:00", "18:00")]
        )
    )
    mornings_and_saturdays = rules(
        period(5, "09:00", "13:00"), period(0, "10:00", "16:00"), slot_minutes=20, buffer_minutes=0
    )
    doctors = {
        "ana": DoctorAvailabilityInput(
            weekdays,
            appointments=[span(MONDAY, "09:00", "09:30"), span(TUESDAY, "15:00", "16:00")],
            blocked=[span(date(2026, 6, 3), "00:00", "23:00")],
        ),
        "beto": DoctorAvailabilityInput(
            mornings_and_saturdays, appointments=[span(date(2026, 6, 6), "10:00", "10:20")]
        ),
        "carla": DoctorAvailabilityInput(weekdays),
    }
    now = at(MONDAY, "11:07")
    days = [MONDAY + timedelta(days=n) for n in range(7)]
    expected = sorted(
        (
            slot
            for order, (doctor_id, doctor) in enumerate(doctors.items())
            for day in days
            for slot in free_slots(
                doctor.rules,
                day,
                appointments=doctor.appointments,
                blocked=doctor.blocked,
                now=now,
                doctor_id=doctor_id,
                limit=None,
            )
        ),
        key=lambda s: (s.start, list(doctors).index(s.doctor_id)),
    )
    assert free_slots_range(doctors, days[0], days[-1], now=now, limit=None) == expected
    assert free_slots_range(doctors, days[0], days[-1], now=now, limit=25) == expected[:25]


# Checking a booking against the schedule

FULL_MONDAY = rules(period(0, "08:00", "12:00"), period(0, "14:00", "18:00"), horizon_days=7)


def check(start: datetime, end: datetime, *, now: datetime = NOW, blocked=(), schedule=FULL_MONDAY):
    return fits_schedule(schedule, start, end, blocked=blocked, now=now)


def test_fits_schedule_accepts_booking_inside_working_hours():
    assert check(at(MONDAY, "09:00"), at(MONDAY, "09:30")) is None
    assert check(at(MONDAY, "08:10"), at(MONDAY, "08:55")) is None  # off the grid is fine
    assert check(at(MONDAY, "14:00"), at(MONDAY, "18:00")) is None


@pytest.mark.parametrize(
    ("start", "end"),
    [("11:30", "14:30"), ("17:45", "18:15"), ("07:45", "08:15"), ("12:00", "12:30")],
)
def test_fits_schedule_rejects_outside_working_hours(start, end):
    assert check(at(MONDAY, start), at(MONDAY, end)) == "outside_working_hours"


def test_fits_schedule_rejects_closed_day():
    assert check(at(TUESDAY, "09:00"), at(TUESDAY, "09:30")) == "outside_working_hours"


def test_fits_schedule_rejects_past():
    assert check(at(MONDAY, "09:00"), at(MONDAY, "09:30"), now=at(MONDAY, "10:00")) == "in_past"


def test_fits_schedule_rejects_inside_min_notice():
    now = at(MONDAY, "09:30")
    assert check(at(MONDAY, "10:00"), at(MONDAY, "10:30"), now=now) == "inside_min_notice"
    assert check(at(MONDAY, "10:30"), at(MONDAY, "11:00"), now=now) is None


def test_fits_schedule_rejects_beyond_horizon():
    # now is Sunday May 31st, horizon 7 days: Monday June 8th is one day too far.
    next_monday = date(2026, 6, 8)
    assert check(at(next_monday, "09:00"), at(next_monday, "09:30")) == "beyond_horizon"
    longer = rules(period(0, "08:00", "12:00"), horizon_days=8)
    assert check(at(next_monday, "09:00"), at(next_monday, "09:30"), schedule=longer) is None


def test_fits_schedule_rejects_blocked_time_but_not_touching_it():
    blocked = [span(MONDAY, "09:00", "10:00")]
    assert check(at(MONDAY, "09:30"), at(MONDAY, "10:00"), blocked=blocked) == "blocked"
    assert check(at(MONDAY, "10:00"), at(MONDAY, "10:30"), blocked=blocked) is None


def test_fits_schedule_accepts_second_pass_of_repeated_hour():
    schedule = rules(period(5, "22:00", "24:00"), timezone="America/Santiago")
    start = utc(date(2026, 4, 5), "03:00")  # 23:00 -04, the repeated hour
    assert (
        check(
            start,
            start + timedelta(minutes=30),
            now=utc(date(2026, 3, 20), "12:00"),
            schedule=schedule,
        )
        is None
    )


def test_fits_schedule_rejects_time_skipped_by_spring_forward():
    schedule = rules(period(6, "00:00", "03:00"), timezone="America/Santiago")
    now = utc(date(2026, 8, 20), "12:00")
    inside = utc(SPRING_FORWARD_DAY, "04:00")
    before = utc(SPRING_FORWARD_DAY, "03:30")  # Saturday 23:30 -04
    assert check(inside, inside + timedelta(minutes=30), now=now, schedule=schedule) is None
    assert (
        check(before, before + timedelta(minutes=30), now=now, schedule=schedule)
        == "outside_working_hours"
    )


def test_fits_schedule_rejects_naive_or_reversed_times():
    with pytest.raises(ValueError):
        check(datetime(2026, 6, 1, 9), datetime(2026, 6, 1, 10))
    with pytest.raises(ValueError):
        check(at(MONDAY, "10:00"), at(MONDAY, "09:00"))


# Property: free slots never collide with busy time and match a brute-force search

SCENARIO_DAYS = [MONDAY, FALL_BACK_DAY, date(2026, 4, 5), date(2026, 9, 5), SPRING_FORWARD_DAY]


@st.composite
def scenarios(draw):
    zone_name = draw(st.sampled_from(["America/Bogota", "America/Santiago"]))
    day = draw(st.sampled_from(SCENARIO_DAYS))
    periods = []
    for start, length in draw(
        st.lists(st.tuples(st.integers(0, 287), st.integers(1, 120)), max_size=3)
    ):
        start_minute, end_minute = start * 5, min(start * 5 + length * 5, 24 * 60)
        end = END_OF_DAY if end_minute == 24 * 60 else time(end_minute // 60, end_minute % 60)
        periods.append(
            WorkingPeriod(day.weekday(), time(start_minute // 60, start_minute % 60), end)
        )
    schedule = ScheduleRules(
        timezone=zone_name,
        periods=tuple(periods),
        slot_minutes=draw(st.sampled_from([10, 15, 20, 30, 45, 60])),
        buffer_minutes=draw(st.integers(0, 20)),
        min_notice_minutes=draw(st.integers(0, 240)),
        horizon_days=draw(st.integers(0, 2)),
    )
    origin = datetime.combine(day, time()).replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC)
    intervals = st.tuples(st.integers(-120, 26 * 60), st.integers(1, 180)).map(
        lambda p: Interval(
            origin + timedelta(minutes=p[0]), origin + timedelta(minutes=p[0] + p[1])
        )
    )
    appointments = draw(st.lists(intervals, max_size=8))
    blocked = draw(st.lists(intervals, max_size=3))
    now = origin + timedelta(minutes=draw(st.integers(-2 * 24 * 60, 26 * 60)))
    return schedule, day, appointments, blocked, now


def brute_force_starts(schedule, day, appointments, blocked, now):
    if day > now.astimezone(schedule.zone).date() + timedelta(days=schedule.horizon_days):
        return []
    length = timedelta(minutes=schedule.slot_minutes)
    pad = timedelta(minutes=schedule.buffer_minutes)
    busy = [Interval(a.start - pad, a.end + pad) for a in appointments] + list(blocked)
    earliest = now + timedelta(minutes=schedule.min_notice_minutes)
    starts = []
    for window in working_intervals(schedule, day):
        start = window.start
        while start + length <= window.end:
            candidate = Interval(start, start + length)
            if start >= earliest and not any(overlaps(candidate, b) for b in busy):
                starts.append(start)
            start += length
    return starts


@settings(deadline=None, max_examples=300)
@given(scenarios())
def test_free_slots_never_overlap_busy_time_and_stay_in_working_hours(scenario):
    schedule, day, appointments, blocked, now = scenario
    slots = free_slots(
        schedule, day, appointments=appointments, blocked=blocked, now=now, limit=None
    )

    pad = timedelta(minutes=schedule.buffer_minutes)
    windows = working_intervals(schedule, day)
    starts = [slot.start for slot in slots]
    assert starts == sorted(set(starts))
    for slot in slots:
        as_interval = Interval(slot.start, slot.end)
        assert slot.end - slot.start == timedelta(minutes=schedule.slot_minutes)
        assert slot.start >= now + timedelta(minutes=schedule.min_notice_minutes)
        assert any(w.start <= slot.start and slot.end <= w.end for w in windows)
        assert not any(
            overlaps(as_interval, Interval(a.start - pad, a.end + pad)) for a in appointments
        )
        assert not any(overlaps(as_interval, b) for b in blocked)
        assert fits_schedule(schedule, slot.start, slot.end, blocked=blocked, now=now) is None
    assert starts == brute_force_starts(schedule, day, appointments, blocked, now)


def test_fits_emergency_skips_working_hours_but_not_the_past_or_horizon():
    now = at(MONDAY, "10:00")
    schedule = rules(period(0, "08:00", "12:00"), horizon_days=60)
    assert fits_emergency(schedule, at(MONDAY, "23:30"), now=now) is None  # closed hours
    assert fits_emergency(schedule, now - EMERGENCY_GRACE, now=now) is None
    assert fits_emergency(schedule, now - EMERGENCY_GRACE - timedelta(seconds=1), now=now) == (
        "in_past"
    )
    assert fits_emergency(schedule, at(MONDAY + timedelta(days=60), "09:00"), now=now) is None
    assert fits_emergency(schedule, at(MONDAY + timedelta(days=61), "09:00"), now=now) == (
        "beyond_horizon"
    )
