"""parse_when on what patients write, with a frozen clock in the clinic's zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.domain.language.when import (
    PartOfDay,
    Shift,
    WhenHint,
    parse_when,
    requested_shift,
)

BOGOTA_TZ = "America/Bogota"
SANTIAGO_TZ = "America/Santiago"
BOGOTA = ZoneInfo(BOGOTA_TZ)
SANTIAGO = ZoneInfo(SANTIAGO_TZ)
# Thursday 28 January 2027, 10:00 at the clinic.
NOW = datetime(2027, 1, 28, 10, 0, tzinfo=BOGOTA)
THU = date(2027, 1, 28)
NEXT_WEEK = tuple(date(2027, 2, 1) + timedelta(days=n) for n in range(7))


def when(text: str, now: datetime = NOW, tz: str = BOGOTA_TZ) -> WhenHint:
    hint = parse_when(text, now=now, tz=tz)
    assert hint is not None, text
    return hint


def days_of(text: str, now: datetime = NOW, tz: str = BOGOTA_TZ) -> tuple[date, ...]:
    return when(text, now, tz).days


def times_of(text: str) -> tuple[time, ...]:
    return when(text).times


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("hoy", (THU,)),
        ("mañana", (date(2027, 1, 29),)),
        ("pasado mañana", (date(2027, 1, 30),)),
        ("PASADO MANANA", (date(2027, 1, 30),)),
        ("hoy mismo", (THU,)),
    ],
)
def test_parse_when_reads_today_tomorrow_and_the_day_after(text, days):
    assert days_of(text) == days


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("el viernes", (date(2027, 1, 29),)),
        ("viernes", (date(2027, 1, 29),)),
        ("este viernes", (date(2027, 1, 29),)),
        ("el miercoles", (date(2027, 2, 3),)),
        ("el próximo sábado", (date(2027, 1, 30),)),
        ("el lunes que viene", (date(2027, 2, 1),)),
        ("el viernes de la otra semana", (date(2027, 2, 5),)),
        ("el martes de la próxima semana", (date(2027, 2, 2),)),
        ("el otro viernes", (date(2027, 2, 5),)),
        # said on a Thursday
        ("el jueves", (date(2027, 2, 4), THU)),
        ("este jueves", (THU,)),
        ("el próximo jueves", (date(2027, 2, 4),)),
        ("el otro jueves", (date(2027, 2, 4),)),
    ],
)
def test_parse_when_reads_weekdays_with_and_without_este_proximo_otro(text, days):
    assert days_of(text) == days


def test_parse_when_el_otro_is_the_weekday_of_next_week_not_the_coming_one():
    monday = datetime(2027, 1, 25, 9, 0, tzinfo=BOGOTA)
    assert days_of("el martes", monday) == (date(2027, 1, 26),)
    assert days_of("el otro martes", monday) == (date(2027, 2, 2),)


@pytest.mark.parametrize(
    "text", ["la otra semana", "la próxima semana", "la semana que viene", "LA PROXIMA SEMANA"]
)
def test_parse_when_next_week_is_every_day_of_it_without_a_specific_day(text):
    hint = when(text)
    assert hint.days == NEXT_WEEK
    assert hint.day_range == (date(2027, 2, 1), date(2027, 2, 7))
    assert hint.times == ()


def test_parse_when_this_week_runs_from_today_to_sunday():
    hint = when("esta semana")
    assert hint.day_range == (THU, date(2027, 1, 31))
    assert hint.days == (THU, date(2027, 1, 29), date(2027, 1, 30), date(2027, 1, 31))


@pytest.mark.parametrize(
    ("text", "days"),
    [
        # "ocho días" is a week and "quince días" two; the literal day second.
        ("dentro de ocho días", (date(2027, 2, 4), date(2027, 2, 5))),
        ("en 8 días", (date(2027, 2, 4), date(2027, 2, 5))),
        ("en quince días", (date(2027, 2, 11), date(2027, 2, 12))),
        ("dentro de 15 dias", (date(2027, 2, 11), date(2027, 2, 12))),
        ("de hoy en ocho", (date(2027, 2, 4),)),
        ("en 3 dias", (date(2027, 1, 31),)),
        ("dentro de una semana", (date(2027, 2, 4),)),
        ("en dos semanas", (date(2027, 2, 11),)),
    ],
)
def test_parse_when_reads_days_from_now(text, days):
    hint = when(text)
    assert hint.days == days
    assert hint.day_range is None


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("el fin de semana", (date(2027, 1, 30), date(2027, 1, 31))),
        ("este finde", (date(2027, 1, 30), date(2027, 1, 31))),
        ("el próximo finde", (date(2027, 1, 30), date(2027, 1, 31))),
        ("el otro fin de semana", (date(2027, 2, 6), date(2027, 2, 7))),
    ],
)
def test_parse_when_reads_the_weekend_as_a_span(text, days):
    hint = when(text)
    assert hint.days == days
    assert hint.day_range == (days[0], days[-1])


def test_parse_when_weekend_said_on_saturday_and_sunday():
    saturday = datetime(2027, 1, 30, 9, 0, tzinfo=BOGOTA)
    sunday = datetime(2027, 1, 31, 9, 0, tzinfo=BOGOTA)
    assert days_of("este finde", saturday) == (date(2027, 1, 30), date(2027, 1, 31))
    assert days_of("el próximo fin de semana", saturday) == (date(2027, 2, 6), date(2027, 2, 7))
    # on a Sunday: today first, else next weekend
    assert days_of("el fin de semana", sunday) == (
        date(2027, 1, 31),
        date(2027, 2, 6),
        date(2027, 2, 7),
    )


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("el 15", (date(2027, 2, 15),)),
        ("el quince", (date(2027, 2, 15),)),
        ("el día 30", (date(2027, 1, 30),)),
        ("el 28", (THU,)),
        ("para el 15 a las 3", (date(2027, 2, 15),)),
        ("15 de diciembre", (date(2027, 12, 15),)),
        ("el quince de diciembre", (date(2027, 12, 15),)),
        ("15/12", (date(2027, 12, 15),)),
        ("diciembre 15", (date(2027, 12, 15),)),
        ("dic 15 de 2027", (date(2027, 12, 15),)),
        ("el primero de febrero", (date(2027, 2, 1),)),
        ("el treinta y uno de marzo", (date(2027, 3, 31),)),
        ("20 de enero", (date(2028, 1, 20),)),
        ("el viernes 29", (date(2027, 1, 29),)),
        ("el lunes 1", (date(2027, 2, 1),)),
    ],
)
def test_parse_when_reads_days_of_month_and_full_dates(text, days):
    assert days_of(text) == days


def test_parse_when_weekday_with_a_number_that_is_not_that_date_reads_a_time():
    # the 10th is no Friday: Friday at 10
    hint = when("el viernes 10")
    assert hint.days == (date(2027, 1, 29),)
    assert hint.times == (time(10, 0), time(22, 0))


@pytest.mark.parametrize(
    ("today", "text", "day"),
    [
        (date(2027, 1, 31), "mañana", date(2027, 2, 1)),
        (date(2027, 1, 31), "el 1", date(2027, 2, 1)),
        (date(2027, 1, 31), "pasado mañana", date(2027, 2, 2)),
        (date(2027, 1, 31), "el 31", date(2027, 1, 31)),
        (date(2027, 2, 10), "el 30", date(2027, 3, 30)),
        (date(2027, 2, 10), "el 29", date(2027, 3, 29)),
        (date(2027, 4, 15), "el 31", date(2027, 5, 31)),
        (date(2027, 4, 30), "en 3 días", date(2027, 5, 3)),
    ],
)
def test_parse_when_crosses_month_ends(today, text, day):
    now = datetime.combine(today, time(11, 0), tzinfo=BOGOTA)
    assert days_of(text, now) == (day,)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("hoy", (date(2027, 12, 31),)),
        ("31 de diciembre", (date(2027, 12, 31),)),
        ("mañana", (date(2028, 1, 1),)),
        ("el 2", (date(2028, 1, 2),)),
        ("2 de enero", (date(2028, 1, 2),)),
        ("1/1", (date(2028, 1, 1),)),
        ("el lunes", (date(2028, 1, 3),)),
        ("el fin de semana", (date(2028, 1, 1), date(2028, 1, 2))),
        ("en quince días", (date(2028, 1, 14), date(2028, 1, 15))),
    ],
)
def test_parse_when_crosses_the_year_end(text, days):
    # Friday 31 December 2027, 20:00: the clinic is closed
    now = datetime(2027, 12, 31, 20, 0, tzinfo=BOGOTA)
    assert days_of(text, now) == days


def test_parse_when_next_week_across_the_year_end():
    now = datetime(2027, 12, 31, 20, 0, tzinfo=BOGOTA)
    assert when("la próxima semana", now).day_range == (date(2028, 1, 3), date(2028, 1, 9))


def test_parse_when_hoy_in_the_evening_is_still_today():
    late = datetime(2027, 1, 28, 22, 45, tzinfo=BOGOTA)
    assert days_of("hoy", late) == (THU,)
    assert days_of("hoy en la tarde", late) == (THU,)


def test_parse_when_today_is_the_clinic_day_whatever_the_zone_of_now():
    # 03:00 UTC on 1 February is 22:00 on 31 January in Bogotá
    now = datetime(2027, 2, 1, 3, 0, tzinfo=UTC)
    assert days_of("hoy", now) == (date(2027, 1, 31),)
    assert days_of("mañana", now) == (date(2027, 2, 1),)


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("a las 10", (time(10, 0), time(22, 0))),
        ("10am", (time(10, 0),)),
        ("10 a. m.", (time(10, 0),)),
        ("10 p.m.", (time(22, 0),)),
        ("15:30", (time(15, 30),)),
        ("las 15:30 hrs", (time(15, 30),)),
        ("15h", (time(15, 0),)),
        ("3 y media de la tarde", (time(15, 30),)),
        ("a las 4 y cuarto", (time(4, 15), time(16, 15))),
        ("5 menos cuarto", (time(4, 45), time(16, 45))),
        ("cinco menos cuarto de la tarde", (time(16, 45),)),
        ("mediodía", (time(12, 0),)),
        ("a las doce del día", (time(12, 0),)),
        ("a las 10 del día", (time(10, 0),)),
        ("a las diez", (time(10, 0), time(22, 0))),
        ("a las diez y cuarenta", (time(10, 40), time(22, 40))),
        ("a las 3 en punto", (time(3, 0), time(15, 0))),
        ("a las tres en punto de la tarde", (time(15, 0),)),
        ("a la una y media", (time(1, 30), time(13, 30))),
        ("las quince horas", (time(15, 0),)),
        ("a las 7 de la noche", (time(19, 0),)),
        ("a las 12 de la noche", (time(0, 0),)),
        ("A LAS 9 DE LA MAÑANA", (time(9, 0),)),
    ],
)
def test_parse_when_reads_clock_times_in_digits_and_words(text, times):
    assert times_of(text) == times


def test_parse_when_part_of_day_settles_an_hour_said_without_am_pm():
    hint = when("mañana en la tarde tipo 3")
    assert hint.times == (time(15, 0),)
    assert hint.part_of_day == PartOfDay.AFTERNOON
    assert hint.hours is None


@pytest.mark.parametrize(
    ("text", "part", "hours"),
    [
        ("por la mañana", PartOfDay.MORNING, (0, 12)),
        ("en la mañanita", PartOfDay.MORNING, (0, 12)),
        ("temprano", PartOfDay.MORNING, (0, 12)),
        ("a primera hora", PartOfDay.MORNING, (0, 12)),
        ("antes del almuerzo", PartOfDay.MORNING, (0, 12)),
        ("tipo mediodía", PartOfDay.NOON, (11, 14)),
        ("por la tarde", PartOfDay.AFTERNOON, (12, 19)),
        ("a la tarde", PartOfDay.AFTERNOON, (12, 19)),
        ("en la tardecita", PartOfDay.AFTERNOON, (14, 19)),
        ("después del almuerzo", PartOfDay.AFTERNOON, (14, 19)),
        ("despues de almorzar", PartOfDay.AFTERNOON, (14, 19)),
        ("en la noche", PartOfDay.EVENING, (19, 24)),
        ("en la madrugada", PartOfDay.EARLY_MORNING, (0, 7)),
        # an explicit period wins over "temprano"
        ("temprano en la tarde", PartOfDay.AFTERNOON, (12, 19)),
        ("a primera hora de la tarde", PartOfDay.AFTERNOON, (12, 19)),
    ],
)
def test_parse_when_reads_parts_of_the_day_as_a_window(text, part, hours):
    hint = when(text)
    assert (hint.part_of_day, hint.hours, hint.times, hint.days) == (part, hours, (), ())


def test_parse_when_al_mediodia_stays_a_time_of_noon():
    hint = when("mañana al mediodía")
    assert hint.times == (time(12, 0),)
    assert hint.part_of_day == PartOfDay.NOON
    assert hint.hours is None


@pytest.mark.parametrize(
    ("text", "days", "hours"),
    [
        ("esta tarde", (THU,), (12, 19)),
        ("esta noche", (THU,), (19, 24)),
        ("hoy tarde", (THU,), (12, 19)),
        ("mañana tarde", (date(2027, 1, 29),), (12, 19)),
        ("mañana temprano", (date(2027, 1, 29),), (0, 12)),
        ("SABADO TEMPRANO", (date(2027, 1, 30),), (0, 12)),
        ("mañana por la mañana", (date(2027, 1, 29),), (0, 12)),
        ("el viernes en la tardecita", (date(2027, 1, 29),), (14, 19)),
    ],
)
def test_parse_when_reads_a_day_with_its_part(text, days, hours):
    hint = when(text)
    assert (hint.days, hint.hours) == (days, hours)


@pytest.mark.parametrize(
    "text",
    [
        "más tarde",
        "mas tarde",
        "más tardecito",
        "algo más tarde",
        "más temprano",
        "algo antes",
        "llego tarde",
        "hola buenas tardes",
        "buenas noches, quiero una cita",
        "no come desde hace 2 dias",
        "lo vacunaron hace 15 días",
        "el primero",
        "dos y dos",
    ],
)
def test_parse_when_none_for_a_shift_alone_or_no_moment(text):
    assert parse_when(text, now=NOW, tz=BOGOTA_TZ) is None


@pytest.mark.parametrize(
    ("text", "shift"),
    [
        ("algo antes", Shift.EARLIER),
        ("¿tienes algo antes?", Shift.EARLIER),
        ("más temprano", Shift.EARLIER),
        ("mas tempranito porfa", Shift.EARLIER),
        ("más tardecito", Shift.LATER),
        ("más tarde", Shift.LATER),
        ("un poco mas tarde", Shift.LATER),
        ("la primera", None),
        ("antes de las 10", None),
        ("en la tarde", None),
        ("temprano", None),
    ],
)
def test_requested_shift_reads_earlier_or_later(text, shift):
    assert requested_shift(text) == shift


def test_parse_when_keeps_a_shift_said_with_a_moment_and_mas_tarde_is_no_afternoon():
    hint = when("mañana pero más tarde")
    assert hint.days == (date(2027, 1, 29),)
    assert hint.shift == Shift.LATER
    assert hint.part_of_day is None
    assert hint.hours is None
    assert when("el viernes, algo más temprano").shift == Shift.EARLIER


def test_when_hint_new_fields_leave_matches_alone():
    hint = WhenHint(
        days=(date(2027, 1, 29),),
        day_range=(date(2027, 1, 29), date(2027, 1, 29)),
        part_of_day=PartOfDay.MORNING,
        shift=Shift.LATER,
    )
    assert hint.matches(datetime(2027, 1, 29, 16, 0, tzinfo=BOGOTA))


def test_parse_when_next_week_matches_slots_only_in_that_week():
    hint = when("la semana que viene en la mañana")
    assert hint.matches(datetime(2027, 2, 3, 9, 0, tzinfo=BOGOTA))
    assert not hint.matches(datetime(2027, 2, 3, 15, 0, tzinfo=BOGOTA))
    assert not hint.matches(datetime(2027, 1, 29, 9, 0, tzinfo=BOGOTA))


def test_parse_when_across_dst_end_in_santiago_2026():
    # given: clocks go back from 24:00 to 23:00 on Saturday 4 April 2026
    first_2330 = datetime(2026, 4, 5, 2, 30, tzinfo=UTC)
    second_2330 = datetime(2026, 4, 5, 3, 30, tzinfo=UTC)
    after_midnight = datetime(2026, 4, 5, 4, 30, tzinfo=UTC)
    assert (
        first_2330.astimezone(SANTIAGO).utcoffset() != second_2330.astimezone(SANTIAGO).utcoffset()
    )
    # when / then: both 23:30s are still Saturday
    for now in (first_2330, second_2330):
        assert days_of("hoy", now, SANTIAGO_TZ) == (date(2026, 4, 4),)
        hint = when("mañana a las 9", now, SANTIAGO_TZ)
        assert (hint.days, hint.times) == ((date(2026, 4, 5),), (time(9, 0), time(21, 0)))
    assert days_of("hoy", after_midnight, SANTIAGO_TZ) == (date(2026, 4, 5),)
    # a 09:00 slot on the change day matches in local time (13:00 UTC, not 12:00)
    slot = datetime(2026, 4, 5, 13, 0, tzinfo=UTC)
    assert when("mañana a las 9", first_2330, SANTIAGO_TZ).matches(slot.astimezone(SANTIAGO))


def test_parse_when_across_dst_start_in_santiago_2026():
    # given: Saturday 5 September 2026 ends at 24:00, Sunday starts at 01:00
    before = datetime(2026, 9, 6, 3, 30, tzinfo=UTC)  # 23:30 Saturday (-04)
    after = datetime(2026, 9, 6, 4, 30, tzinfo=UTC)  # 01:30 Sunday (-03)
    assert after.astimezone(SANTIAGO).hour == 1
    # when / then
    assert days_of("hoy", before, SANTIAGO_TZ) == (date(2026, 9, 5),)
    assert days_of("mañana", before, SANTIAGO_TZ) == (date(2026, 9, 6),)
    assert days_of("el domingo", before, SANTIAGO_TZ) == (date(2026, 9, 6),)
    assert days_of("hoy", after, SANTIAGO_TZ) == (date(2026, 9, 6),)
    assert days_of("el lunes", after, SANTIAGO_TZ) == (date(2026, 9, 7),)


def test_parse_when_weekend_and_week_across_dst_end_in_santiago_2027():
    # Saturday 3 April 2027, 22:00; clocks go back at midnight
    now = datetime(2027, 4, 3, 22, 0, tzinfo=SANTIAGO)
    assert days_of("este finde", now, SANTIAGO_TZ) == (date(2027, 4, 3), date(2027, 4, 4))
    assert when("la próxima semana", now, SANTIAGO_TZ).day_range == (
        date(2027, 4, 5),
        date(2027, 4, 11),
    )
    hint = when("el domingo en la mañana", now, SANTIAGO_TZ)
    assert hint.days == (date(2027, 4, 4),)
    assert hint.matches(datetime(2027, 4, 4, 9, 0, tzinfo=SANTIAGO))


@pytest.mark.parametrize(
    "text",
    [
        "Mañana a las 9",
        "MAÑANA A LAS 9",
        "manana a las 9",
        "mañana a las 9 😊",
        "mañana a las nueve",
        "mañana 9 am",
    ],
)
def test_parse_when_ignores_case_accents_and_emoji(text):
    hint = when(text)
    assert hint.days == (date(2027, 1, 29),)
    assert hint.times[0] == time(9, 0)


def test_a_hint_survives_the_booking_draft_storage_unchanged():
    from backend.domain.language.when import WhenHint

    for text in (
        "el próximo martes a las 3 y media",
        "la otra semana en la tarde",
        "mañana temprano",
    ):
        hint = parse_when(text, now=datetime(2027, 1, 28, 15, 0, tzinfo=UTC), tz="America/Bogota")
        assert hint is not None
        assert WhenHint.from_json(hint.to_json()) == hint


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("¿mañana antes de las 10 tienen algo?", (0, 10)),
        ("después de las 4", (16, 24)),
        ("el viernes por la tarde, después de las 4", (16, 19)),
        ("desde las 3", (15, 24)),
        ("a partir de las 2 de la tarde", (14, 19)),
        ("hasta las 11 de la mañana", (0, 11)),
        ("después de las 4:30", (17, 24)),
    ],
)
def test_a_time_said_as_a_limit_is_a_window_not_a_moment(text, hours):
    hint = parse_when(text, now=datetime(2027, 1, 28, 15, 0, tzinfo=UTC), tz="America/Bogota")
    assert hint is not None
    assert hint.hours == hours and hint.times == ()


def test_a_ultima_hora_is_the_end_of_the_day():
    from backend.domain.language.when import PartOfDay

    hint = parse_when(
        "el martes a última hora", now=datetime(2027, 1, 28, 15, 0, tzinfo=UTC), tz="America/Bogota"
    )
    assert hint is not None and hint.part_of_day == PartOfDay.END_OF_DAY
    assert hint.days == (date(2027, 2, 2),)
