from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from backend.domain.language import parse_slot_choice, parse_when, wants_other_slots
from backend.domain.language import when as when_module

TZ = "America/Bogota"
BOGOTA = ZoneInfo(TZ)
# Thursday 28 January 2027, 10:00 at the clinic.
NOW = datetime(2027, 1, 28, 10, 0, tzinfo=BOGOTA)
# The spec's 3.1 offer: today 4:30 PM, tomorrow 9:00 AM, tomorrow 2:00 PM.
OFFERED = [
    datetime(2027, 1, 28, 16, 30, tzinfo=BOGOTA),
    datetime(2027, 1, 29, 9, 0, tzinfo=BOGOTA),
    datetime(2027, 1, 29, 14, 0, tzinfo=BOGOTA),
]


def choose(text, offered=OFFERED, now=NOW, tz=TZ):
    return parse_slot_choice(text, offered, now=now, tz=tz)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 0),
        ("2", 1),
        ("3.", 2),
        ("la primera", 0),
        ("La segunda", 1),
        ("la tercera opción", 2),
        ("opción 2", 1),
        ("opcion 3", 2),
        ("la 3", 2),
        ("dos", 1),
        ("me quedo con la primera", 0),
        ("la última", 2),
        ("creo que la 2 me sirve", 1),
    ],
)
def test_parse_slot_choice_by_number_or_ordinal(text, expected):
    assert choose(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mañana a las 9", 1),
        ("mañana a las 9", 1),
        ("la de las 2 de la tarde", 2),
        ("el viernes", None),
        ("a las 4:30", 0),
        ("las 4:30", 0),
        ("hoy 4:30 pm", 0),
        ("9am", 1),
        ("9 a.m.", 1),
        ("a las 9 de la mañana", 1),
        ("las 14:00", 2),
        ("a las 2", 2),
        ("a las dos de la tarde", 2),
        ("a las cuatro y media", 0),
        ("mañana en la tarde", 2),
        ("hoy", 0),
        ("29 de enero", None),
        ("el 29", None),
        ("29/01", None),
        ("mañana 9", 1),
    ],
)
def test_parse_slot_choice_by_moment(text, expected):
    """A day alone picks only a day with one offer: with two ("el viernes") it names no choice."""
    assert choose(text) == expected


def test_parse_slot_choice_date_and_time_must_both_match():
    offered = [
        datetime(2027, 1, 29, 9, 0, tzinfo=BOGOTA),
        datetime(2027, 1, 29, 10, 0, tzinfo=BOGOTA),
        datetime(2027, 1, 30, 10, 0, tzinfo=BOGOTA),
    ]
    assert choose("el viernes a las 10", offered) == 1
    assert choose("el sábado a las 10", offered) == 2
    assert choose("hoy a las 9") is None


def test_parse_slot_choice_hour_without_am_pm_prefers_an_offered_morning_slot():
    offered = [
        datetime(2027, 1, 29, 14, 0, tzinfo=BOGOTA),
        datetime(2027, 1, 30, 2, 0, tzinfo=BOGOTA),
    ]
    assert choose("a las 2", offered) == 1
    assert choose("a las 2 de la tarde", offered) == 0


def test_parse_slot_choice_bare_number_past_the_list_reads_as_an_hour():
    assert choose("9") == 1
    assert choose("4") is None


def test_parse_slot_choice_weekday_said_on_that_weekday_falls_back_to_today():
    assert choose("el jueves") == 0


@pytest.mark.parametrize(
    "text",
    [
        "ninguna",
        "ninguna de las 3",
        "otra",
        "otro horario",
        "no me sirve ninguna",
        "el sábado",
        "mañana a las 11",
        "a las 7",
        "la 5",
        "hola",
        "",
        "🐶",
        "el viernes a las 9 de la noche",
    ],
)
def test_parse_slot_choice_no_match(text):
    assert choose(text) is None


def test_parse_slot_choice_nothing_offered():
    assert choose("1", offered=[]) is None


def test_parse_slot_choice_compares_in_the_clinic_zone_whatever_the_input_zone():
    offered_utc = [slot.astimezone(UTC) for slot in OFFERED]
    assert choose("mañana a las 9", offered_utc, now=NOW.astimezone(UTC)) == 1


