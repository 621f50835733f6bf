from __future__ import annotations

from datetime import date, datetime, time

import pytest

from backend.domain import spanish_dates


def test_weekdays_start_on_monday_like_date_weekday():
    assert spanish_dates.WEEKDAYS[date(2027, 2, 3).weekday()] == "miércoles"
    assert spanish_dates.WEEKDAYS == (
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
    )
    assert spanish_dates.WEEKDAYS_SHORT == ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")


def test_long_date_writes_weekday_day_and_month_in_lower_case():
    assert spanish_dates.long_date(date(2027, 1, 29)) == "viernes 29 de enero"
    assert spanish_dates.long_date(date(2027, 1, 4), with_year=True) == "lunes 4 de enero de 2027"


@pytest.mark.parametrize(
    ("day", "short", "day_month", "with_year"),
    [
        (date(2027, 1, 28), "jue 28 ene", "28 ene", "28 ene 2027"),
        (date(2027, 9, 1), "mié 1 sep", "1 sep", "1 sep 2027"),
        (date(2027, 12, 5), "dom 5 dic", "5 dic", "5 dic 2027"),
    ],
)
def test_short_forms_abbreviate_to_three_letters(day, short, day_month, with_year):
    assert spanish_dates.short_date(day) == short
    assert spanish_dates.day_month(day) == day_month
    assert spanish_dates.day_month(day, with_year=True) == with_year


@pytest.mark.parametrize(
    ("moment", "clock", "at"),
    [
        (time(9, 0), "9:00 AM", "a las 9:00 AM"),
        (time(0, 15), "12:15 AM", "a las 12:15 AM"),
        (time(12, 0), "12:00 PM", "a las 12:00 PM"),
        (time(13, 30), "1:30 PM", "a la 1:30 PM"),
        (datetime(2027, 1, 28, 1, 5), "1:05 AM", "a la 1:05 AM"),
    ],
)
def test_clock_time_reads_like_the_spec(moment, clock, at):
    assert spanish_dates.clock_time(moment) == clock
    assert spanish_dates.at_time(moment) == at
