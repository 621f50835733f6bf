from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.domain.intervals import Interval, intersect, merge, overlaps, subtract

BASE = datetime(2026, 6, 1, tzinfo=UTC)


def iv(start: str, end: str) -> Interval:
    """An interval on 2026-06-01 UTC from "HH:MM" strings."""
    return Interval(_at(start), _at(end))


def _at(hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return BASE + timedelta(hours=hours, minutes=minutes)


def test_interval_rejects_naive_datetimes():
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(datetime(2026, 6, 1, 9), datetime(2026, 6, 1, 10))


@pytest.mark.parametrize(("start", "end"), [("10:00", "10:00"), ("10:00", "09:00")])
def test_interval_rejects_empty_or_reversed(start, end):
    with pytest.raises(ValueError, match="end after it starts"):
        iv(start, end)


def test_overlaps_touching_intervals_do_not_overlap():
    assert not overlaps(iv("09:00", "10:00"), iv("10:00", "11:00"))
    assert not overlaps(iv("10:00", "11:00"), iv("09:00", "10:00"))


def test_overlaps_partial_and_contained():
    assert overlaps(iv("09:00", "10:00"), iv("09:59", "11:00"))
    assert overlaps(iv("09:00", "12:00"), iv("10:00", "11:00"))
    assert overlaps(iv("10:00", "11:00"), iv("09:00", "12:00"))


def test_merge_empty_is_empty():
    assert merge([]) == []


def test_merge_sorts_and_joins_overlapping():
    merged = merge([iv("11:00", "12:00"), iv("09:00", "10:00"), iv("09:30", "10:30")])
    assert merged == [iv("09:00", "10:30"), iv("11:00", "12:00")]


def test_merge_joins_touching_intervals():
    assert merge([iv("10:00", "11:00"), iv("09:00", "10:00")]) == [iv("09:00", "11:00")]


def test_merge_swallows_contained_interval():
    assert merge([iv("09:00", "12:00"), iv("10:00", "11:00")]) == [iv("09:00", "12:00")]


def test_merge_accepts_generator():
    assert merge(x for x in [iv("09:00", "10:00")]) == [iv("09:00", "10:00")]


def test_subtract_nothing_returns_base_merged():
    assert subtract([iv("09:00", "10:00"), iv("09:30", "11:00")], []) == [iv("09:00", "11:00")]


def test_subtract_from_empty_is_empty():
    assert subtract([], [iv("09:00", "10:00")]) == []


def test_subtract_middle_cut_splits():
    assert subtract([iv("09:00", "12:00")], [iv("10:00", "11:00")]) == [
        iv("09:00", "10:00"),
        iv("11:00", "12:00"),
    ]


def test_subtract_touching_cuts_leave_base_whole():
    cuts = [iv("08:00", "09:00"), iv("12:00", "13:00")]
    assert subtract([iv("09:00", "12:00")], cuts) == [iv("09:00", "12:00")]


def test_subtract_covering_cut_removes_everything():
    assert subtract([iv("09:00", "10:00"), iv("11:00", "12:00")], [iv("08:00", "13:00")]) == []


def test_subtract_cut_spanning_two_base_pieces():
    base = [iv("08:00", "10:00"), iv("11:00", "13:00")]
    assert subtract(base, [iv("09:00", "12:00")]) == [iv("08:00", "09:00"), iv("12:00", "13:00")]


def test_subtract_long_cut_followed_by_short_cuts():
    base = [iv("08:00", "09:00"), iv("10:00", "11:00"), iv("12:00", "14:00")]
    cuts = [iv("08:30", "10:30"), iv("12:10", "12:20"), iv("13:00", "13:30")]
    assert subtract(base, cuts) == [
        iv("08:00", "08:30"),
        iv("10:30", "11:00"),
        iv("12:00", "12:10"),
        iv("12:20", "13:00"),
        iv("13:30", "14:00"),
    ]


def test_subtract_unsorted_overlapping_cuts():
    cuts = [iv("11:00", "11:30"), iv("09:30", "10:15"), iv("10:00", "10:30")]
    assert subtract([iv("09:00", "12:00")], cuts) == [
        iv("09:00", "09:30"),
        iv("10:30", "11:00"),
        iv("11:30", "12:00"),
    ]


def test_intersect_disjoint_and_touching_is_empty():
    assert intersect([iv("09:00", "10:00")], [iv("10:00", "11:00")]) == []
    assert intersect([iv("09:00", "10:00")], [iv("11:00", "12:00")]) == []


def test_intersect_with_empty_is_empty():
    assert intersect([], [iv("09:00", "10:00")]) == []


def test_intersect_one_interval_spanning_several():
    a = [iv("08:00", "18:00")]
    b = [iv("07:00", "09:00"), iv("10:00", "11:00"), iv("17:30", "19:00")]
    assert intersect(a, b) == [iv("08:00", "09:00"), iv("10:00", "11:00"), iv("17:30", "18:00")]
    assert intersect(b, a) == intersect(a, b)


def test_intersect_staggered_lists():
    a = [iv("08:00", "10:00"), iv("11:00", "13:00")]
    b = [iv("09:00", "11:30"), iv("12:30", "14:00")]
    assert intersect(a, b) == [iv("09:00", "10:00"), iv("11:00", "11:30"), iv("12:30", "13:00")]


# Property tests against a model where an interval set is a set of whole minutes.

_minute_spans = st.lists(
    st.tuples(st.integers(0, 200), st.integers(1, 40)).map(
        lambda p: Interval(BASE + timedelta(minutes=p[0]), BASE + timedelta(minutes=p[0] + p[1]))
    ),
    max_size=8,
)


def _minutes(intervals: list[Interval]) -> set[int]:
    covered: set[int] = set()
    for interval in intervals:
        first = (interval.start - BASE) // timedelta(minutes=1)
        last = (interval.end - BASE) // timedelta(minutes=1)
        covered.update(range(first, last))
    return covered


def _is_canonical(intervals: list[Interval]) -> bool:
    """Sorted, and each interval strictly before the next (no overlap, no touch)."""
    return all(a.end < b.start for a, b in zip(intervals, intervals[1:], strict=False))


@given(_minute_spans)
def test_merge_matches_minute_model(intervals):
    merged = merge(intervals)
    assert _minutes(merged) == _minutes(intervals)
    assert _is_canonical(merged)


@given(_minute_spans, _minute_spans)
def test_subtract_matches_minute_model(base, cut):
    result = subtract(sorted(base, key=lambda i: i.start), sorted(cut, key=lambda i: i.start))
    assert _minutes(result) == _minutes(base) - _minutes(cut)
    assert _is_canonical(result)


@given(_minute_spans, _minute_spans)
def test_intersect_matches_minute_model(a, b):
    result = intersect(a, b)
    assert _minutes(result) == _minutes(a) & _minutes(b)
    assert _is_canonical(result)