def test_parse_slot_choice_across_dst_end_in_santiago():
    # given Saturday 3 April 2027 in Santiago; clocks go back at midnight
    santiago = ZoneInfo("America/Santiago")
    now = datetime(2027, 4, 3, 10, 0, tzinfo=santiago)
    offered = [
        datetime(2027, 4, 3, 16, 30, tzinfo=santiago),
        # 08:00 on Sunday is 12:00 UTC, the UTC time 09:00 had on Saturday.
        datetime(2027, 4, 4, 8, 0, tzinfo=santiago),
        datetime(2027, 4, 4, 9, 0, tzinfo=santiago),
    ]
    assert offered[1].utcoffset() != offered[0].utcoffset()
    # when / then
    assert parse_slot_choice("mañana a las 9", offered, now=now, tz="America/Santiago") == 2
    assert parse_slot_choice("hoy 4:30 pm", offered, now=now, tz="America/Santiago") == 0


def test_parse_slot_choice_across_dst_start_in_santiago():
    santiago = ZoneInfo("America/Santiago")
    now = datetime(2027, 9, 4, 18, 0, tzinfo=santiago)
    offered = [
        datetime(2027, 9, 5, 8, 0, tzinfo=santiago),
        datetime(2027, 9, 5, 9, 0, tzinfo=santiago),
    ]
    assert parse_slot_choice("el domingo a las 9", offered, now=now, tz="America/Santiago") == 1


def test_parse_slot_choice_rejects_naive_times():
    with pytest.raises(ValueError, match="timezone-aware"):
        choose("1", now=NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="timezone-aware"):
        choose("1", offered=[slot.replace(tzinfo=None) for slot in OFFERED])


def test_parse_slot_choice_rejects_unknown_zone():
    with pytest.raises(ValueError, match="time zone"):
        choose("mañana a las 9", tz="Mars/Olympus")


@pytest.mark.parametrize(
    "text",
    ["ninguna", "Ninguno me sirve", "otra", "otro horario", "¿tienes otra hora?", "más opciones"],
)
def test_wants_other_slots_true(text):
    assert wants_other_slots(text)


@pytest.mark.parametrize("text", ["la primera", "mañana a las 9", "sí", ""])
def test_wants_other_slots_false(text):
    assert not wants_other_slots(text)


@pytest.mark.parametrize(
    ("text", "days", "times", "hours"),
    [
        ("pasado mañana", (date(2027, 1, 30),), (), None),
        ("el 30", (date(2027, 1, 30),), (), None),
        ("28 de enero", (date(2027, 1, 28),), (), None),
        ("el jueves", (date(2027, 2, 4), date(2027, 1, 28)), (), None),
        ("el próximo lunes", (date(2027, 2, 1),), (), None),
        ("al mediodía", (), (time(12, 0),), None),
        ("a la 1 del mediodía", (), (time(13, 0),), None),
        ("a las 10 menos cuarto", (), (time(9, 45), time(21, 45)), None),
        ("14 hrs", (), (time(14, 0),), None),
        ("mañana en la mañana", (date(2027, 1, 29),), (), (0, 12)),
        ("en la noche", (), (), (19, 24)),
    ],
)
def test_parse_when_reads_dates_times_and_parts_of_day(text, days, times, hours):
    hint = parse_when(text, now=NOW, tz=TZ)
    assert hint is not None
    assert (hint.days, hint.times, hint.hours) == (days, times, hours)


@pytest.mark.parametrize("text", ["hola", "mi perro tiene 3 años", "la 2", ""])
def test_parse_when_none_without_a_moment(text):
    assert parse_when(text, now=NOW, tz=TZ) is None


def test_parse_when_calls_dateparser_only_for_date_phrases_and_once_per_day(monkeypatch):
    # given a counting stand-in for dateparser and an empty cache
    calls = []
    real_parse = when_module._dateparser_parse()

    def counting_parse(*args, **kwargs):
        calls.append(args[0])
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(when_module, "_dateparser_parse", lambda: counting_parse)
    when_module._resolve_date.cache_clear()
    # when
    for text in ["la segunda", "a las 9", "hola", "las 14:00", "9am"]:
        parse_when(text, now=NOW, tz=TZ)
    for _ in range(3):
        parse_when("mañana a las 9", now=NOW, tz=TZ)
    # then
    assert calls == ["manana"]
    when_module._resolve_date.cache_clear()


def test_parse_when_never_opens_a_network_connection(monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    when_module._resolve_date.cache_clear()
    hint = parse_when("el 3 de febrero", now=NOW, tz=TZ)
    assert hint is not None
    assert hint.days == (date(2027, 2, 3),)
    when_module._resolve_date.cache_clear()
