"""A pet's age in Spanish, with correct plurals."""

from __future__ import annotations

from datetime import date

import pytest

from backend.domain.pet_age import age_label

TODAY = date(2027, 1, 28)


@pytest.mark.parametrize(
    ("birth", "label"),
    [
        (date(2024, 1, 28), "3 años"),
        (date(2024, 1, 29), "2 años"),
        (date(2026, 1, 28), "1 año"),
        (date(2026, 5, 10), "8 meses"),
        (date(2026, 12, 28), "1 mes"),
        (date(2027, 1, 10), "2 semanas"),
        (date(2027, 1, 21), "1 semana"),
        (date(2027, 1, 28), "0 semanas"),
        (None, ""),
    ],
)
def test_age_label_speaks_in_years_then_months_then_weeks(birth, label):
    assert age_label(birth, TODAY) == label
