"""The app pointed at the local fake of Google (`fake_server`), for the calendar-sync tests."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from backend.core.config import settings
from backend.integrations.google_calendar.fake_server import FakeGoogle


def use_fake_google(monkeypatch: pytest.MonkeyPatch, fake: FakeGoogle) -> FakeGoogle:
    """Turns calendar sync on (an OAuth client and a fresh SECRETS_KEY) against `fake`."""
    fake.reset()
    monkeypatch.setattr(settings, "SECRETS_KEY", Fernet.generate_key().decode())
    monkeypatch.setattr(settings, "GOOGLE_CLIENT_ID", "client-id")
    monkeypatch.setattr(settings, "GOOGLE_CLIENT_SECRET", "client-secret")
    monkeypatch.setattr(settings, "GOOGLE_API_BASE_URL", fake.base_url)
    monkeypatch.setattr(settings, "GOOGLE_TOKEN_URI", fake.token_uri)
    monkeypatch.setattr(settings, "GOOGLE_AUTH_URI", fake.auth_uri)
    monkeypatch.setattr(settings, "GOOGLE_REVOKE_URI", fake.revoke_uri)
    return fake
