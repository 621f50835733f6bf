"""Rules for new staff passwords (ASVS V2.1.1, V2.1.2, V2.1.7)."""

from __future__ import annotations

import pytest

from backend.domain.errors import ValidationFailed
from backend.services.clinics.passwords import check_new_password, hash_password, verify_password


@pytest.mark.parametrize(
    "password",
    ["mi perro se llama toby", "Patitas.Bogota.Norte", "caballo bateria grapa", "Xk9#mQ2!vL7p"],
)
def test_check_new_password_accepts_long_unguessable(password: str) -> None:
    check_new_password(password)


@pytest.mark.parametrize("password", ["demo1234", "secreto-123", "Abc!1234567"])
def test_check_new_password_refuses_under_12_characters(password: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_new_password(password)

    assert exc.value.code == "password_too_short"
    assert exc.value.field == "password"


@pytest.mark.parametrize(
    "password",
    [
        "password1234",  # breached-password list
        "qwertyuiop123",  # keyboard walk
        "123456789012",  # sequence
        "xxxxxxxxxxxx",  # repeat
        "iloveyou1234",
        "contrasena1234",  # Spanish for "password"
    ],
)
def test_check_new_password_refuses_common_or_patterned(password: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_new_password(password)

    assert exc.value.code == "password_too_weak"


def test_check_new_password_refuses_the_users_own_data() -> None:
    personal = ["ana.ruiz@patitas.co", "Dra. Ana Ruiz", "Clínica Patitas", "patitas"]
    check_new_password("patitas1234567")  # fine for someone else

    for password in ("patitas1234567", "ana.ruiz@patitas.co"):
        with pytest.raises(ValidationFailed):
            check_new_password(password, personal=personal)


def test_check_new_password_refuses_over_128_characters() -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_new_password("una frase muy larga " * 7)

    assert exc.value.code == "password_too_long"


def test_hash_password_verifies_only_the_same_password() -> None:
    hashed = hash_password("mi perro se llama toby")

    assert verify_password("mi perro se llama toby", hashed)
    assert not verify_password("mi perro se llama tobi", hashed)
    assert not verify_password("mi perro se llama toby", "not-a-hash")
