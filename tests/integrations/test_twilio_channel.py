"""The Twilio channel with the real twilio SDK, against a local fake of Twilio's REST API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.integrations.whatsapp import ChannelError, TwilioChannel
from tests.fakes import TwilioMessages, fake_server, twilio_message

ACCOUNT = "AC" + "0" * 32
CLINIC = "+14155550100"
CLIENT = "+573001112233"


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


def test_find_sent_reads_back_messages_by_sender_recipient_date_and_body():
    twilio = TwilioMessages()
    with fake_server(twilio.respond) as server:
        channel = TwilioChannel(ACCOUNT, "token", api_base_url=server.url)
        before = datetime.now(UTC) - timedelta(minutes=1)
        for to_phone, body in ((CLIENT, "Hola"), ("+573009998877", "Hola"), (CLIENT, "Chao")):
            channel.send(from_phone=CLINIC, to_phone=to_phone, body=body)
        found = channel.find_sent(
            from_phone=CLINIC, to_phone=CLIENT, sent_after=before, body="Hola"
        )
        later = channel.find_sent(
            from_phone=CLINIC,
            to_phone=CLIENT,
            sent_after=datetime.now(UTC) + timedelta(hours=1),
            body="Hola",
        )
    assert [(f.provider_sid, f.status) for f in found] == [(twilio.created[0]["sid"], "sent")]
    assert later == []
    lookup = next(r for r in server.requests if r.method == "GET")
    assert lookup.path.startswith(f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json?")
    assert lookup.query()["To"] == f"whatsapp:{CLIENT}"
    assert lookup.query()["From"] == f"whatsapp:{CLINIC}"
    assert lookup.query()["DateSent>"] == before.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_find_sent_when_twilio_fails_is_a_channel_error():
    with fake_server(lambda r: (500, {"message": "boom", "status": 500})) as server:
        with pytest.raises(ChannelError) as caught:
            TwilioChannel(ACCOUNT, "token", api_base_url=server.url).find_sent(
                from_phone=CLINIC, to_phone=CLIENT, sent_after=datetime.now(UTC), body="x"
            )
    assert caught.value.retryable is True


def test_fake_messages_list_is_newest_first_and_paged_like_twilio():
    twilio = TwilioMessages()
    with fake_server(twilio.respond) as server:
        channel = TwilioChannel(ACCOUNT, "token", api_base_url=server.url)
        for n in range(5):
            channel.send(from_phone=CLINIC, to_phone=CLIENT, body=f"mensaje {n}")
        listed = channel.client.messages.list(to=f"whatsapp:{CLIENT}", page_size=2)
    assert [m.body for m in listed] == [f"mensaje {n}" for n in reversed(range(5))]
    assert all(m.status == "sent" and m.date_sent is not None for m in listed)
    assert len([r for r in server.requests if r.method == "GET"]) == 3
