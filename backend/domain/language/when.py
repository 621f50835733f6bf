"""Dates and times named in a Spanish message ("mañana a las 9", "el viernes").

What it reads, in the clinic's zone and relative to a given `now`:

- days: hoy / mañana / pasado mañana; weekdays, alone or with "este",
  "el próximo", "el otro", "de la otra semana"; day of month ("el 15", "el
  quince"); full dates ("15 de diciembre", "diciembre 15", "15/12");
- spans: "la próxima / la otra semana", "la semana que viene", "esta
  semana", "el fin de semana", "este finde" (every day of the span, and the
  span itself); "dentro de ocho días", "en quince días" (in Spanish "ocho
  días" is a week, "quince días" two; the literal day comes second);
- clock times, 12- and 24-hour, in digits or words ("10am", "15:30", "a las
  diez", "3 y media de la tarde", "5 menos cuarto", "mediodía", "a las doce
  del día");
- parts of the day as a window of hours ("por la mañana", "temprano", "en la
  tardecita", "después del almuerzo", "en la noche");
- a shift relative to what was offered ("más temprano", "algo antes", "más
  tardecito"): `WhenHint.shift`, or `requested_shift` when it is all the
  message says ("más tarde" is a shift, never "la tarde").

Library choice, measured on 200 sample messages (55 phrases of the families
above, cycled) on this machine:

- Microsoft Recognizers-Text (`recognizers-text-date-time` 1.0.2a2, an alpha
  from 2019, only imports with emoji<2; `ms-recognizers-text-date-time`
  1.0.0.1 installs a module name its own code does not import): ~5.3 ms a
  message, and wrong for this audience: "manana" without the tilde, "la otra
  semana", "mañanita", "temprano", "después del almuerzo" unread; "por la
  tarde" is 16-20 h; "quiero una cita para mi" read as Wednesday 01:00.
- dateparser 1.5 (already a dependency): 0.14 ms a whole message, 0.3 ms a
  date phrase, once warm; but it reads few whole messages ("el viernes", "a las 10", "pasado mañana", "por
  la tarde" → nothing or wrong) and bare day numbers go wrong at month ends
  ("1" on 30 January → 1 January, "30" in February → None, "29" in February
  2027 → February 2028). It still resolves the plain calendar phrases it gets
  right (hoy / mañana / pasado mañana, "15 de diciembre", "15/12/2027"), each
  (phrase, local day) once, from a cache; it never touches the network.
- text2num 3.1 for number words: fast (Rust), but turns "y cuarto" into
  "y 4º" and leaves "la una": a sixty-word table (`number_words`) does it.

So the rest is regexes over the normalised text plus calendar arithmetic here:
0.010 ms a message to read the text uncached (0.004 before these phrase
families), 0.002 ms from the caches; the first sight of a date phrase on a
new local day adds dateparser's ~0.3 ms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from backend.domain.language.normalize import cache_short_texts, normalize
from backend.domain.language.number_words import (
    NUMBER_WORDS,
    number_value,
    number_words_pattern,
)


class PartOfDay(StrEnum):
    """A part of the day a client named ("en la tarde", "temprano")."""

    EARLY_MORNING = "early_morning"
    MORNING = "morning"
    NOON = "noon"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    END_OF_DAY = "end_of_day"  # "a última hora": the day's last slots, latest first


class Shift(StrEnum):
    """Earlier or later than the moments already offered ("más temprano")."""

    EARLIER = "earlier"
    LATER = "later"


@dataclass(frozen=True)
class WhenHint:
    """A moment a client named, in the clinic's local time.

    `days` are candidate local dates in order of preference (a weekday said on
    that same weekday may mean today or a week later; a span such as "la
    próxima semana" lists every day in it); `times` candidate local clock
    times in order of preference ("a las 2" is 02:00 or 14:00); `hours` a
    [start, end) range of local hours from "en la tarde"-like phrases, only
    when no clock time was said. `day_range` is the first and last day of a
    span the client named instead of a day; `part_of_day` the part of the day
    named, even when a clock time fixed it ("a las 3 de la tarde"); `shift`
    whether the client wants something earlier or later than what was
    offered. Empty or None means "not said"; `matches` looks at days, times
    and hours only.
    """

    days: tuple[date, ...] = ()
    times: tuple[time, ...] = ()
    hours: tuple[int, int] | None = None
    day_range: tuple[date, date] | None = None
    part_of_day: PartOfDay | None = None
    shift: Shift | None = None

    def matches(self, local: datetime) -> bool:
        if self.days and local.date() not in self.days:
            return False
        if self.times and local.time().replace(second=0, microsecond=0) not in self.times:
            return False
        return self.hours is None or self.hours[0] <= local.hour < self.hours[1]

    def to_json(self) -> dict[str, Any]:
        """The hint as stored in a conversation's booking draft (resolved days, not words:
        "mañana" said before midnight stays that day)."""
        return {
            "days": [d.isoformat() for d in self.days],
            "times": [t.strftime("%H:%M") for t in self.times],
            "hours": list(self.hours) if self.hours else None,
            "day_range": [d.isoformat() for d in self.day_range] if self.day_range else None,
            "part_of_day": self.part_of_day.value if self.part_of_day else None,
            "shift": self.shift.value if self.shift else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WhenHint:
        hours = data.get("hours")
        day_range = data.get("day_range")
        return cls(
            days=tuple(date.fromisoformat(d) for d in data.get("days") or ()),
            times=tuple(time.fromisoformat(t) for t in data.get("times") or ()),
            hours=(int(hours[0]), int(hours[1])) if hours else None,
            day_range=(date.fromisoformat(day_range[0]), date.fromisoformat(day_range[1]))
            if day_range
            else None,
            part_of_day=PartOfDay(data["part_of_day"]) if data.get("part_of_day") else None,
            shift=Shift(data["shift"]) if data.get("shift") else None,
        )


PART_HOURS: dict[PartOfDay, tuple[int, int]] = {
    PartOfDay.EARLY_MORNING: (0, 7),
    PartOfDay.MORNING: (0, 12),
    PartOfDay.NOON: (11, 14),
    PartOfDay.AFTERNOON: (12, 19),
    PartOfDay.EVENING: (19, 24),
    PartOfDay.END_OF_DAY: (16, 24),
}
"""The window of local hours each part of the day stands for, when only the part was said."""


def structured_hint(
    days: tuple[date, ...] = (),
    clock: time | None = None,
    part_of_day: PartOfDay | None = None,
    shift: Shift | None = None,
) -> WhenHint | None:
    """A hint from a reading that is already structured (Claude's), in the rules' shape."""
    if not days and clock is None and part_of_day is None:
        return None
    return WhenHint(
        days=days,
        times=(clock,) if clock else (),
        hours=PART_HOURS[part_of_day] if part_of_day and clock is None else None,
        day_range=(min(days), max(days)) if len(days) > 1 else None,
        part_of_day=part_of_day,
        shift=shift,
    )


# Candidate days and, for a span, its first and last day.
_Days = tuple[tuple[date, ...], tuple[date, date] | None]
# Resolves a date phrase read from the text once today's local date is known.
_DaysReader = Callable[[date, str], _Days | None]

_MONTHS = (
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|"
    "octubre|noviembre|diciembre|ene|feb|mar|abr|may|jun|jul|ago|sep|sept|oct|"
    "nov|dic"
)
# Month first ("diciembre 15"): full names and abbreviations that are no
# ordinary word ("mar", "may" are).
_MONTHS_FIRST = (
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|"
    "octubre|noviembre|diciembre|ene|feb|abr|ago|sept|oct|nov|dic"
)
_WEEKDAYS = "lunes|martes|miercoles|jueves|viernes|sabado|domingo"
_WEEKDAY_INDEX = {name: index for index, name in enumerate(_WEEKDAYS.split("|"))}

_HOUR_WORDS = number_words_pattern(24, exclude=frozenset({"un"}))
_MINUTE_WORDS = number_words_pattern(59, exclude=frozenset({"un", "una", "uno"}))
_DAY_WORDS = number_words_pattern(31, exclude=frozenset({"un"}))
# "el uno" / "el primero" alone are an option in a list, not a day.
_BARE_DAY_WORDS = number_words_pattern(31, exclude=frozenset({"un", "una", "uno"}))
_COUNT_WORDS = number_words_pattern(31)

# Parts of the day: (which, [start, end) local hours).
_PARTS: dict[str, tuple[PartOfDay, tuple[int, int]]] = {
    "madrugada": (PartOfDay.EARLY_MORNING, (0, 7)),
    "manana": (PartOfDay.MORNING, (0, 12)),
    "mananita": (PartOfDay.MORNING, (0, 12)),
    "temprano": (PartOfDay.MORNING, (0, 12)),
    "tempranito": (PartOfDay.MORNING, (0, 12)),
    "mediodia": (PartOfDay.NOON, (11, 14)),
    "tarde": (PartOfDay.AFTERNOON, (12, 19)),
    "tardecita": (PartOfDay.AFTERNOON, (14, 19)),
    "almuerzo": (PartOfDay.AFTERNOON, (14, 19)),
    "noche": (PartOfDay.EVENING, (19, 24)),
    "nochecita": (PartOfDay.EVENING, (18, 24)),
    "ultima": (PartOfDay.END_OF_DAY, (16, 24)),
}
_AM_PERIODS = frozenset({"manana", "mananita", "madrugada"})
_PM_PERIODS = frozenset({"tarde", "tardecita", "noche", "nochecita", "mediodia"})

# Attached to an hour they fix am/pm ("a las 2 de la tarde"); alone they
# narrow the choice ("mañana en la tarde").
_PERIOD_PHRASE = (
    r"(?:de|en|por|a|para|durante) la "
    r"(?:manana|mananita|madrugada|tarde|tardecita|noche|nochecita)|del mediodia|de mediodia"
)
_PERIOD = re.compile(rf"\b(?:{_PERIOD_PHRASE})\b")
_DATE_LEAD = rf"hoy|manana|pasado manana|{_WEEKDAYS}"
# In the order tried: an explicit period wins over "temprano" ("temprano en
# la tarde" is the afternoon).
_PART_PATTERNS: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (_PERIOD, None),
    (
        re.compile(
            r"\b(?:por el|hacia el|tipo|como al|como a|a eso del|eso del|cerca del|"
            r"alrededor del|en el)\s+mediodia\b"
        ),
        "mediodia",
    ),
    (re.compile(r"\besta (?P<part>manana|tarde|noche)\b"), None),
    (re.compile(rf"\b(?:{_DATE_LEAD})\s+(?:en\s+|por\s+)?(?P<part>tarde|noche)\b"), None),
    (re.compile(r"^(?P<part>tarde|noche)$"), None),
    (re.compile(r"\b(?P<part>mananita|tardecita|nochecita|tempranito|temprano)\b"), None),
    (re.compile(r"\b(?:a\s+)?primera hora\b"), "temprano"),
    (re.compile(r"\b(?:a\s+|en la\s+)?ultima hora\b|\blo mas tarde posible\b"), "ultima"),
    (re.compile(r"\bdespues del? (?:almuerzo|almorzar|comer)\b"), "almuerzo"),
    (re.compile(r"\bantes del? (?:almuerzo|almorzar)\b"), "manana"),
)
# "esta tarde" is today's afternoon: for the date it reads as "hoy".
_THIS_PART = re.compile(r"\besta (?:manana|tarde|noche)\b")

_EARLIER = re.compile(
    r"\bmas (?:temprano|tempranito|pronto)\b"
    r"|(?:^|\b(?:algo|poco|poquito|mas|hay|tienes|tiene|tienen|tendras|tendra|tendran|"
    r"habra|nada|lo)\s+)antes\b(?!\s+(?:de|del|que)\b)"
)
_LATER = re.compile(
    r"\bmas (?:tarde|tardecito|tardecita|tardesito|despues)\b"
    r"|\b(?:algo|poco|poquito|rato|hay|tienes|tiene|tienen|tendras|tendra|tendran|"
    r"habra|nada)\s+despues\b(?!\s+(?:de|del|que)\b)"
)

_TIME = re.compile(
    r"(?:\b(?P<lead>a las|a la|las|de las|de la|tipo|sobre las|como a las|"
    rf"eso de las|para las|desde las|{_DATE_LEAD})\s+)?"
    rf"\b(?P<hour>\d{{1,2}}|{_HOUR_WORDS})"
    r"(?::(?P<minute>\d{2})"
    rf"|\s+(?:y|con)\s+(?P<plus>media|cuarto|\d{{1,2}}|{_MINUTE_WORDS})"
    rf"|\s+menos\s+(?P<minus>cuarto|\d{{1,2}}|{_MINUTE_WORDS}))?"
    r"(?:\s*(?P<ampm>am|pm)\b|\s*(?P<unit>hrs|hr|hs|h|horas)\b|\s+(?P<sharp>en punto)\b)?"
    rf"(?:\s+(?P<period>{_PERIOD_PHRASE}|del dia))?\b"
    rf"(?!\s*(?:/|(?:de\s+)?(?:{_MONTHS})\b))"
)
_AMPM = re.compile(r"(\d)\s*([ap])\s?m\b")
_NOON = re.compile(r"\b(?:al|a|el|para el) mediodia\b|^mediodia$")
_APPROXIMATE_NOON = _PART_PATTERNS[1][0]
# After a number, what makes it a clock time, a count or part of a full date.
_NOT_A_DAY = (
    r"(?!\s*(?::|/|am\b|pm\b|hrs\b|hr\b|hs\b|h\b|horas\b|de\b|y media|y cuarto|"
    r"en punto|menos\b|dias?\b|semanas?\b))"
)

_DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}}|{_DAY_WORDS}|primero)(?:ro|ero)?\s+(?:de\s+)?(?P<month>{_MONTHS})\b"
    r"(?:\s+(?:de\s+|del\s+)?(?P<year>\d{4})\b)?"
)
_MONTH_DAY = re.compile(
    rf"\b(?P<month>{_MONTHS_FIRST})\s+(?P<day>\d{{1,2}}|{_DAY_WORDS})\b"
    rf"(?:\s+(?:de\s+|del\s+)?(?P<year>\d{{4}})\b)?{_NOT_A_DAY}"
)
_NUMERIC = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b")
_RELATIVE = re.compile(r"\b(?:(?P<after_tomorrow>pasado manana)|(?P<relative>hoy|manana))\b")
_NEXT_WEEK = (
    r"de (?:la )?(?:otra|proxima|prox|siguiente) semana"
    r"|de la semana (?:que viene|q viene|entrante|proxima|siguiente)"
)
_WEEKDAY = re.compile(
    r"\b(?:(?P<mod>este|esta|el proximo|proximo|el siguiente|siguiente|el otro|otro)\s+)?"
    rf"(?P<weekday>{_WEEKDAYS})\b"
    rf"(?:\s+(?P<tail>que viene|q viene|entrante|proximo|{_NEXT_WEEK}|de esta semana))?"
)
# "el viernes 15": the 15th if that is a Friday, else Friday at 15:00.
_WEEKDAY_DAY = re.compile(
    rf"\b(?P<weekday>{_WEEKDAYS})\s+(?:el\s+|dia\s+)?"
    rf"(?P<day>\d{{1,2}}|{_BARE_DAY_WORDS})\b(?!\s*(?:y|con)\b){_NOT_A_DAY}"
)
_DAY_OF_MONTH = re.compile(
    rf"\b(?:el dia|el|dia)\s+(?P<day>\d{{1,2}}|{_BARE_DAY_WORDS})(?:ro|ero)?\b{_NOT_A_DAY}"
)
_OFFSET = re.compile(
    r"\b(?:dentro de|en|de aqui a|de aca a|de hoy a)\s+"
    rf"(?P<count>\d{{1,2}}|{_COUNT_WORDS})\s+(?P<unit>dias|dia|semanas|semana)\b"
    r"|\bde hoy en (?P<idiom>ocho|8|quince|15)\b"
)
_WEEKEND = re.compile(
    r"\b(?:(?P<mod>este|esta|el proximo|proximo|el siguiente|siguiente|el otro|otro)\s+)?"
    r"(?:fin de semana|fines de semana|fin de sem|finde|fds)\b"
    r"(?:\s+(?P<tail>que viene|q viene|entrante|proximo|siguiente))?"
)
_WEEK = re.compile(
    r"\b(?P<next>otra|proxima|prox|siguiente)\s+semana\b"
    r"|\bsemana\s+(?P<coming>que viene|q viene|entrante|proxima|siguiente)\b"
    r"|\b(?P<this>esta)\s+semana\b"
)

# The cheap pre-check: a moment needs a digit or one of these words.
_DIGIT = re.compile(r"\d")
_WHEN_WORDS = frozenset(
    (
        *_WEEKDAYS.split("|"),
        *_MONTHS.split("|"),
        *(word for word in NUMBER_WORDS if " " not in word),
        *_PARTS,
        "hoy",
        "primera",
        "primero",
        "semana",
        "finde",
        "fds",
        "antes",
        "despues",
        "pronto",
        "tardecito",
        "tardesito",
        "almorzar",
    )
)


@dataclass(frozen=True)
class _TextWhen:
    """What the text alone says, before knowing which day is today.

    `fallback` is the reading to use when `days` cannot be resolved ("el
    viernes 10" when the 10th is no Friday: Friday at 10).
    """

    days: _DaysReader | None
    times: tuple[time, ...]
    hours: tuple[int, int] | None
    part_of_day: PartOfDay | None
    shift: Shift | None
    fallback: _TextWhen | None = None

    @property
    def names_moment(self) -> bool:
        return (
            self.days is not None
            or bool(self.times)
            or self.hours is not None
            or self.part_of_day is not None
        )


def _minute_offset(match: re.Match[str]) -> int | None:
    if match.group("minute"):
        return int(match.group("minute"))
    plus, minus = match.group("plus"), match.group("minus")
    if plus:
        return {"media": 30, "cuarto": 15}.get(plus) or number_value(plus)
    if minus:
        value = {"cuarto": 15}.get(minus) or number_value(minus)
        return -value if value is not None else None
    return 0


def _is_clock_time(match: re.Match[str]) -> bool:
    """Whether a number reads as a clock time: "a las 9", "9am", "9:30", "tres y media"."""
    if match.group("lead"):
        return True
    if any(match.group(name) for name in ("ampm", "unit", "sharp", "period")):
        return True
    if match.group("hour").isdigit():
        return bool(match.group("minute") or match.group("plus") or match.group("minus"))
    # A number word needs more than another number word: "dos y dos" is no time.
    return match.group("plus") in ("media", "cuarto") or match.group("minus") == "cuarto"


def _clock_times(match: re.Match[str]) -> tuple[time, ...]:
    """Candidate local times for one time match; () when it is not a time."""
    if not _is_clock_time(match):
        return ()
    hour, minutes = number_value(match.group("hour")), _minute_offset(match)
    if hour is None or minutes is None or hour > 24 or not -59 <= minutes <= 59:
        return ()
    hour %= 24
    ampm, period = match.group("ampm"), match.group("period")
    period_name = period.rsplit(" ", 1)[-1] if period else None
    if period_name == "dia":  # "a las doce del día", "las 3 del día"
        period_name = "tarde" if hour < 7 or hour == 12 else "manana"
    if ampm == "am" or period_name in _AM_PERIODS:
        hours = [hour % 12] if hour <= 12 else []
    elif period_name == "noche" and hour == 12:
        hours = [0]
    elif ampm == "pm" or period_name in _PM_PERIODS:
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


_BEFORE = re.compile(r"\b(?:antes|hasta|maximo)(?: de)?\s*$")
_AFTER = re.compile(r"\b(?:despues|luego|pasadas|pasado|a partir)(?: de)?\s*$|\bdesde\s*$")


def _limit_of(text: str, match: re.Match[str]) -> str | None:
    """Whether the time bounds the wish: "antes de las 10" (before), "después de las 4" (after)."""
    head = text[: match.start()]
    lead = match.group("lead") or ""
    if lead.startswith("desde") or _AFTER.search(head):
        return "after"
    if _BEFORE.search(head):
        return "before"
    return None


def _read_times(text: str) -> tuple[tuple[time, ...], str | None, str | None]:
    """(clock times named, the part of the day that came with them: "a las 3 de la tarde",
    "before"/"after" when the time is a limit rather than the moment)."""
    if not _APPROXIMATE_NOON.search(text) and _NOON.search(text):
        return (time(12, 0),), "mediodia", None
    for match in _TIME.finditer(text):
        times = _clock_times(match)
        if times:
            period = match.group("period")
            limit = _limit_of(text, match)
            if period == "del dia":
                return times, "mediodia" if times == (time(12, 0),) else None, limit
            return times, period.rsplit(" ", 1)[-1] if period else None, limit
    return (), None, None


def _limited_hours(
    times: tuple[time, ...], hours: tuple[int, int] | None, limit: str
) -> tuple[int, int]:
    """The window of hours a limit leaves ("antes de las 10" → 0–10, "en la tarde después de
    las 4" → 16–19); of two readings of the hour, the one inside clinic hours (7–21)."""
    start, end = hours or (0, 24)
    bound = next((t for t in times if start <= t.hour < end and 7 <= t.hour <= 21), None)
    bound = bound or next((t for t in times if 7 <= t.hour <= 21), times[0])
    if limit == "before":
        return start, max(start + 1, min(end, bound.hour + (1 if bound.minute else 0)))
    return min(end - 1, max(start, bound.hour + (1 if bound.minute else 0))), end


def _read_part(text: str) -> str | None:
    for pattern, fixed in _PART_PATTERNS:
        match = pattern.search(text)
        if match:
            if fixed is not None:
                return fixed
            named = match.groupdict().get("part")
            return named or match.group(0).rsplit(" ", 1)[-1]
    return None


def _read_shift(text: str) -> tuple[Shift | None, str]:
    """The shift asked for, and the text without it ("más tarde" is no afternoon)."""
    earlier, later = _EARLIER.search(text), _LATER.search(text)
    if earlier is None and later is None:
        return None, text
    if later is None or (earlier is not None and earlier.start() < later.start()):
        shift = Shift.EARLIER
    else:
        shift = Shift.LATER
    return shift, _LATER.sub(" ", _EARLIER.sub(" ", text))


# Resolvers: (what the text said..., today, tz) -> candidate days.


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


def _parsed_day(phrase: str, absolute: bool, today: date, tz: str) -> _Days | None:
    # A full date is seen from yesterday, so one naming today is today; from
    # today, "preferring the future" would move it to next year.
    resolved = _resolve_date(phrase, today - timedelta(days=1) if absolute else today, tz)
    return ((resolved,), None) if resolved else None


def _next_day_of_month(day: int, today: date) -> date | None:
    """The first date from today on whose day of month is `day` ("el 31" in April: 31 May)."""
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _day_of_month(day: int, today: date, tz: str) -> _Days | None:
    resolved = _next_day_of_month(day, today)
    return ((resolved,), None) if resolved else None


def _weekday_on_day(weekday: int, day: int, today: date, tz: str) -> _Days | None:
    resolved = _next_day_of_month(day, today)
    return ((resolved,), None) if resolved and resolved.weekday() == weekday else None


def _next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def _weekday(weekday: int, mode: str, today: date, tz: str) -> _Days | None:
    """A weekday: plain "el viernes", "este viernes" (this), "el próximo viernes"
    (next), "el otro viernes" or "el viernes de la otra semana" (next_week)."""
    ahead = (weekday - today.weekday()) % 7
    if mode == "next_week":
        return ((_next_monday(today) + timedelta(days=weekday),), None)
    if mode == "this":
        return ((today + timedelta(days=ahead),), None)
    coming = today + timedelta(days=ahead or 7)
    if mode == "plain" and ahead == 0:
        # "el jueves" said on a Thursday: next week first, today if not.
        return ((coming, today), None)
    return ((coming,), None)


def _span(first: date, last: date, today: date) -> _Days:
    days = tuple(
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if first + timedelta(days=n) >= today
    )
    return days, (days[0], days[-1])


def _weekend(mode: str, today: date, tz: str) -> _Days | None:
    """A weekend: "el fin de semana" (this), "el próximo finde" (next), "el otro finde" (other)."""
    saturday = today + timedelta(days=5 - today.weekday())
    if mode == "other" or (mode == "next" and today.weekday() >= 5):
        saturday += timedelta(days=7)
    elif mode == "this" and today.weekday() == 6:
        # Said on a Sunday: today, or else next weekend.
        days = (today, saturday + timedelta(days=7), saturday + timedelta(days=8))
        return days, (today, days[-1])
    return _span(saturday, saturday + timedelta(days=1), today)


def _week(mode: str, today: date, tz: str) -> _Days | None:
    """A week: "la próxima / la otra semana", "la semana que viene" (next), "esta semana"."""
    monday = _next_monday(today)
    if mode == "next":
        return _span(monday, monday + timedelta(days=6), today)
    return _span(today, monday - timedelta(days=1), today)


def _in_days(offsets: tuple[int, ...], today: date, tz: str) -> _Days | None:
    return tuple(today + timedelta(days=n) for n in offsets), None


def _offsets(count: int, unit: str) -> tuple[int, ...]:
    if unit.startswith("semana"):
        return (7 * count,)
    # "ocho días" is a week and "quince días" two; the literal day comes second.
    return {8: (7, 8), 15: (14, 15)}.get(count, (count,))


def _read_date(text: str) -> _DaysReader | None:
    """The day or span named, most specific form first."""
    match = _DAY_MONTH.search(text) or _MONTH_DAY.search(text)
    if match:
        day = 1 if match.group("day") == "primero" else number_value(match.group("day"))
        phrase = f"{day} de {match.group('month')}"
        if match.group("year"):
            phrase += f" de {match.group('year')}"
        return partial(_parsed_day, phrase, True)
    match = _NUMERIC.search(text)
    if match:
        return partial(_parsed_day, match.group(0), True)
    match = _OFFSET.search(text)
    if match:
        offsets: tuple[int, ...]
        if match.group("idiom"):
            offsets = (7,) if match.group("idiom") in ("ocho", "8") else (14,)
        else:
            count = number_value(match.group("count"))
            offsets = _offsets(count if count is not None else 1, match.group("unit"))
        return partial(_in_days, offsets)
    match = _RELATIVE.search(text)
    if match:
        phrase = "en 2 dias" if match.group("after_tomorrow") else match.group("relative")
        return partial(_parsed_day, phrase, False)
    match = _WEEKDAY.search(text)
    if match:
        return partial(_weekday, _WEEKDAY_INDEX[match.group("weekday")], _weekday_mode(match))
    match = _DAY_OF_MONTH.search(text)
    if match:
        return partial(_day_of_month, number_value(match.group("day")) or 0)
    match = _WEEKEND.search(text)
    if match:
        return partial(_weekend, _weekend_mode(match))
    match = _WEEK.search(text)
    if match:
        return partial(_week, "this" if match.group("this") else "next")
    return None


def _weekday_mode(match: re.Match[str]) -> str:
    mod, tail = match.group("mod") or "", match.group("tail") or ""
    if "otro" in mod or ("semana" in tail and "esta" not in tail):
        return "next_week"
    if mod.endswith(("proximo", "siguiente")) or tail:
        return "this" if "esta" in tail else "next"
    return "this" if mod in ("este", "esta") else "plain"


def _weekend_mode(match: re.Match[str]) -> str:
    mod = match.group("mod") or ""
    if "otro" in mod:
        return "other"
    if mod.endswith(("proximo", "siguiente")) or match.group("tail"):
        return "next"
    return "this"


def _read_moment(text: str, shift: Shift | None, date_reader: _DaysReader | None) -> _TextWhen:
    times, part_name, limit = _read_times(text)
    part_name = part_name or _read_part(text)
    part, hours = _PARTS[part_name] if part_name else (None, None)
    if times and limit:
        hours, times = _limited_hours(times, hours, limit), ()
    if times and hours and len(times) > 1:
        # "en la tarde tipo 3": the afternoon decides between 03:00 and 15:00.
        inside = tuple(t for t in times if hours[0] <= t.hour < hours[1])
        times = inside or times
    if date_reader is None:
        date_text = _THIS_PART.sub(" hoy ", _PERIOD.sub(" ", text))
        date_reader = _read_date(date_text)
    return _TextWhen(
        days=date_reader,
        times=times,
        hours=None if times else hours,
        part_of_day=part,
        shift=shift,
    )


@cache_short_texts
def _read_text(normalized: str) -> _TextWhen | None:
    if not (_DIGIT.search(normalized) or _WHEN_WORDS.intersection(normalized.split())):
        return None
    shift, text = _read_shift(_AMPM.sub(r"\1\2m", normalized))
    read = _read_moment(text, shift, None)
    weekday_day = _WEEKDAY_DAY.search(text)
    if weekday_day:
        weekday, day = weekday_day.group("weekday"), number_value(weekday_day.group("day"))
        without_day = text[: weekday_day.start("day")] + text[weekday_day.end("day") :]
        dated = partial(_weekday_on_day, _WEEKDAY_INDEX[weekday], day or 0)
        read = replace(_read_moment(without_day, shift, dated), fallback=read)
    if not read.names_moment and shift is None:
        return None
    return read


def _hint(read: _TextWhen, now: datetime, tz: str) -> WhenHint | None:
    days: tuple[date, ...] = ()
    day_range = None
    if read.days is not None:
        today = now.astimezone(local_zone(tz)).date()
        resolved = read.days(today, tz)
        if resolved is None:
            return _hint(read.fallback, now, tz) if read.fallback else None
        days, day_range = resolved
    return WhenHint(
        days=days,
        times=read.times,
        hours=read.hours,
        day_range=day_range,
        part_of_day=read.part_of_day,
        shift=read.shift,
    )


_SINCE = re.compile(
    rf"\b(?:desde|hace|de hace) (?:(?:el |este )?(?:{_WEEKDAYS})|ayer|anoche|antier|anteayer|"
    rf"(?:la|esta) manana|(?:un|una|dos|tres|\d+) (?:dia|dias|semana|semanas))\b"
)
"""When a problem started ("desde el martes se rasca"): never the moment asked for."""
_SHORTHAND = re.compile(r"\b(?:mnn|mna|mñn|mñna|mnana|x la|x el|xla)\b")
_SPELLED = {"x la": "por la", "xla": "por la", "x el": "por el"}


@lru_cache(maxsize=4096)
def _prepared(text: str) -> str:
    """The text normalised, texting shorthand spelt out, past "desde el martes" removed."""
    return _SINCE.sub(" ", _SHORTHAND.sub(_spell_out, normalize(text)))


def _spell_out(match: re.Match[str]) -> str:
    """Texting shorthand for moments: "mñn x la tarde" is "mañana por la tarde"."""
    return _SPELLED.get(match.group(0), "manana")


_PREFERENCE = re.compile(r"\b(?:mejor|mas bien|prefiero|preferiria|preferible)\b")
_NEGATED_HEAD = re.compile(r"\b(?:no|ya no|tampoco|ni)\b")


def local_zone(tz: str) -> ZoneInfo:
    """The clinic's zone; raises ValueError for an unknown IANA name."""
    try:
        return ZoneInfo(tz)
    except (KeyError, ValueError) as error:
        raise ValueError(f"unknown time zone: {tz!r}") from error


def parse_when(text: str, *, now: datetime, tz: str) -> WhenHint | None:
    """The date, time or part of day a message names, in the clinic's zone.

    Returns None when it names none (a shift alone, "más tarde", is no
    moment: see `requested_shift`), or when the date it names cannot be read.
    "hoy" is today whatever the hour: whether the clinic is still open is for
    the caller to decide. `now` must be timezone-aware.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    normalized = _prepared(text)
    *heads, tail = _PREFERENCE.split(normalized)
    if heads:  # "no puedo el lunes, mejor el miércoles": what follows "mejor" wins
        preferred = _read_text(tail.strip())
        if preferred is not None and preferred.names_moment:
            hint = _hint(preferred, now, tz)
            head = " ".join(heads)
            if hint is not None and not hint.days and not _NEGATED_HEAD.search(head):
                said = parse_when(head, now=now, tz=tz)  # "el lunes, mejor en la tarde"
                if said is not None and said.days:
                    hint = replace(hint, days=said.days, day_range=said.day_range)
            return hint
    read = _read_text(normalized)
    if read is None or not read.names_moment:
        return None
    return _hint(read, now, tz)


def requested_shift(text: str) -> Shift | None:
    """Earlier or later than the offered slots ("algo antes", "más tardecito"), if asked.

    Read on its own because a shift alone names no moment, so `parse_when`
    returns None for it; with a moment ("mañana más temprano") it is also in
    `WhenHint.shift`.
    """
    read = _read_text(normalize(text))
    return read.shift if read else None


def warm_up() -> None:
    """Load dateparser's Spanish data now (~0.3 s) instead of on a first message."""
    _resolve_date("manana", date(2000, 1, 1), "UTC")
