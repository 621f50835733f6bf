"""Which characters and dates the product accepts from outside."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from backend.domain.input_rules import (
    DAYS_AHEAD,
    has_control_characters,
    strip_control_characters,
    within_reach,
    year_in_range,
)


@pytest.mark.parametrize("text", ["\x00", "a\x07b", "\x1b[31m", "\x7f", "\ud800", "x\x0c"])
def test_control_characters_and_lone_surrogates_are_refused(text):
    assert has_control_characters(text)


@pytest.mark.parametrize("text", ["", "línea 1\r\nlínea 2\tfin", "Mejía Núñez 🐾", "¿Sí?"])
def test_text_line_breaks_tabs_and_unicode_are_accepted(text):
    assert not has_control_characters(text)


def test_strip_control_characters_keeps_the_text():
    assert strip_control_characters("ho\x00la\x07\n🐾\ud800") == "hola\n🐾"
    assert strip_control_characters("Ana\x1fRuiz") == "Ana Ruiz"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), False),
        (datetime(9999, 12, 31, 23, 59, tzinfo=UTC), False),
        (date(1999, 12, 31), False),
        (date(2000, 1, 1), True),
        (datetime(2099, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))), True),
        (date(2100, 1, 1), False),
    ],
)
def test_year_in_range_is_checked_before_any_time_zone_arithmetic(value, expected):
    assert year_in_range(value) is expected


def test_within_reach_is_about_two_years():
    today = date(2027, 1, 28)
    assert within_reach(today + timedelta(days=DAYS_AHEAD), today=today)
    assert not within_reach(today + timedelta(days=DAYS_AHEAD + 1), today=today)
