"""POST /webhooks/whatsapp and /webhooks/whatsapp/status: signatures, tenants, storage, statuses."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlmodel import select

from backend.core.config import settings
from backend.core.db import session_scope
from backend.integrations.whatsapp import SandboxChannel, set_channel
from backend.models import Message
from tests.chat import Chat, configure_webhook, make_clinic, sign

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@pytest.fixture(autouse=True)
def _webhook(monkeypatch):
    configure_webhook(monkeypatch)
    set_channel(SandboxChannel())
    yield
    set_channel(None)


@pytest.fixture
def wa_clinic(db, frozen_clock):
    return make_clinic()


@pytest.fixture
def chat(http, wa_clinic):
    return Chat(http=http, phone="+573001112233")


def _inbound_count() -> int:
    with session_scope(read_only=True) as session:
        return len(session.exec(select(Message).where(Message.direction == "inbound")).all())


def test_inbound_with_valid_signature_answers_empty_twiml_and_replies(chat):
    response = chat.post("Hola")
    assert response.status_code == 200
    assert response.text == EMPTY_TWIML
    assert response.headers["content-type"].startswith("text/xml")
    assert len(chat.new_replies()) == 1  # produced before the webhook returned


def test_inbound_with_bad_signature_is_refused_and_not_stored(chat):
    response = chat.post("Hola", signature="bm90LXRoZS1zaWduYXR1cmU=")
    assert response.status_code == 403
    assert _inbound_count() == 0


def test_inbound_without_signature_is_refused(chat):
    response = chat.post("Hola", signature="")
    assert response.status_code == 403
    assert _inbound_count() == 0


def test_inbound_signed_for_another_url_is_refused(chat, monkeypatch):
    monkeypatch.setattr(settings, "PUBLIC_BASE_URL", "https://otra-clinica.example.com")
    assert chat.post("Hola").status_code == 403


def test_inbound_with_signature_of_another_token_is_refused(chat):
    params = {
        "MessageSid": "SM1",
        "From": "whatsapp:+573001112233",
        "To": "whatsapp:+14155550100",
        "Body": "x",
    }
    response = chat.http.post(
        "/webhooks/whatsapp",
        data=params,
        headers={"X-Twilio-Signature": sign("/webhooks/whatsapp", params, token="otro")},
    )
    assert response.status_code == 403


def test_inbound_to_unknown_number_is_404_and_logged(chat, caplog):
    with caplog.at_level(logging.WARNING):
        response = chat.post("Hola", to="+14155559999")
    assert response.status_code == 404
    assert "unknown number" in caplog.text
    assert _inbound_count() == 0


def test_sandbox_may_switch_the_signature_check_off(chat, monkeypatch):
    monkeypatch.setattr(settings, "TWILIO_VALIDATE_SIGNATURE", False)
    assert chat.post("Hola", signature="").status_code == 200


def test_twilio_channel_cannot_switch_the_signature_check_off(chat, monkeypatch):
    monkeypatch.setattr(settings, "TWILIO_VALIDATE_SIGNATURE", False)
    monkeypatch.setattr(settings, "WHATSAPP_CHANNEL", "twilio")
    assert chat.post("Hola", signature="").status_code == 403


def test_inbound_without_auth_token_is_refused(chat, monkeypatch):
    monkeypatch.setattr(settings, "TWILIO_AUTH_TOKEN", None)
    assert chat.post("Hola").status_code == 403


def test_inbound_is_stored_with_e164_phones_and_media(chat, wa_clinic):
    chat.post(
        "mira la foto",
        media=["https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"],
    )
    with session_scope(read_only=True) as session:
        message = session.exec(select(Message).where(Message.direction == "inbound")).one()
    assert (message.from_phone, message.to_phone) == ("+573001112233", "+14155550100")
    assert message.tenant_id == wa_clinic.tenant.id
    assert message.media[0]["content_type"] == "image/jpeg"
    assert message.processed_at is not None


def test_inbound_with_control_characters_is_stored_clean(chat):
    assert chat.post("ho\x00la\x07 🐾").status_code == 200
    with session_scope(read_only=True) as session:
        message = session.exec(select(Message).where(Message.direction == "inbound")).one()
    assert message.body == "hola 🐾"


def test_replayed_message_sid_answers_200_and_changes_nothing(chat):
    sid = "SM" + uuid.uuid4().hex
    assert chat.post("Hola", sid=sid).status_code == 200
    replies = chat.new_replies()
    assert chat.post("Hola", sid=sid).status_code == 200
    assert _inbound_count() == 1
    assert chat.new_replies() == [] and len(replies) == 1


def _status(http, sid, status, error=None, signature=None):
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC1"}
    if error:
        params["ErrorCode"] = error
    headers = {
        "X-Twilio-Signature": signature
        if signature is not None
        else sign("/webhooks/whatsapp/status", params)
    }
    return http.post("/webhooks/whatsapp/status", data=params, headers=headers)


def _last_outbound() -> Message:
    with session_scope(read_only=True) as session:
        return session.exec(select(Message).where(Message.direction == "outbound")).all()[-1]


def test_status_callback_moves_the_status_forward_only(chat):
    chat.post("Hola")
    sid = _last_outbound().provider_sid
    assert _status(chat.http, sid, "delivered").status_code == 200
    assert _last_outbound().status == "delivered"
    _status(chat.http, sid, "sent")  # late callback
    assert _last_outbound().status == "delivered"
    _status(chat.http, sid, "read")
    assert _last_outbound().status == "read"


def test_status_callback_records_failure_with_error_code(chat):
    chat.post("Hola")
    sid = _last_outbound().provider_sid
    _status(chat.http, sid, "undelivered", error="63016")
    message = _last_outbound()
    assert (message.status, message.error_code) == ("undelivered", "63016")


def test_status_callback_needs_a_valid_signature(chat):
    chat.post("Hola")
    sid = _last_outbound().provider_sid
    assert _status(chat.http, sid, "delivered", signature="xx").status_code == 403
    assert _last_outbound().status == "sent"


def test_status_callback_for_unknown_message_is_accepted(chat):
    assert _status(chat.http, "SMunknown", "delivered").status_code == 200


def _signed_inbound(http, **fields):
    """Posts an inbound message signed as Twilio would, with `fields` replacing the defaults."""
    params = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": "whatsapp:+573001112233",
        "To": "whatsapp:+14155550100",
        "Body": "Hola",
        "NumMedia": "0",
        **fields,
    }
    params = {name: value for name, value in params.items() if value is not None}
    return http.post(
        "/webhooks/whatsapp",
        data=params,
        headers={"X-Twilio-Signature": sign("/webhooks/whatsapp", params)},
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"From": "whatsapp:+57300\x001112233"}, "From"),
        ({"From": "whatsapp:+5730011122334455667788"}, "From"),
        ({"From": ""}, "From"),
        ({"From": None}, "From"),
        ({"From": "+573001112233"}, "From"),
        ({"From": "whatsapp:+57 300 111 2233"}, "From"),
        ({"To": "whatsapp:+1415555\x000100"}, "To"),
        ({"MessageSid": "SM\x00" + "a" * 32}, "MessageSid"),
        ({"MessageSid": "SM" + "a" * 63}, "MessageSid"),
        ({"MessageSid": None}, "MessageSid"),
        (
            {
                "NumMedia": "1",
                "MediaUrl0": "https://api.twilio.com/m\x00",
                "MediaContentType0": "x",
            },
            "MediaUrl0",
        ),
        (
            {"NumMedia": "1", "MediaUrl0": "http://169.254.169.254/latest/meta-data/"},
            "MediaUrl0",
        ),
        (
            {
                "NumMedia": "1",
                "MediaUrl0": "https://api.twilio.com/media/ME1",
                "MediaContentType0": "image/jpeg\x00",
            },
            "MediaContentType0",
        ),
    ],
)
def test_signed_inbound_with_malformed_field_is_422_and_not_stored(chat, fields, field):
    response = _signed_inbound(chat.http, **fields)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert response.json()["error"]["code"] == "malformed_message"
    assert _inbound_count() == 0
    assert chat.new_replies() == []


def test_inbound_with_a_file_part_is_refused_unread(chat):
    response = chat.http.post(
        "/webhooks/whatsapp",
        data={"MessageSid": "SM1", "To": "whatsapp:+14155550100"},
        files={"From": ("from.txt", b"whatsapp:+573001112233")},
        headers={"X-Twilio-Signature": "bm90LXRoZS1zaWduYXR1cmU="},
    )
    assert response.status_code == 415
    assert _inbound_count() == 0


def test_inbound_with_control_characters_in_profile_name_is_stored_clean(chat):
    assert _signed_inbound(chat.http, ProfileName="Ca\x00mi\x1bla").status_code == 200
    with session_scope(read_only=True) as session:
        message = session.exec(select(Message).where(Message.direction == "inbound")).one()
    assert message.profile_name == "Camila"


@pytest.mark.parametrize(
    ("sid", "error", "field"),
    [
        ("SM\x00abc", None, "MessageSid"),
        ("SM" + "a" * 63, None, "MessageSid"),
        ("", None, "MessageSid"),
        ("SMabc", "630\x0016", "ErrorCode"),
    ],
)
def test_status_callback_with_malformed_field_is_422(chat, sid, error, field):
    chat.post("Hola")
    response = _status(chat.http, sid, "undelivered", error=error)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert _last_outbound().status == "sent"


def test_inbound_signed_with_the_secondary_token_is_accepted_while_rotating(chat, monkeypatch):
    monkeypatch.setattr(settings, "TWILIO_AUTH_TOKEN_SECONDARY", "el-token-nuevo")
    params = {
        "MessageSid": "SM" + "b" * 32,
        "From": "whatsapp:+573001112233",
        "To": "whatsapp:+14155550100",
        "Body": "Hola",
    }
    signature = sign("/webhooks/whatsapp", params, token="el-token-nuevo")
    response = chat.http.post(
        "/webhooks/whatsapp", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200
    assert _inbound_count() == 1


def test_a_json_body_is_refused_unread_whatever_its_signature(chat):
    body = '{"From": "whatsapp:+573001112233", "To": "whatsapp:+14155550100", "Body": "Hola"}'
    response = chat.http.post(
        "/webhooks/whatsapp?bodySHA256=abc",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Twilio-Signature": sign("/webhooks/whatsapp?bodySHA256=abc", {}),
        },
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert _inbound_count() == 0


def test_a_trailing_slash_is_a_404_not_a_redirect_to_the_host_header(http, wa_clinic):
    response = http.get(
        "/api/v1/appointments/", headers={"Host": "10.0.0.7:8000"}, follow_redirects=False
    )
    assert response.status_code == 404
    assert "location" not in response.headers


def test_twilio_in_production_needs_an_https_public_url():
    from pydantic import ValidationError

    from backend.core.config import Settings

    with pytest.raises(ValidationError, match="https"):
        Settings(WHATSAPP_CHANNEL="twilio", PUBLIC_BASE_URL="http://clinica.example.com")
    assert Settings(WHATSAPP_CHANNEL="twilio", PUBLIC_BASE_URL="https://clinica.example.com")
    assert Settings(WHATSAPP_CHANNEL="twilio", PUBLIC_BASE_URL="http://localhost:3000")
