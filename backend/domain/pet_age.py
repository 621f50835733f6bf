"""A pet's age from its birth date, as the clinic says it: "3 años", "8 meses"."""

from __future__ import annotations

from datetime import date


def months_between(birth: date, today: date) -> int:
    """Whole months lived from `birth` to `today` (0 for a future birth date)."""
    months = (today.year - birth.year) * 12 + today.month - birth.month
    if today.day < birth.day:
        months -= 1
    return max(months, 0)


def age_label(birth: date | None, today: date) -> str:
    """ "3 años", "1 año", "8 meses", "1 mes", "2 semanas" ("" without a birth date).

    Years from the first birthday on, months before it, weeks in the first month.
    """
    if birth is None:
        return ""
    months = months_between(birth, today)
    if months >= 12:
        years = months // 12
        return f"{years} año" if years == 1 else f"{years} años"
    if months >= 1:
        return f"{months} mes" if months == 1 else f"{months} meses"
    weeks = max((today - birth).days // 7, 0)
    return f"{weeks} semana" if weeks == 1 else f"{weeks} semanas"
