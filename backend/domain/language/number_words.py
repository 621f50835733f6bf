"""Spanish number words up to 59, as a normalised message writes them.

Clients write days, hours and minutes in words ("el quince", "a las diez y
cuarenta"). A table of sixty entries is all that takes: text2num (3.1) reads
more but turns "y cuarto" into "y 4º" and leaves "la una" alone, so it would
need patching around for exactly the words that matter here.
"""

from __future__ import annotations

import re

_UNITS = ("uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve")
_TEENS = (
    "diez",
    "once",
    "doce",
    "trece",
    "catorce",
    "quince",
    "dieciseis",
    "diecisiete",
    "dieciocho",
    "diecinueve",
)
_TWENTIES = ("veinte", *(f"veinti{unit}" for unit in _UNITS))
_TENS = {"treinta": 30, "cuarenta": 40, "cincuenta": 50}


def _build() -> dict[str, int]:
    words = {"un": 1, "una": 1, "veintiun": 21, "veintiuna": 21}
    words |= {word: value for value, word in enumerate(_UNITS, start=1)}
    words |= {word: value for value, word in enumerate(_TEENS, start=10)}
    words |= {word: value for value, word in enumerate(_TWENTIES, start=20)}
    for tens_word, tens in _TENS.items():
        words[tens_word] = tens
        for value, unit in enumerate(_UNITS, start=1):
            words[f"{tens_word} y {unit}"] = tens + value
    return words


NUMBER_WORDS: dict[str, int] = _build()


def number_value(token: str) -> int | None:
    """The value of digits or a number word ("15", "quince", "treinta y uno"); None otherwise."""
    if token.isdigit():
        return int(token)
    return NUMBER_WORDS.get(token)


def number_words_pattern(maximum: int, *, exclude: frozenset[str] = frozenset()) -> str:
    """A regex alternation of the number words worth at most `maximum`, longest first."""
    words = sorted(
        (w for w, value in NUMBER_WORDS.items() if value <= maximum and w not in exclude),
        key=len,
        reverse=True,
    )
    return "|".join(re.escape(word) for word in words)
