"""Reading a client's answer to a post-visit follow-up (spec 6.4).

The spec's rule stands: any escalation keyword of the protocol means
"concern" and alert the vet; otherwise more negative than positive indicators
means "concern" and monitor; otherwise continue the protocol.

Deviations from the spec's substring test, each fixing a wrong answer:
- whole words only: the spec finds "mal" inside "normal" (so "está comiendo
  normal" counted as negative) and "pus" inside "puso";
- feminine and plural forms count ("hinchada", "tranquila", "vómitos"), and
  "preocupada"/"mejorando" count as "preocupa"/"mejor";
- a negated word does not count for what it says: "no tiene fiebre", "sin
  sangrado", "nada de pus" do not alert the vet (the protocol's own question
  "¿Alguna molestia o sangrado?" invites "No, ningún sangrado"), "no está
  bien" is negative and "no está mal" is not. "No sé si tiene fiebre" and
  "no para el sangrado" are not negations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from backend.domain.language.normalize import normalize

NEGATIVE_INDICATORS = ("mal", "peor", "preocupa", "no mejora", "problema")
POSITIVE_INDICATORS = ("bien", "mejor", "normal", "tranquilo", "comiendo")

_EXTRA_FORMS = {
    "preocupa": ("preocupado", "preocupada", "preocupados", "preocupante", "preocupan"),
    "mejor": ("mejora", "mejorando", "mejorado", "mejorada", "mejorandose"),
}
_NEGATORS = frozenset(
    {"no", "sin", "ni", "nada", "ningun", "ninguna", "ninguno", "tampoco", "nunca"}
)
# After "no", these make it about the problem going on, not being absent
# ("no para el sangrado", "no se le quita la fiebre") or about not knowing.
_NOT_A_NEGATION = frozenset(
    {
        "para",
        "paro",
        "deja",
        "dejo",
        "baja",
        "bajo",
        "cede",
        "quita",
        "quito",
        "disminuye",
        "termina",
        "pasa",
        "se",
        "sabemos",
        "sabria",
        "estoy",
        "mejora",
    }
)
_NEGATION_REACH = 3
# Negation does not cross punctuation: "No, tiene fiebre" is a fever.
_CLAUSE_END = re.compile(r"[,.;:!?¡¿\n]+")
_CLAUSE_MARK = "|"

Status = Literal["normal", "concern"]
Recommendation = Literal["continue_protocol", "monitor", "alert_vet"]


@dataclass(frozen=True)
class FollowUpAnalysis:
    status: Status
    requires_escalation: bool
    matched_keywords: tuple[str, ...]
    recommendation: Recommendation
    negated_keywords: tuple[str, ...] = ()


def _forms(phrase: str) -> tuple[str, ...]:
    """The phrase with its last word in feminine and plural forms."""
    words = normalize(phrase).split()
    if not words:
        return ()
    head, last = words[:-1], words[-1]
    variants = {last}
    if last.endswith("o"):
        variants |= {last[:-1] + "a", last + "s", last[:-1] + "as"}
    elif last[-1] in "aeiu":
        variants.add(last + "s")
    else:
        variants.add(last + "es")
    variants.update(_EXTRA_FORMS.get(last, ()) if not head else ())
    return tuple(" ".join([*head, variant]) for variant in variants)


@lru_cache(maxsize=256)
def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex finding any of the phrases; group name = position in `phrases`."""
    parts = []
    for position, phrase in enumerate(phrases):
        forms = sorted(_forms(phrase), key=len, reverse=True)
        if forms:
            alternatives = "|".join(re.escape(form) for form in forms)
            parts.append(rf"(?P<k{position}>\b(?:{alternatives})\b)")
    return re.compile("|".join(parts)) if parts else None


def _negated(text: str, start: int, phrase: str) -> bool:
    if phrase.startswith(("no ", "sin ")):
        return False
    clause = text[:start].rsplit(_CLAUSE_MARK, 1)[-1]
    before = clause.split()[-_NEGATION_REACH:]
    for offset, word in enumerate(before):
        if word in _NEGATORS:
            between = before[offset + 1 :]
            return not any(w in _NOT_A_NEGATION for w in between)
    return False


@dataclass(frozen=True)
class _Found:
    phrase: str
    negated: bool
    span: tuple[int, int]


def _find(text: str, phrases: tuple[str, ...]) -> list[_Found]:
    pattern = _pattern(phrases)
    if pattern is None:
        return []
    found = []
    for match in pattern.finditer(text):
        group = match.lastgroup
        if group is None:
            continue
        phrase = phrases[int(group[1:])]
        found.append(_Found(phrase, _negated(text, match.start(), normalize(phrase)), match.span()))
    return found


def _unique(phrases: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(phrases))


def analyze_follow_up_response(text: str, escalation_keywords: Sequence[str]) -> FollowUpAnalysis:
    """Classify a follow-up answer against the protocol's escalation keywords.

    "Bien, está comiendo normal pero se queja cuando camina" -> normal,
    continue_protocol; "Tiene un poco de sangrado" with the surgery keywords
    -> concern, alert_vet. Keywords are reported as configured.
    """
    normalized = f" {_CLAUSE_MARK} ".join(normalize(c) for c in _CLAUSE_END.split(text))
    escalation = _find(normalized, tuple(escalation_keywords))
    matched = _unique([f.phrase for f in escalation if not f.negated])
    negated = _unique([f.phrase for f in escalation if f.negated and f.phrase not in matched])

    negatives = _find(normalized, NEGATIVE_INDICATORS)
    negative_spans = [f.span for f in negatives]
    positives = [
        f
        for f in _find(normalized, POSITIVE_INDICATORS)
        if not any(start <= f.span[0] < end for start, end in negative_spans)
    ]
    # Like the spec, each indicator counts once however often it appears.
    negative_count = len(
        {f.phrase for f in negatives if not f.negated} | {f.phrase for f in positives if f.negated}
    )
    positive_count = len({f.phrase for f in positives if not f.negated})

    if matched or negative_count > positive_count:
        return FollowUpAnalysis(
            status="concern",
            requires_escalation=bool(matched),
            matched_keywords=matched,
            recommendation="alert_vet" if matched else "monitor",
            negated_keywords=negated,
        )
    return FollowUpAnalysis(
        status="normal",
        requires_escalation=False,
        matched_keywords=(),
        recommendation="continue_protocol",
        negated_keywords=negated,
    )
