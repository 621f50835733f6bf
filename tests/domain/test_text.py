from __future__ import annotations

import pytest

from backend.domain.text import fold_accents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mejía Núñez", "Mejia Nunez"),
        ("PEÑA", "PENA"),
        ("ﬁesta", "fiesta"),
        ("¿Sí? 🐶 Straße", "¿Si? 🐶 Straße"),
        ("", ""),
    ],
)
def test_fold_accents_drops_marks_and_keeps_case(text, expected):
    assert fold_accents(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mejía Núñez", "Mejia Nunez"),
        ("¿Sí? 🐶 Straße", "Si?  Strae"),
        ("Łódź", "odz"),
    ],
)
def test_fold_accents_ascii_only_drops_every_other_non_ascii_character(text, expected):
    assert fold_accents(text, ascii_only=True) == expected
