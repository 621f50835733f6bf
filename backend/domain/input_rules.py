"""What text and dates the product accepts from outside (the API, the webhooks).

PostgreSQL refuses NUL in text and no encoder takes a lone surrogate, so such
characters must never reach a query; the other C0 controls have no meaning in
a name, a note or a chat message either. Line breaks and tabs are text.

Dates far from today overflow Python's `datetime` arithmetic (year 1 minus a
buffer, year 9999 plus a day) and mean nothing to a clinic; callers keep
instants inside `EARLIEST_YEAR`..`LATEST_YEAR` and bookings within
`DAYS_AHEAD` of today.
"""

from __future__ import annotations

import re
from datetime import date, datetime

CONTROL_CHARACTER_RANGES = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
"""C0 controls except tab, line feed and carriage return, and DEL, as a regex class body."""

CONTROL_CHARACTERS = re.compile(rf"[{CONTROL_CHARACTER_RANGES}\ud800-\udfff]")
"""The refused characters: `CONTROL_CHARACTER_RANGES` and lone UTF-16 surrogates."""

EARLIEST_YEAR = 2000
LATEST_YEAR = 2099
DAYS_AHEAD = 731
"""How far ahead (about two years) a booking or an availability question may reach."""


def has_control_characters(text: str) -> bool:
    """True when `text` holds a character `CONTROL_CHARACTERS` refuses (NUL, BEL, ESC, …)."""
    return CONTROL_CHARACTERS.search(text) is not None


_SEPARATORS = re.compile(r"[\x0b\x0c\x1c-\x1f]")
"""Vertical tab, form feed and the information separators: they part words."""


def strip_control_characters(text: str) -> str:
    """The text without the characters `CONTROL_CHARACTERS` refuses; a separator control
    becomes a space ("Ana\x1fRuiz" is "Ana Ruiz", not "AnaRuiz")."""
    return CONTROL_CHARACTERS.sub("", _SEPARATORS.sub(" ", text))


def year_in_range(value: date | datetime) -> bool:
    """True when the (local) year lies in `EARLIEST_YEAR`..`LATEST_YEAR`.

    Checked on the value as given, before any time zone arithmetic, which is
    what overflows at the ends of `datetime`'s range.
    """
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR


def within_reach(day: date, *, today: date) -> bool:
    """True when `day` is no later than `DAYS_AHEAD` days after `today`."""
    return (day - today).days <= DAYS_AHEAD
