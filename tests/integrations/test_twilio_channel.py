"""The Twilio channel with the real twilio SDK, against a local fake of Twilio's REST API."""

from __future__ import annotations

import pytest

from backend.integrations.whatsapp import ChannelError, TwilioChannel
from tests.fakes import fake_server, twilio_message

ACCOUNT = "AC" + "0" * 32


def test_send_text_posts_whatsapp_message_through_the_sdk():
    with fake_server(lambda r: (201, twilio_message(r))) as twilio:
        channel = TwilioChannel(ACCOUNT, "token", api_base_url=twilio.url)
        result = channel.send(
            from_phone="+14155550100",
            to_phone="+573001112233",
            body="Hola 🐾",
            status_callback="https://vet.example.com/webhooks/whatsapp/status",
        )
    [request] = twilio.requests
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    assert request.headers["authorization"].startswith("Basic ")
    form = request.form()
    assert form["From"] == "whatsapp:+14155550100"
    assert form["To"] == "whatsapp:+573001112233"
    assert form["Body"] == "Hola 🐾"
    assert form["StatusCallback"] == "https://vet.example.com/webhooks/whatsapp/status"
    assert result.provider_sid == "SM" + "a" * 32 and result.status == "queued"


def test_send_template_uses_content_sid_and_variables():
    with fake_server(lambda r: (201, twilio_message(r))) as twilio:
        TwilioChannel(ACCOUNT, "token", api_base_url=twilio.url).send(
            from_phone="+14155550100",
            to_phone="+573001112233",
            content_sid="HX" + "1" * 32,
            content_variables={"1": "Tu cita es mañana"},
        )
    form = twilio.requests[0].form()
    assert form["ContentSid"] == "HX" + "1" * 32
    assert form["ContentVariables"] == '{"1": "Tu cita es mañana"}'
    assert "Body" not in form


def test_refused_number_is_a_final_error():
    error = {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400, "more_info": ""}
    with fake_server(lambda r: (400, error)) as twilio:
        with pytest.raises(ChannelError) as caught:
            TwilioChannel(ACCOUNT, "token", api_base_url=twilio.url).send(
                from_phone="+14155550100", to_phone="+5700", body="x"
            )
    assert caught.value.code == "21211"
    assert caught.value.retryable is False


def test_server_error_is_retryable():
    with fake_server(lambda r: (503, {"message": "unavailable", "status": 503})) as twilio:
        with pytest.raises(ChannelError) as caught:
            TwilioChannel(ACCOUNT, "token", api_base_url=twilio.url).send(
                from_phone="+14155550100", to_phone="+573001112233", body="x"
            )
    assert caught.value.retryable is True


def test_unreachable_api_is_retryable():
    with pytest.raises(ChannelError) as caught:
        TwilioChannel(ACCOUNT, "token", api_base_url="http://127.0.0.1:9").send(
            from_phone="+14155550100", to_phone="+573001112233", body="x"
        )
    assert caught.value.retryable is True
