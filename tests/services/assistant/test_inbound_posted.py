"""`accept_posted`, the webhook's operation: a malformed message is refused and never stored."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlmodel import select

from backend.core.db import session_scope
from backend.models import Message
from backend.services.assistant.inbound import MalformedMessage, PostedMessage, accept_posted

GOOD = PostedMessage(
    to="whatsapp:+14155550100",
    from_="whatsapp:+573001112233",
    body="Hola",
    provider_sid="SM" + "0" * 32,
    media=({"url": "https://api.twilio.com/media/ME1", "content_type": "image/jpeg"},),
)


def _stored() -> list[Message]:
    with session_scope(read_only=True) as session:
        return list(session.exec(select(Message).where(Message.direction == "inbound")))


def test_accept_posted_stores_the_message_with_e164_phones(clinic):
    message_id = accept_posted(replace(GOOD, provider_sid="SM" + uuid.uuid4().hex))
    [message] = _stored()
    assert message.id == message_id
    assert (message.from_phone, message.to_phone) == ("+573001112233", "+14155550100")
    assert message.media == [dict(GOOD.media[0])]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"from_": "whatsapp:+57300\x001112233"}, "From"),
        ({"from_": "whatsapp:+5730011122334455667788"}, "From"),
        ({"from_": ""}, "From"),
        ({"from_": "whatsapp:+999"}, "From"),
        ({"from_": "whatsapp:ana@example.com"}, "From"),
        ({"to": "whatsapp:+1415555\x000100"}, "To"),
        ({"to": ""}, "To"),
        ({"provider_sid": None}, "MessageSid"),
        ({"provider_sid": "SM\x00" + "0" * 32}, "MessageSid"),
        ({"provider_sid": "SM" + "0" * 63}, "MessageSid"),
        ({"media": ({"url": "https://api.twilio.com/m\x00", "content_type": ""},)}, "MediaUrl0"),
        ({"media": ({"url": "file:///etc/passwd", "content_type": ""},)}, "MediaUrl0"),
        ({"media": ({"url": "https://a.b/c d", "content_type": ""},)}, "MediaUrl0"),
        (
            {"media": ({"url": "https://api.twilio.com/m", "content_type": "image/\x00"},)},
            "MediaContentType0",
        ),
    ],
)
def test_accept_posted_refuses_a_malformed_message_and_stores_nothing(clinic, change, field):
    with pytest.raises(MalformedMessage) as refused:
        accept_posted(replace(GOOD, **change))
    assert refused.value.field == field
    assert _stored() == []


def test_accept_posted_cleans_control_characters_from_body_and_profile_name(clinic):
    accept_posted(replace(GOOD, body="hola\x00que\x07\ntal", profile_name="Ana\x1fRuiz"))
    [message] = _stored()
    assert (message.body, message.profile_name) == ("holaque\ntal", "Ana Ruiz")
