"""One reading of a message whichever reader made it: Claude's fields first, the rules' for the rest."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from backend.domain.language import YesNo
from backend.domain.language.when import PartOfDay, Shift
from backend.integrations.llm import Interpretation
from backend.services.assistant.understanding import Understanding

NOW = datetime(2027, 1, 28, 20, 20, tzinfo=UTC)  # Thursday 15:20 in Bogotá
TZ = "America/Bogota"


def test_claude_time_joins_the_day_the_rules_read():
    reading = Understanding("el martes, tipo merienda", Interpretation(clock=time(16, 0)))
    hint = reading.moment(now=NOW, tz=TZ)
    assert hint is not None
    assert hint.days == (date(2027, 2, 2),) and hint.times == (time(16, 0),)
    assert hint.hours is None


def test_claude_part_of_day_becomes_the_rules_window_of_hours():
    reading = Understanding(
        "cuando salga del trabajo", Interpretation(dates=(date(2027, 2, 1),), part_of_day="evening")
    )
    hint = reading.moment(now=NOW, tz=TZ)
    assert hint is not None
    assert hint.days == (date(2027, 2, 1),) and hint.hours == (19, 24)
    assert hint.part_of_day == PartOfDay.EVENING


def test_claude_days_in_the_past_or_far_ahead_are_not_trusted():
    for wrong in (date(2026, 1, 28), date(2029, 1, 1)):
        assert (
            Understanding("ese día", Interpretation(dates=(wrong,))).moment(now=NOW, tz=TZ) is None
        )


def test_claude_days_win_over_the_rules_reading():
    reading = Understanding("el jueves", Interpretation(dates=(date(2027, 2, 4),)))
    hint = reading.moment(now=NOW, tz=TZ)
    assert hint is not None and hint.days == (date(2027, 2, 4),)


def test_without_claude_the_rules_read_the_moment_and_the_shift():
    reading = Understanding("¿algo más tardecito?")
    assert reading.moment(now=NOW, tz=TZ) is None
    assert reading.shift == Shift.LATER


def test_a_no_or_claude_rejection_rejects_the_offers():
    assert Understanding("no").rejects_offers
    assert Understanding(
        "esas horas no me cuadran", Interpretation(rejects_offers=True)
    ).rejects_offers
    assert not Understanding("la segunda").rejects_offers
    assert Understanding("no").yes_no == YesNo.NO


def test_claude_option_number_picks_among_listed_moments():
    starts = [datetime(2027, 1, 29, 15, tzinfo=UTC), datetime(2027, 2, 1, 20, tzinfo=UTC)]
    assert (
        Understanding("la del lunes", Interpretation(slot_option=2)).choice(starts, now=NOW, tz=TZ)
        == 1
    )
    assert (
        Understanding("la tercera", Interpretation(slot_option=3)).choice(starts, now=NOW, tz=TZ)
        is None
    )
