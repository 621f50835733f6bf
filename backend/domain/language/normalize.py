"""Text normalisation shared by every Spanish matcher.

WhatsApp Spanish arrives with or without accents, in capitals, with emoji,
stretched letters ("siiii") and cheap typos ("kiero una sita"). Every matcher
works on the same canonical form so its patterns can be written once, in plain
lowercase ASCII.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

from backend.domain.text import fold_accents

_T = TypeVar("_T")

# Messages longer than this are rare and not worth keeping in memory.
MAX_CACHED_CHARS = 512


def cache_short_texts(function: Callable[[str], _T]) -> Callable[[str], _T]:
    """Memoise a pure function of a message, for messages up to 512 characters.

    Conversations repeat themselves ("Sí", "1", "gracias"); a flood of long
    texts must not fill memory.
    """
    cached = lru_cache(maxsize=4096)(function)

    @wraps(function)
    def lookup(text: str) -> _T:
        return cached(text) if len(text) <= MAX_CACHED_CHARS else function(text)

    return lookup


_DOTTED_TIME = re.compile(r"(?<=\d)\.(?=\d\d(?!\d))")
# Every ASCII character but letters, digits, ":" and "/" becomes a space.
_KEPT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789:/")
_TO_SPACE = {code: " " for code in range(128) if chr(code) not in _KEPT}
_LOOSE_SEPARATOR = re.compile(r"(?<![0-9])[:/]+|[:/]+(?![0-9])")
_STRETCHED = re.compile(r"([a-z])\1{2,}")
# Spanish writes rr, ll and cc on purpose ("carro", "llamo", "accion"): a
# stretched run of those letters shrinks to two, every other letter to one.
_KEEP_DOUBLE = frozenset("rlc")

# Frequent misspellings and WhatsApp shorthand, mapped to the word a pattern
# expects. Only unambiguous forms belong here.
TYPOS: dict[str, str] = {
    "sita": "cita",
    "sitas": "citas",
    "zita": "cita",
    "zitas": "citas",
    "cira": "cita",
    "kiero": "quiero",
    "qiero": "quiero",
    "quero": "quiero",
    "kero": "quiero",
    "qero": "quiero",
    "kisiera": "quisiera",
    "qisiera": "quisiera",
    "nesesito": "necesito",
    "nececito": "necesito",
    "nesecito": "necesito",
    "nesito": "necesito",
    "necsito": "necesito",
    "nesesitamos": "necesitamos",
    "ajendar": "agendar",
    "ajenda": "agenda",
    "ajendo": "agendo",
    "reserbar": "reservar",
    "reserba": "reserva",
    "canselar": "cancelar",
    "kancelar": "cancelar",
    "kanselar": "cancelar",
    "cansela": "cancela",
    "cansel": "cancelar",
    "presio": "precio",
    "presios": "precios",
    "kuanto": "cuanto",
    "quanto": "cuanto",
    "cuato": "cuanto",
    "kuesta": "cuesta",
    "questa": "cuesta",
    "kuestan": "cuestan",
    "kuando": "cuando",
    "quando": "cuando",
    "bacunar": "vacunar",
    "bacuna": "vacuna",
    "bacunas": "vacunas",
    "rebisar": "revisar",
    "revizar": "revisar",
    "rebisen": "revisen",
    "konsulta": "consulta",
    "consuta": "consulta",
    "grasias": "gracias",
    "grax": "gracias",
    "grcs": "gracias",
    "gcs": "gracias",
    "thx": "gracias",
    "ola": "hola",
    "holi": "hola",
    "holis": "hola",
    "hla": "hola",
    "wenas": "buenas",
    "bns": "buenas",
    "okey": "ok",
    "okay": "ok",
    "oki": "ok",
    "okis": "ok",
    "oka": "ok",
    "okas": "ok",
    "k": "que",
    "q": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "x": "por",
    "xfa": "porfa",
    "xfavor": "porfavor",
    "dnd": "donde",
    "tmb": "tambien",
    "tb": "tambien",
    "ora": "hora",
    "oras": "horas",
}

# Verbs worth recognising even when misspelt by one letter ("agnedar",
# "reprogamar"). Kept to long, distinctive words so an edit of one letter
# cannot turn an ordinary word into one of them.
_FUZZY_VOCABULARY = (
    "agendar",
    "reservar",
    "cancelar",
    "reprogramar",
    "reagendar",
    "necesito",
    "consulta",
    "quisiera",
    "gracias",
    "cambiar",
)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _build_fuzzy_index() -> dict[str, str]:
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for word in _FUZZY_VOCABULARY:
        for key in _deletions(word) | {word}:
            if key in index and index[key] != word:
                ambiguous.add(key)
            index[key] = word
    for key in ambiguous:
        del index[key]
    return index


_FUZZY_INDEX = _build_fuzzy_index()


def _shrink_stretch(match: re.Match[str]) -> str:
    letter = match.group(1)
    return letter * 2 if letter in _KEEP_DOUBLE else letter


@cache_short_texts
def normalize(text: str) -> str:
    """Lowercase ASCII words separated by single spaces.

    Accents and the tilde go (NFKD; "ñ" becomes "n"), emoji and punctuation
    become spaces, stretched letters shrink ("siiii" -> "si"). ":" and "/"
    survive only between digits, where they carry meaning ("4:30", "29/01");
    "4.30" is read as "4:30".
    """
    ascii_only = fold_accents(text.casefold(), ascii_only=True)
    if "." in ascii_only:
        ascii_only = _DOTTED_TIME.sub(":", ascii_only)
    spaced = ascii_only.translate(_TO_SPACE)
    if ":" in spaced or "/" in spaced:
        spaced = _LOOSE_SEPARATOR.sub(" ", spaced)
    spaced = _STRETCHED.sub(_shrink_stretch, spaced)
    return " ".join(spaced.split())


@lru_cache(maxsize=8192)
def _canonical_word(word: str) -> str:
    fixed = TYPOS.get(word)
    if fixed is not None:
        return fixed
    if len(word) < 6 or not word.isalpha():
        return word
    # A missing letter ("agndar") or a swapped/wrong one ("agnedar",
    # "reserbar"); never an extra letter, which would read "consultar" as
    # "consulta".
    if word in _FUZZY_INDEX:
        return _FUZZY_INDEX[word]
    for key in _deletions(word):
        target = _FUZZY_INDEX.get(key)
        if target is not None and len(target) == len(word):
            return target
    return word


@cache_short_texts
def canonical_words(text: str) -> tuple[str, ...]:
    """Normalised words with common typos corrected ("kiero una sita")."""
    return tuple(_canonical_word(word) for word in normalize(text).split())


def canonical_text(text: str) -> str:
    """`canonical_words` joined by single spaces, for regex matching."""
    return " ".join(canonical_words(text))
