"""Understanding cost per message: the rules' readings of every client message of the corpus.

Run: .venv/bin/python -m bench.bench_understanding
Reads each message of tests/services/assistant/corpus the way the assistant
does (intent, yes/no, emergency, name, pet, moment and shift, reason), with no
database and no LLM, and reports CPU time per message (process time): the
first reading of each distinct message (cold, caches empty) and repeated
readings (warm, what a retry or a second look costs). Median of 5 rounds.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

from backend.domain.language import (
    detect_emergency,
    detect_intent,
    detect_yes_no,
    extract_client_name,
    extract_pet,
    parse_when,
)
from backend.domain.language.when import _prepared, requested_shift, warm_up
from backend.services.assistant.flows.booking import _names_a_moment, reason_in
from tests.services.assistant.corpus import Msg
from tests.services.assistant.corpus.conversations import CORPUS
from tests.services.assistant.corpus.holdout import HOLDOUT
from tests.services.assistant.corpus.holdout2 import HOLDOUT2

NOW = datetime(2027, 1, 28, 20, 20, tzinfo=UTC)  # the corpus's Thursday 3:20 PM in Bogotá
TZ = "America/Bogota"
ROUNDS = 5


def _messages() -> list[str]:
    texts = []
    for conversation in (*CORPUS, *HOLDOUT, *HOLDOUT2):
        for said in conversation.says:
            texts.append(said.text if isinstance(said, Msg) else said)
    return [t for t in texts if t]


def _read(text: str) -> None:
    detect_intent(text)
    detect_yes_no(text)
    detect_emergency(text)
    extract_client_name(text)
    extract_pet(text)
    parse_when(text, now=NOW, tz=TZ)
    requested_shift(text)
    reason_in(text)


def _clear_caches() -> None:
    for reader in (
        detect_intent,
        detect_yes_no,
        detect_emergency,
        extract_client_name,
        extract_pet,
        _prepared,
        _names_a_moment,
    ):
        clear = getattr(reader, "cache_clear", None) or getattr(
            getattr(reader, "__wrapped__", None), "cache_clear", None
        )
        if clear:
            clear()


def _per_message(texts: list[str]) -> list[float]:
    costs = []
    for text in texts:
        start = time.process_time_ns()
        _read(text)
        costs.append((time.process_time_ns() - start) / 1000)  # µs
    return costs


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    texts = _messages()
    warm_up()  # dateparser's Spanish data, loaded once per process at start-up
    cold, warm = [], []
    for _ in range(ROUNDS):
        _clear_caches()
        cold.append(_per_message(texts))
        warm.append(_per_message(texts))
    print(
        f"{len(texts)} client messages from {len(CORPUS) + len(HOLDOUT) + len(HOLDOUT2)} "
        f"conversations; median of {ROUNDS} rounds"
    )
    for label, runs in (("cold", cold), ("warm", warm)):
        p50 = statistics.median(_percentile(r, 0.50) for r in runs)
        p99 = statistics.median(_percentile(r, 0.99) for r in runs)
        mean = statistics.median(statistics.fmean(r) for r in runs)
        print(f"{label}: p50 {p50:.0f} µs  p99 {p99:.0f} µs  mean {mean:.0f} µs CPU per message")


if __name__ == "__main__":
    main()
