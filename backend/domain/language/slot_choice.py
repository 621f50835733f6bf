"""Which of the offered slots a client picked (spec 4.3), or none.

Clients answer a numbered list with a number ("2", "la segunda", "opción 3")
or with the moment itself ("mañana a las 9", "el viernes", "las 14:00").
Moments are compared in the clinic's zone, so a slot on the day a DST change
happens still reads as the 09:00 the client saw. When nothing matches, or the
client asks for something else ("ninguna", "otro horario"), the answer is
None and the conversation offers again.

Unlike the spec's substring patterns, number words count only on their own or
after "la"/"opción": "a las dos" is a time, not option 2.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, time

from backend.domain.language.normalize import cache_short_texts, normalize
from backend.domain.language.when import WhenHint, local_zone, parse_when

_ORDINALS = {
    "primera": 0,
    "primero": 0,
    "primer": 0,
    "uno": 0,
    "una": 0,
    "segunda": 1,
    "segundo": 1,
    "dos": 1,
    "tercera": 2,
    "tercero": 2,
    "tercer": 2,
    "tres": 2,
    "cuarta": 3,
    "cuarto": 3,
    "cuatro": 3,
    "quinta": 4,
    "quinto": 4,
    "cinco": 4,
    "sexta": 5,
    "sexto": 5,
    "seis": 5,
}
_LAST = -1
_LAST_WORDS = ("ultima", "ultimo")

_POLITE = (
    r"(?:por favor|porfa|porfavor|plis|pls|gracias|esa|ese|esta bien|me sirve|"
    r"me queda bien|me funciona|mejor|opcion)"
)
_CHOOSE = (
    r"(?:si|ok|dale|quiero|prefiero|me quedo con|elijo|escojo|tomo|mejor|"
    r"me sirve|me funciona|me gustaria|seria|entonces|pues)"
)
# "una" stays out: "la una" is one o'clock.
_ORDINAL_WORDS = "|".join(w for w in (*_ORDINALS, *_LAST_WORDS) if w != "una")
_ORDINAL_SUFFIX = r"(?:ra|ro|era|ero|da|do|ta|to|o|a)?"
# The whole message is a choice: "2", "la 3", "opción 2", "me quedo con la primera".
_WHOLE_CHOICE = re.compile(
    rf"^(?:{_CHOOSE}\s+)*(?:(?:la|el)\s+)?(?:(?:opcion|numero|num|nro|no|n)\s+)?"
    rf"(?:(?P<number>\d{{1,2}}){_ORDINAL_SUFFIX}|(?P<word>{_ORDINAL_WORDS}))"
    rf"(?:\s+{_POLITE})*$"
)
# A choice inside a longer message: "creo que la 2 me sirve", "opción tres".
_INNER_CHOICE = re.compile(
    r"(?:\b(?:opcion|numero|el)|(?<!\ba )(?<!\bde )\bla)\s+"
    r"(?:(?P<number>\d{1,2})(?!\s*(?::|/|am|pm|hrs|horas|de|y media|y cuarto))"
    r"|(?P<word>primera|primero|segunda|segundo|tercera|tercero|cuarta|quinta|"
    r"ultima|ultimo))\b"
    r"|\bopcion\s+(?P<option_word>uno|una|dos|tres|cuatro|cinco|seis)\b"
)

_REJECT_ALL = re.compile(
    r"\b(?:ningun|ninguna|ninguno|ningunas|ningunos|no me sirve|no me sirven|"
    r"no me queda|no me quedan|no me funciona|no me funcionan|ni una)\b"
)
_ASK_OTHER = re.compile(
    r"\b(?:otra|otro|otras|otros|mas opciones|mas horarios|mas fechas|"
    r"mas tarde|mas temprano|diferente|diferentes|distinto|distinta)\b"
)


def wants_other_slots(text: str) -> bool:
    """Whether the client turns the offered slots down or asks for others.

    "ninguna", "otra", "otro horario", "más opciones", "no me sirve".
    """
    normalized = normalize(text)
    return bool(_REJECT_ALL.search(normalized) or _ASK_OTHER.search(normalized))


def _index_from(match: re.Match[str]) -> int | None:
    groups = match.groupdict()
    number = groups.get("number")
    if number:
        return int(number) - 1
    word = groups.get("word") or groups.get("option_word")
    if word in _LAST_WORDS:
        return _LAST
    return _ORDINALS.get(word) if word else None


@cache_short_texts
def _read_choice(normalized: str) -> tuple[int | None, bool]:
    """(option index said, whether it was a bare number) for one message."""
    whole = _WHOLE_CHOICE.match(normalized)
    if whole:
        return _index_from(whole), normalized.isdigit()
    inner = _INNER_CHOICE.search(normalized)
    if inner:
        return _index_from(inner), False
    return None, False


def _bare_hour_hint(number: int) -> WhenHint | None:
    """A bare "9" beyond the list's length reads as the hour 9 (or 21)."""
    if not 1 <= number <= 23:
        return None
    hours = (number, number + 12) if number < 12 else (number,)
    return WhenHint(times=tuple(time(hour) for hour in hours))


def _first_match(hint: WhenHint, local_slots: Sequence[datetime]) -> int | None:
    """First offered slot fitting the hint, trying preferred days and times first."""
    for day in hint.days or (None,):
        for clock in hint.times or (None,):
            narrowed = WhenHint(
                days=(day,) if day else (),
                times=(clock,) if clock else (),
                hours=hint.hours,
            )
            for index, slot in enumerate(local_slots):
                if narrowed.matches(slot):
                    return index
    return None


def parse_slot_choice(
    text: str, offered: Sequence[datetime], *, now: datetime, tz: str
) -> int | None:
    """Index into `offered` (aware slot starts) of the slot the client chose.

    Handles numbers and ordinals ("1", "la segunda", "opción 3", "la 3") and
    moments ("mañana a las 9", "el viernes", "hoy 4:30 pm", "las 14:00"),
    read in the clinic zone `tz` relative to `now`. A date alone picks the
    offered slot that day only when it is the only one (with two it names no
    choice: "el viernes" then "a las 3" is a moment to look for), a time alone the first offered slot at that
    local time; an hour without am/pm prefers the morning slot and falls back
    to the afternoon one ("a las 2" -> 14:00 when 02:00 is not offered). Date
    and time together must both match. Returns None when nothing matches or
    the client declines them all ("ninguna", "otro horario").
    """
    if now.tzinfo is None or any(slot.tzinfo is None for slot in offered):
        raise ValueError("now and the offered slots must be timezone-aware")
    if not offered:
        return None
    normalized = normalize(text)
    if not normalized or _REJECT_ALL.search(normalized):
        return None
    index, bare_number = _read_choice(normalized)
    if index is not None:
        if index == _LAST:
            return len(offered) - 1
        if 0 <= index < len(offered):
            return index
    hint = (
        _bare_hour_hint(index + 1)
        if index is not None and bare_number
        else parse_when(normalized, now=now, tz=tz)
    )
    if hint is None:
        return None
    zone = local_zone(tz)
    local = [slot.astimezone(zone) for slot in offered]
    if hint.days and not hint.times and hint.hours is None:
        on_day = [i for i, slot in enumerate(local) if slot.date() in hint.days]
        return on_day[0] if len(on_day) == 1 else None  # two that day: which is not said
    return _first_match(hint, local)
