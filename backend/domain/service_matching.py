"""Which of a clinic's services a client means ("le toca la vacuna" → Vacunación).

Clients name what they want in their own words; each service lists a few
keywords. A reason maps to the service whose keywords it mentions (accents,
capitals and common typos ignored, see `language.normalize`); when none is
mentioned it is the clinic's default service, the general consultation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from backend.domain.language.normalize import canonical_words

MIN_STEM = 4
"""A keyword of at least this many letters also matches longer words it starts
("vacuna" → "vacunación", "vacunas"); shorter ones match whole words only."""


@dataclass(frozen=True)
class BookableService:
    """A service as booking and availability need it.

    ``doctor_ids`` empty means every doctor of the clinic offers it.
    """

    id: Any
    name: str
    duration_minutes: int
    buffer_minutes: int = 0
    deposit_required: bool = False
    is_default: bool = False
    keywords: tuple[str, ...] = ()
    doctor_ids: frozenset[Any] = field(default_factory=frozenset)

    def offered_by(self, doctor_id: Any) -> bool:
        return not self.doctor_ids or doctor_id in self.doctor_ids

    @property
    def label(self) -> str:
        """The name with its length, as clients read it: "Vacunación (15 min)"."""
        return f"{self.name} ({duration_label(self.duration_minutes)})"


def duration_label(minutes: int) -> str:
    """ "15 min", "1 h", "1 h 30 min", "2 h"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"


def match_service(
    reason: str | None, services: Sequence[BookableService]
) -> BookableService | None:
    """The service a free-text reason asks for, else the default one (None if there is none).

    A specific service the reason mentions wins over the default one ("consulta
    para la vacuna" is a vaccination); among those, every keyword mentioned
    scores its length in letters, the highest score wins, then the earlier in
    `services`. Pass only active services.
    """
    default = next((s for s in services if s.is_default), None)
    words = canonical_words(reason or "")
    if not words:
        return default
    best: tuple[int, int] = (0, 0)
    chosen = None
    for service in services:
        score = sum(len("".join(k)) for k in _keywords(service) if _mentions(words, k))
        rank = (0 if service.is_default else 1, score)
        if score and rank > best:
            best, chosen = rank, service
    return chosen or default


def _keywords(service: BookableService) -> Iterable[tuple[str, ...]]:
    yield from (_terms(k) for k in (service.name, *service.keywords))


@lru_cache(maxsize=2048)
def _terms(keyword: str) -> tuple[str, ...]:
    return canonical_words(keyword)


PAST = frozenset({"despues", "desde", "tras", "luego"})
"""A service named just after one of these is something that happened ("vomita
desde la vacuna"), not what the client asks for."""


def _mentions(words: tuple[str, ...], keyword: tuple[str, ...]) -> bool:
    """Whether the keyword's words appear in a row among `words`, not told as the past."""
    if not keyword:
        return False
    size = len(keyword)
    return any(
        all(_word_matches(words[i + j], keyword[j]) for j in range(size))
        and not PAST.intersection(words[max(0, i - 3) : i])
        for i in range(len(words) - size + 1)
    )


STEM_ROOT = 6
"""A verb and its noun meet through a shared root of at least this many letters."""

_ENDINGS = (
    "aciones",
    "iciones",
    "acion",
    "icion",
    "ar",
    "er",
    "ir",
    "as",
    "os",
    "es",
    "a",
    "o",
    "e",
)


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """A light Spanish stem, so a verb and its noun meet: "esterilizar" and
    "esterilización" → "esteriliz", "ecografías" → "ecografi". Never shorter than
    MIN_STEM letters."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def _word_matches(word: str, keyword: str) -> bool:
    if word == keyword or (len(keyword) >= MIN_STEM and word.startswith(keyword)):
        return True
    root = stem(keyword)  # long roots only: "castr" would take the surname Castro
    return len(root) >= STEM_ROOT and stem(word).startswith(root)
