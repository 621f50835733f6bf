"""Staff passwords: the rules for a new one (ASVS V2.1), hashing and checking.

A new or changed password needs 12 to 128 characters and must not be easy to
guess. "Easy" is zxcvbn's judgement (PyPI `zxcvbn`, MIT): it ships the 30,000
most frequent passwords of public breaches plus dictionaries, and also catches
the patterns a plain list misses once passwords are 12 characters long
(`password1234`, `qwertyuiop12`, repeats, sequences, dates, the user's own name
or e-mail). Any character is allowed and there are no composition rules (V2.1.9).
Existing hashes are never re-judged: the rules apply when a password is set.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable

import bcrypt
from zxcvbn import zxcvbn

from backend.domain.errors import ValidationFailed

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn 0-4; 3 = "safely unguessable", ~10^8 guesses or more
BCRYPT_BYTES = 72  # bcrypt reads no further, so that prefix is what gets judged
# Spanish words people build passwords from, judged like the user's own data.
LOCAL_WORDS = (
    "contraseña",
    "contrasena",
    "clave",
    "veterinaria",
    "veterinario",
    "clinica",
    "mascota",
    "perro",
    "gato",
    "vetassist",
)


def check_new_password(password: str, *, personal: Iterable[str] = ()) -> None:
    """Refuses a password that is too short, too long, or easy to guess.

    Args:
        password: the new password, as typed.
        personal: words of the account (e-mail, name, clinic) that must not carry it.

    Raises:
        ValidationFailed: field "password"; the message says which rule failed.
    """
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(
            f"the password needs at least {MIN_LENGTH} characters",
            field="password",
            code="password_too_short",
        )
    if len(password) > MAX_LENGTH:
        raise ValidationFailed(
            f"the password may have at most {MAX_LENGTH} characters",
            field="password",
            code="password_too_long",
        )
    words = [*_personal_words(personal), *LOCAL_WORDS]
    judged = password.encode()[:BCRYPT_BYTES].decode(errors="ignore")
    with _zxcvbn_lock:  # zxcvbn keeps the user's words in a module-level dictionary
        verdict = zxcvbn(judged, user_inputs=words, max_length=BCRYPT_BYTES)
    if verdict["score"] < MIN_SCORE:
        hint = verdict["feedback"]["warning"] or "add more unrelated words"
        raise ValidationFailed(
            f"the password is too common or easy to guess ({hint.rstrip('.')})",
            field="password",
            code="password_too_weak",
        )


_zxcvbn_lock = threading.Lock()


def _personal_words(values: Iterable[str]) -> list[str]:
    """`ana.ruiz@patitas.co` and `Dra. Ana Ruiz` → ana.ruiz@patitas.co, ana, ruiz, patitas…"""
    words: list[str] = []
    for value in values:
        value = (value or "").strip().lower()
        if not value:
            continue
        words.append(value)
        for separator in "@.-_ ":
            value = value.replace(separator, " ")
        words.extend(w for w in value.split() if len(w) >= 3)
    return words


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode()[:BCRYPT_BYTES], bcrypt.gensalt()).decode()


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode()[:BCRYPT_BYTES], password_hash.encode())
    except ValueError:
        return False


@functools.cache
def _dummy_hash() -> str:
    return hash_password("not-a-real-password")


def spend_like_a_check(password: str) -> None:
    """Costs what a real bcrypt check costs, so an unknown e-mail answers as slowly
    as a wrong password (no account enumeration by timing)."""
    verify_password(password, _dummy_hash())
