"""Secrets kept in the database (a clinic's Twilio auth token), encrypted at rest.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with the key in
SECRETS_KEY (`python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"`). Without the key nothing can be
stored or read back: a clinic's own credentials need it, the rest of the
product does not.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from backend.core.config import settings


class SecretsUnavailable(RuntimeError):
    """SECRETS_KEY is missing or wrong: encrypted values cannot be used."""


def _fernet() -> Fernet:
    if not settings.SECRETS_KEY:
        raise SecretsUnavailable("SECRETS_KEY is not set: clinic credentials cannot be used")
    try:
        return Fernet(settings.SECRETS_KEY.encode())
    except ValueError as exc:
        raise SecretsUnavailable("SECRETS_KEY is not a Fernet key") from exc


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretsUnavailable("an encrypted value does not open with SECRETS_KEY") from exc
