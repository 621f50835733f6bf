"""Dates and times written in Spanish: the one place the product spells them.

Weekday and month names come from CLDR through Babel (locale "es"), which
ships its own data, so the wording never depends on the machine's locale.
Everything is lower case, as Spanish writes dates inside a sentence; callers
capitalise at the start of a line.

Two pieces are written by hand because CLDR's Spanish differs from what the
product has always shown: the time of day reads as in the spec ("9:00 AM",
where CLDR writes "9:00 a. m."), and September is abbreviated "sep" (CLDR:
"sept").
"""

from __future__ import annotations

from datetime import date, datetime, time

from babel.dates import format_date, get_day_names

LOCALE = "es"

# Monday first, indexed like `date.weekday()`.
WEEKDAYS: tuple[str, ...] = tuple(get_day_names("wide", locale=LOCALE)[day] for day in range(7))
WEEKDAYS_SHORT: tuple[str, ...] = tuple(
    get_day_names("abbreviated", locale=LOCALE)[day] for day in range(7)
)


def long_date(day: date, *, with_year: bool = False) -> str:
    """The weekday, day and month: "viernes 29 de enero".

    Args:
        day: The calendar day (already in the clinic's zone).
        with_year: Add the year: "viernes 29 de enero de 2027".
    """
    pattern = "EEEE d 'de' MMMM 'de' y" if with_year else "EEEE d 'de' MMMM"
    return format_date(day, pattern, locale=LOCALE)


def short_date(day: date) -> str:
    """Abbreviated weekday, day and month: "jue 28 ene"."""
    return _sep(format_date(day, "EEE d MMM", locale=LOCALE), day)


def day_month(day: date, *, with_year: bool = False) -> str:
    """Day and abbreviated month: "28 ene" ("28 ene 2027" with the year)."""
    return _sep(format_date(day, "d MMM y" if with_year else "d MMM", locale=LOCALE), day)


def _sep(text: str, day: date) -> str:
    """CLDR abbreviates September "sept"; the portal writes three letters, "sep"."""
    return text.replace("sept", "sep") if day.month == 9 else text


def clock_time(moment: datetime | time) -> str:
    """The time as the spec writes it: "9:00 AM", "4:30 PM", "12:00 PM" (noon)."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def at_time(moment: datetime | time) -> str:
    """The time after its article: "a las 9:00 AM", but "a la 1:00 PM"."""
    return ("a la " if moment.hour % 12 == 1 else "a las ") + clock_time(moment)
