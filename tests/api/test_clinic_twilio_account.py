"""A clinic on its own Twilio (sub)account: its token validates its webhooks and its
messages go out through its account; the token is stored encrypted."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlmodel import select

from backend.core.clock import clock
from backend.core.config import settings
from backend.core.db import session_scope
from backend.core.secrets import SecretsUnavailable
from backend.domain.errors import ValidationFailed
from backend.integrations.whatsapp import TwilioChannel, set_channel
from backend.models import Message, Tenant
from backend.services.clinics import twilio_accounts
from tests.chat import configure_webhook, make_clinic, sign
from tests.fakes import TwilioMessages, fake_server

CLINIC_SID = "AC" + "1" * 32
CLINIC_TOKEN = "c" * 32
INSTALL_SID = "AC" + "0" * 32


@pytest.fixture
def clinic(db, frozen_clock, monkeypatch):
    configure_webhook(monkeypatch)
    monkeypatch.setattr(settings, "SECRETS_KEY", Fernet.generate_key().decode())
    return make_clinic()


@pytest.fixture
def twilio(monkeypatch):
    """The install on Twilio (a local fake of its API) with its own account and token."""
    with fake_server(TwilioMessages(now=clock.now).respond) as server:
        monkeypatch.setattr(settings, "WHATSAPP_CHANNEL", "twilio")
        monkeypatch.setattr(settings, "TWILIO_API_BASE_URL", server.url)
        set_channel(TwilioChannel(INSTALL_SID, "install-token", api_base_url=server.url))
        yield server
        set_channel(None)


def _post(http, token: str):
    params = {
        "MessageSid": "SM" + "a" * 32,
        "From": "whatsapp:+573001112233",
        "To": "whatsapp:+14155550100",
        "Body": "Hola, necesito una cita para mi perro",
    }
    signature = sign("/webhooks/whatsapp", params, token=token)
    return http.post("/webhooks/whatsapp", data=params, headers={"X-Twilio-Signature": signature})


def test_the_token_is_stored_encrypted_and_needs_the_key(clinic, monkeypatch):
    twilio_accounts.set_account(slug="patitas", account_sid=CLINIC_SID, auth_token=CLINIC_TOKEN)
    with session_scope(read_only=True) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == "patitas")).one()
    assert (
        tenant.twilio_auth_token_encrypted
        and CLINIC_TOKEN not in tenant.twilio_auth_token_encrypted
    )
    assert twilio_accounts.account_of(tenant) == twilio_accounts.TwilioAccount(
        CLINIC_SID, CLINIC_TOKEN
    )
    monkeypatch.setattr(settings, "SECRETS_KEY", None)
    with pytest.raises(SecretsUnavailable):
        twilio_accounts.set_account(slug="patitas", account_sid=CLINIC_SID, auth_token=CLINIC_TOKEN)


def test_a_malformed_account_is_refused(clinic):
    with pytest.raises(ValidationFailed):
        twilio_accounts.set_account(slug="patitas", account_sid="AC123", auth_token=CLINIC_TOKEN)
    with pytest.raises(ValidationFailed):
        twilio_accounts.set_account(slug="patitas", account_sid=CLINIC_SID, auth_token="short")


def test_the_clinics_own_token_validates_its_webhooks(clinic, http, twilio):
    twilio_accounts.set_account(slug="patitas", account_sid=CLINIC_SID, auth_token=CLINIC_TOKEN)
    assert _post(http, "d" * 32).status_code == 403  # a token of nobody
    assert _post(http, CLINIC_TOKEN).status_code == 200


def test_replies_go_out_through_the_clinics_own_account(clinic, http, twilio):
    twilio_accounts.set_account(slug="patitas", account_sid=CLINIC_SID, auth_token=CLINIC_TOKEN)
    assert _post(http, CLINIC_TOKEN).status_code == 200
    with session_scope(read_only=True) as session:
        sent = session.exec(select(Message).where(Message.direction == "outbound")).all()
    assert sent and all(m.status == "sent" for m in sent)
    paths = {r.path for r in twilio.requests}
    assert paths == {f"/2010-04-01/Accounts/{CLINIC_SID}/Messages.json"}


def test_status_callbacks_signed_with_the_clinics_own_token_are_accepted(clinic, http, twilio):
    twilio_accounts.set_account(slug="patitas", account_sid=CLINIC_SID, auth_token=CLINIC_TOKEN)
    params = {
        "MessageSid": "SM" + "b" * 32,
        "MessageStatus": "delivered",
        "From": "whatsapp:+14155550100",
        "To": "whatsapp:+573001112233",
    }
    path = "/webhooks/whatsapp/status"
    for token, expected in (("d" * 32, 403), (CLINIC_TOKEN, 200)):
        signature = sign(path, params, token=token)
        answer = http.post(path, data=params, headers={"X-Twilio-Signature": signature})
        assert answer.status_code == expected
