"""Yes, no or unclear: the answer to "¿Confirmas esta cita? (Sí/No)".

Only the first clause decides ("Sí, quiero vacunar a mi perro" is a yes;
"No, se me complica" is a no), because clients often add a sentence after
answering. Doubt ("no sé", "tal vez") and a yes with a "pero" are UNCLEAR, so
the conversation asks again instead of booking or cancelling on a guess.
"""

from __future__ import annotations

import re
from enum import StrEnum

from backend.domain.language.normalize import cache_short_texts, canonical_words


class YesNo(StrEnum):
    YES = "yes"
    NO = "no"
    UNCLEAR = "unclear"


_CLAUSE_END = re.compile(r"[,.;:!?¡¿\n]")
_YES_EMOJI = ("👍", "👌", "✅", "✔", "☑", "🙌", "👏")
_NO_EMOJI = ("👎", "❌", "✖", "🚫", "⛔")

_UNCLEAR_STARTS = (
    ("no", "se"),
    ("no", "lo", "se"),
    ("no", "sabria"),
    ("no", "estoy", "seguro"),
    ("no", "estoy", "segura"),
    ("no", "tengo", "idea"),
    ("ni", "idea"),
    ("tal", "vez"),
    ("talvez",),
    ("quizas",),
    ("quiza",),
    ("puede", "ser"),
    ("a", "lo", "mejor"),
    ("depende",),
)
_NO_STARTS = (
    ("mejor", "no"),
    ("ya", "no"),
    ("todavia", "no"),
    ("aun", "no"),
    ("claro", "que", "no"),
    ("creo", "que", "no"),
    ("por", "ahora", "no"),
    ("ahora", "no"),
    ("para", "nada"),
    ("de", "ninguna", "manera"),
    ("no",),
    ("noo",),
    ("nop",),
    ("nope",),
    ("nel",),
    ("nah",),
    ("negativo",),
    ("nunca",),
    ("tampoco",),
    ("ninguna",),
    ("ninguno",),
)
_YES_STARTS = (
    ("de", "acuerdo"),
    ("esta", "bien"),
    ("por", "supuesto"),
    ("asi", "es"),
    ("me", "parece"),
    ("me", "sirve"),
    ("me", "funciona"),
    ("me", "queda", "bien"),
    ("creo", "que", "si"),
    ("claro", "que", "si"),
    ("si",),
    ("sii",),
    ("sip",),
    ("sipi",),
    ("sep",),
    ("sisi",),
    ("simon",),
    ("yes",),
    ("ok",),
    ("vale",),
    ("va",),
    ("dale",),
    ("sale",),
    ("andale",),
    ("orale",),
    ("altiro",),
    ("al", "toque"),
    ("claro",),
    ("perfecto",),
    ("correcto",),
    ("exacto",),
    ("confirmo",),
    ("confirmado",),
    ("confirmada",),
    ("confirmar",),
    ("afirmativo",),
    ("listo",),
    ("bueno",),
    ("ya",),
    ("obvio",),
    ("seguro",),
    ("genial",),
    ("excelente",),
    ("super",),
    ("bien",),
    ("acepto",),
    ("deacuerdo",),
    ("sirve",),
    ("eso",),
)
# Words that open a reply without answering it ("pues sí", "ah ok").
_FILLERS = frozenset(
    {
        "pues",
        "ah",
        "oh",
        "eh",
        "em",
        "m",
        "mm",
        "hm",
        "hmm",
        "este",
        "mira",
        "oye",
        "hola",
        "ok",
        "orale",
        "ya pe",
        "pe",
        "po",
        "che",
        "bueno",
    }
)


def _starts_with(words: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]) -> bool:
    return any(words[: len(phrase)] == phrase for phrase in phrases)


def _first_clause_words(text: str) -> tuple[str, ...]:
    for clause in _CLAUSE_END.split(text):
        words = canonical_words(clause)
        if words:
            return words
    return ()


@cache_short_texts
def _detect(text: str) -> YesNo:
    words = _first_clause_words(text)
    while len(words) > 1 and words[0] in _FILLERS:
        words = words[1:]
    if words:
        if _starts_with(words, _UNCLEAR_STARTS):
            return YesNo.UNCLEAR
        if _starts_with(words, _NO_STARTS):
            return YesNo.NO
        if _starts_with(words, _YES_STARTS):
            rest = canonical_words(text)
            if "pero" in rest or (len(words) > 1 and words[1] == "no"):
                return YesNo.UNCLEAR
            return YesNo.YES
    has_yes_emoji = any(emoji in text for emoji in _YES_EMOJI)
    has_no_emoji = any(emoji in text for emoji in _NO_EMOJI)
    if has_yes_emoji != has_no_emoji:
        return YesNo.YES if has_yes_emoji else YesNo.NO
    return YesNo.UNCLEAR


def detect_yes_no(text: str) -> YesNo:
    """Read a reply to a yes/no question.

    "sí", "dale", "ok", "claro", "sí, confirmo", "de acuerdo", "👍" -> YES;
    "no", "mejor no", "nop", "no gracias", "todavía no" -> NO;
    "no sé", "tal vez", "sí pero..." or anything else -> UNCLEAR.
    """
    return _detect(text)
