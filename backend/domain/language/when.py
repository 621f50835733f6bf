"""Dates and times named in a Spanish message ("mañana a las 9", "el viernes").

Dates go through `dateparser` (Spanish only, preferring the future, relative
to the clinic's local day). Clock times are read here instead: dateparser 1.5
misreads the ordinary Spanish forms ("mañana a las 9" comes back at 10:00,
"a las 2" as the 2nd of the month, "las 14:00" and "2 de la tarde" not at all).

dateparser costs about a millisecond a call, so it only sees the date phrase
a cheap regex found, and each (phrase, local day) is resolved once and cached.
It never touches the network.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from backend.domain.language.normalize import cache_short_texts, normalize

_MONTHS = (
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|"
    "octubre|noviembre|diciembre|ene|feb|mar|abr|may|jun|jul|ago|sep|sept|oct|"
    "nov|dic"
)
_WEEKDAYS = "lunes|martes|miercoles|jueves|viernes|sabado|domingo"
_WEEKDAY_INDEX = {name: index for index, name in enumerate(_WEEKDAYS.split("|"))}
_NUMBER_WORDS = {
    "una": 1,
    "uno": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "once": 11,
    "doce": 12,
}

# Parts of the day. Attached to an hour they fix am/pm ("a las 2 de la
# tarde"); alone they narrow the choice ("mañana en la tarde").
_PERIOD_PHRASE = r"(?:de|en|por) la (?:manana|madrugada|tarde|noche)|del mediodia|de mediodia"
_PERIOD_HOURS = {
    "manana": (0, 12),
    "madrugada": (0, 7),
    "tarde": (12, 19),
    "noche": (19, 24),
    "mediodia": (11, 14),
}
_PERIOD = re.compile(rf"\b(?:{_PERIOD_PHRASE})\b")

_DATE_LEAD = rf"hoy|manana|pasado manana|{_WEEKDAYS}"
_HOUR = r"\d{1,2}|" + "|".join(_NUMBER_WORDS)
_TIME = re.compile(
    r"(?:\b(?P<lead>a las|a la|las|de las|de la|tipo|sobre las|como a las|"
    rf"eso de las|para las|desde las|{_DATE_LEAD})\s+)?"
    rf"\b(?P<hour>{_HOUR})"
    r"(?::(?P<minute>\d{2})"
    r"|\s+y\s+(?P<plus>media|cuarto|\d{1,2})"
    r"|\s+menos\s+(?P<minus>cuarto|\d{1,2}))?"
    r"(?:\s*(?P<ampm>am|pm)\b|\s+(?P<unit>hrs|hr|hs|h|horas|en punto)\b)?"
    rf"(?:\s+(?P<period>{_PERIOD_PHRASE}))?\b"
    rf"(?!\s*(?:/|de (?:{_MONTHS})\b))"
)
_AMPM = re.compile(r"(\d)\s*([ap])\s?m\b")
_NOON = re.compile(r"\b(?:al|a|el|para el) mediodia\b|^mediodia$")

_DATE = re.compile(
    r"\b(?:(?P<after_tomorrow>pasado manana)|(?P<relative>hoy|manana)"
    rf"|(?:(?:el|este|esta|proximo|el proximo)\s+)?(?P<weekday>{_WEEKDAYS})"
    rf"|(?P<day_month>\d{{1,2}}\s+de\s+(?:{_MONTHS})(?:\s+(?:de\s+)?\d{{4}})?)"
    r"|(?P<numeric>\d{1,2}/\d{1,2}(?:/\d{2,4})?)"
    r"|(?:el dia|el|dia)\s+(?P<day>\d{1,2})(?!\s*(?::|/|am|pm|hrs|horas|de\b|y media|y cuarto)))\b"
)


@dataclass(frozen=True)
class WhenHint:
    """A moment a client named, in the clinic's local time.

    `days` are candidate local dates in order of preference (a weekday said on
    that same weekday may mean today or a week later); `times` candidate local
    clock times in order of preference ("a las 2" is 02:00 or 14:00); `hours`
    a [start, end) range of local hours from "en la tarde"-like phrases.
    Empty or None means "not said".
    """

    days: tuple[date, ...] = ()
    times: tuple[time, ...] = ()
    hours: tuple[int, int] | None = None

    def matches(self, local: datetime) -> bool:
        if self.days and local.date() not in self.days:
            return False
        if self.times and local.time().replace(second=0, microsecond=0) not in self.times:
            return False
        return self.hours is None or self.hours[0] <= local.hour < self.hours[1]


@dataclass(frozen=True)
class _TextWhen:
    """What the text alone says, before knowing which day is today."""

    date_kind: str | None
    date_phrase: str | None
    times: tuple[time, ...]
    hours: tuple[int, int] | None


def _hour_value(raw: str) -> int:
    return _NUMBER_WORDS[raw] if raw in _NUMBER_WORDS else int(raw)


def _minute_offset(match: re.Match[str]) -> int | None:
    if match.group("minute"):
        return int(match.group("minute"))
    plus, minus = match.group("plus"), match.group("minus")
    if plus:
        return {"media": 30, "cuarto": 15}.get(plus, None) or int(plus)
    if minus:
        return -({"cuarto": 15}.get(minus, None) or int(minus))
    return 0


def _period_name(phrase: str) -> str:
    return phrase.rsplit(" ", 1)[-1]


def _clock_times(match: re.Match[str]) -> tuple[time, ...]:
    """Candidate local times for one time match; () when it is not a time."""
    raw_hour = match.group("hour")
    explicit = any(
        match.group(name) for name in ("minute", "plus", "minus", "ampm", "unit", "period")
    )
    is_word = raw_hour in _NUMBER_WORDS
    if is_word and not (match.group("lead") or explicit):
        return ()
    if not (explicit or match.group("lead")):
        return ()
    hour, minutes = _hour_value(raw_hour), _minute_offset(match)
    if minutes is None or hour > 24 or not -59 <= minutes <= 59:
        return ()
    hour %= 24
    ampm, period = match.group("ampm"), match.group("period")
    period_name = _period_name(period) if period else None
    if ampm == "am" or period_name in ("manana", "madrugada"):
        hours = [hour % 12] if hour <= 12 else []
    elif ampm == "pm" or period_name in ("tarde", "noche", "mediodia"):
        hours = [hour % 12 + 12] if hour <= 12 else [hour]
    elif 1 <= hour <= 11:
        hours = [hour, hour + 12]
    else:
        hours = [hour]
    result = []
    for h in hours:
        total = (h * 60 + minutes) % (24 * 60)
        result.append(time(total // 60, total % 60))
    return tuple(result)


def _date_phrase(match: re.Match[str]) -> tuple[str, str]:
    """(kind, phrase for dateparser) for one date match."""
    if match.group("after_tomorrow"):
        return "relative", "en 2 dias"
    if match.group("relative"):
        return "relative", match.group("relative")
    if match.group("weekday"):
        return "weekday", match.group("weekday")
    if match.group("day"):
        return "absolute", match.group("day")
    return "absolute", match.group("day_month") or match.group("numeric")


# The cheap pre-check: a moment needs a digit or one of these words.
_DIGIT = re.compile(r"\d")
_WHEN_WORDS = frozenset(
    (
        *_WEEKDAYS.split("|"),
        *_NUMBER_WORDS,
        "hoy",
        "manana",
        "mediodia",
        "tarde",
        "noche",
        "madrugada",
    )
)


@cache_short_texts
def _read_text(normalized: str) -> _TextWhen | None:
    if not (_DIGIT.search(normalized) or _WHEN_WORDS.intersection(normalized.split())):
        return None
    text = _AMPM.sub(r"\1\2m", normalized)
    times: tuple[time, ...] = ()
    if _NOON.search(text):
        times = (time(12, 0),)
    else:
        for match in _TIME.finditer(text):
            times = _clock_times(match)
            if times:
                break
    hours = None
    if not times:
        period = _PERIOD.search(text)
        if period:
            hours = _PERIOD_HOURS[_period_name(period.group(0))]
    without_periods = _PERIOD.sub(" ", text)
    date_match = _DATE.search(without_periods)
    kind, phrase = _date_phrase(date_match) if date_match else (None, None)
    if kind is None and not times and hours is None:
        return None
    return _TextWhen(kind, phrase, times, hours)


@lru_cache(maxsize=1)
def _dateparser_parse() -> Callable[..., Any]:
    import dateparser  # noqa: PLC0415 - ~0.25 s import, paid only once a date is seen

    parse: Callable[..., Any] = dateparser.parse
    return parse


@lru_cache(maxsize=4096)
def _resolve_date(phrase: str, base: date, tz: str) -> date | None:
    """The local date dateparser reads in `phrase`, seen from local day `base`."""
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": datetime.combine(base, time(12, 0)),
        "TIMEZONE": tz,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": "DMY",
    }
    try:
        parsed = _dateparser_parse()(phrase, languages=["es"], settings=settings)
    except Exception:  # noqa: BLE001 - third-party parser on client text: no answer, not a crash
        return None
    return parsed.date() if isinstance(parsed, datetime) else None


def _candidate_days(kind: str, phrase: str, today: date, tz: str) -> tuple[date, ...]:
    if kind == "absolute":
        # Seen from yesterday, so a date naming today is today; from today,
        # "preferring the future" would move it to next year.
        resolved = _resolve_date(phrase, today - timedelta(days=1), tz)
        return (resolved,) if resolved else ()
    resolved = _resolve_date(phrase, today, tz)
    if resolved is None:
        return ()
    if kind == "weekday" and _WEEKDAY_INDEX[phrase] == today.weekday():
        # "el jueves" said on a Thursday: next week first, today if not.
        return (resolved, today) if resolved != today else (today,)
    return (resolved,)


def local_zone(tz: str) -> ZoneInfo:
    """The clinic's zone; raises ValueError for an unknown IANA name."""
    try:
        return ZoneInfo(tz)
    except (KeyError, ValueError) as error:
        raise ValueError(f"unknown time zone: {tz!r}") from error


def parse_when(text: str, *, now: datetime, tz: str) -> WhenHint | None:
    """The date, time or part of day a message names, in the clinic's zone.

    Returns None when it names none, or when the date it names cannot be read.
    `now` must be timezone-aware.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    read = _read_text(normalize(text))
    if read is None:
        return None
    days: tuple[date, ...] = ()
    if read.date_kind is not None and read.date_phrase is not None:
        today = now.astimezone(local_zone(tz)).date()
        days = _candidate_days(read.date_kind, read.date_phrase, today, tz)
        if not days:
            return None
    return WhenHint(days=days, times=read.times, hours=read.hours)


def warm_up() -> None:
    """Load dateparser's Spanish data now (~0.3 s) instead of on a first message."""
    _resolve_date("manana", date(2000, 1, 1), "UTC")
