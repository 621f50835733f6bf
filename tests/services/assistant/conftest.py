"""A clinic and a WhatsApp client, with the webhook configured (sandbox channel, signed requests)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from backend.api.main import app
from backend.core.clock import clock
from backend.integrations.llm import set_interpreter
from backend.integrations.whatsapp import SandboxChannel, set_channel
from tests.chat import Chat, configure_webhook, make_clinic, weekday_periods

SPEC_PERIODS = weekday_periods("09:00", "12:00") + weekday_periods("14:00", "18:00")
THURSDAY_3_20_PM = datetime(2027, 1, 28, 20, 20, tzinfo=UTC)  # 15:20 in Bogotá


@pytest.fixture(autouse=True)
def _webhook(monkeypatch):
    configure_webhook(monkeypatch)
    channel = SandboxChannel()
    set_channel(channel)
    set_interpreter(None)
    yield channel
    set_channel(None)
    set_interpreter(None)


@pytest.fixture
def http():
    """The API without its lifespan: tests wire the process themselves and run no sweep loop."""
    client = TestClient(app, raise_server_exceptions=False)
    yield client
    client.close()


@pytest.fixture
def spec_clock():
    """Thursday 28 January 2027, 3:20 PM in Bogotá (the spec's 'Hoy 4:30 PM' moment)."""
    clock.freeze(THURSDAY_3_20_PM)
    try:
        yield THURSDAY_3_20_PM
    finally:
        clock.unfreeze()


@pytest.fixture
def clinic(db, spec_clock):
    return make_clinic(periods=SPEC_PERIODS)


@pytest.fixture
def chat(http, clinic):
    return Chat(http=http, phone="+573001112233")
