"""Half-open time intervals and the set operations availability is built from.

Every function returns a sorted list of disjoint, non-empty intervals. Inputs
that are already sorted by start cost linear time (Timsort detects the run), so
callers that keep their data sorted never pay for a sort twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span ``[start, end)`` between two timezone-aware datetimes.

    Half-open so that back-to-back appointments (10:00-10:30, 10:30-11:00)
    touch without overlapping. Datetimes are meant to be UTC; any aware zone
    compares correctly.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("interval bounds must be timezone-aware")
        if self.end <= self.start:
            raise ValueError(f"interval must end after it starts: {self.start} .. {self.end}")


def _by_start(interval: Interval) -> datetime:
    return interval.start


def overlaps(a: Interval, b: Interval) -> bool:
    """True when the two intervals share at least one instant (touching is not overlapping)."""
    return a.start < b.end and b.start < a.end


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and join intervals that overlap or touch into disjoint ones."""
    merged: list[Interval] = []
    for interval in sorted(intervals, key=_by_start):
        if merged and interval.start <= merged[-1].end:
            last = merged[-1]
            if interval.end > last.end:
                merged[-1] = Interval(last.start, interval.end)
        else:
            merged.append(interval)
    return merged


def subtract(base: Sequence[Interval], cut: Sequence[Interval]) -> list[Interval]:
    """The parts of ``base`` not covered by any interval of ``cut``.

    Both sides are merged first (linear when sorted), which makes the sweep a
    single two-pointer pass: O(n + m).
    """
    cuts = merge(cut)
    result: list[Interval] = []
    j = 0
    for piece in merge(base):
        while j < len(cuts) and cuts[j].end <= piece.start:
            j += 1
        cursor = piece.start
        k = j
        while k < len(cuts) and cuts[k].start < piece.end:
            if cuts[k].start > cursor:
                result.append(Interval(cursor, cuts[k].start))
            cursor = max(cursor, cuts[k].end)
            k += 1
        if cursor < piece.end:
            result.append(Interval(cursor, piece.end))
    return result


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """The instants covered by both ``a`` and ``b``, in one two-pointer pass."""
    left, right = merge(a), merge(b)
    result: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i].start, right[j].start)
        end = min(left[i].end, right[j].end)
        if start < end:
            result.append(Interval(start, end))
        if left[i].end <= right[j].end:
            i += 1
        else:
            j += 1
    return result
