"""The assistant says the vet was notified only once an alert reached a contact.

The answer to a confirmed emergency says the alert is being sent and gives the
clinic's address, a map link and its phone. Then, as the alert's deliveries
settle, the client hears once that the vet has been notified, or, when every
delivery failed, to call the clinic.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import delete, select

from backend.core.config import settings
from backend.core.db import session_scope
from backend.integrations.alerts import set_alert_transport
from backend.integrations.alerts.memory import MemoryTransport
from backend.integrations.whatsapp import ChannelError, SandboxChannel, set_channel
from backend.models import AlertDelivery, EmergencyEvent, EscalationContact, Message, StaffUser
from backend.services import outbox
from backend.services.chats import messaging
from tests.chat import VET_PHONE

NOTIFIED = (
    "✅ El veterinario ha sido notificado y te contactará en los próximos minutos.\n"
    "Si la situación empeora, llama al (601) 4567890."
)
UNREACHABLE = (
    "⚠️ No logramos hacer llegar el aviso al veterinario. "
    "Por favor llama ya mismo al consultorio: (601) 4567890."
)


class RefusingChannel(SandboxChannel):
    """A WhatsApp channel whose provider refuses every message for good."""

    name = "refusing"

    def send(self, **kwargs: Any):  # type: ignore[no-untyped-def, override]
        raise ChannelError("number not on WhatsApp", code="63003", retryable=False)


@pytest.fixture
def transport():
    memory = MemoryTransport()
    set_alert_transport(memory)
    yield memory
    set_alert_transport(None)


@pytest.fixture
def template(monkeypatch):
    """Alerts reach contacts outside their 24-hour window through the approved template."""
    monkeypatch.setattr(settings, "WHATSAPP_TEMPLATE_CONTENT_SID", "HX" + "1" * 32)


def _emergency(chat) -> str:
    chat.send("mi perro fue atropellado y no se mueve, ayuda")
    [registered] = chat.send("sí")
    return registered


def _notice() -> str | None:
    with session_scope(read_only=True) as session:
        return session.exec(select(EmergencyEvent.client_notice)).one()


def test_the_answer_promises_nothing_and_the_notice_follows_the_delivery(
    chat, clinic, transport, template
):
    registered = _emergency(chat)
    assert "notificado" not in registered
    assert "Estoy avisando ahora mismo al veterinario" in registered
    assert "llama al (601) 4567890" in registered
    assert "📍 Estamos en Calle 85 # 15-20, Bogotá" in registered
    assert (
        "https://www.google.com/maps/search/?api=1&query=Calle+85+%23+15-20%2C+Bogot%C3%A1"
        in registered
    )
    assert _notice() is None

    outbox.relay_pending()
    assert chat.new_replies() == [NOTIFIED]
    assert _notice() == "notified"

    outbox.relay_pending()  # the e-mail delivery settles too: said once
    assert chat.new_replies() == []


def test_with_nobody_to_alert_the_client_is_sent_to_the_phone_at_once(chat, clinic, transport):
    with session_scope(write=True) as session:
        session.exec(delete(EscalationContact))  # type: ignore[call-overload]
        for doctor in session.exec(select(StaffUser)):
            doctor.alert_phone = None
            session.add(doctor)
    registered = _emergency(chat)
    assert "No pude avisar al veterinario por este medio." in registered
    assert "Por favor llama ya mismo al consultorio: (601) 4567890." in registered
    assert "notificado" not in registered
    assert _notice() == "unreachable"
    outbox.relay_pending()
    assert chat.new_replies() == []


def test_every_delivery_failing_tells_the_client_to_call(chat, clinic, transport, template):
    transport.fail_next(retryable=False)
    set_channel(RefusingChannel())
    try:
        registered = _emergency(chat)
    finally:
        set_channel(None)
    assert "Estoy avisando ahora mismo al veterinario" in registered
    with session_scope(read_only=True) as session:
        assert {d.status for d in session.exec(select(AlertDelivery))} == {"failed"}
    outbox.relay_pending()
    assert chat.new_replies() == [UNREACHABLE]
    assert _notice() == "unreachable"


def test_one_failed_channel_does_not_hide_the_one_that_worked(chat, clinic, transport, template):
    transport.fail_next(retryable=False)  # the e-mail fails, WhatsApp goes out
    _emergency(chat)
    outbox.relay_pending()
    assert chat.new_replies() == [NOTIFIED]


def test_an_alert_reported_undelivered_later_is_corrected(chat, clinic, transport, template):
    with session_scope(write=True) as session:
        contact = session.exec(select(EscalationContact)).one()
        contact.channels = ["whatsapp"]
        session.add(contact)
    _emergency(chat)
    outbox.relay_pending()
    assert chat.new_replies() == [NOTIFIED]

    with session_scope(read_only=True) as session:
        alert_sid = session.exec(
            select(Message.provider_sid).where(Message.to_phone == VET_PHONE)
        ).one()
    assert alert_sid is not None
    assert messaging.record_status(alert_sid, "undelivered", "63024")
    outbox.relay_pending()
    assert chat.new_replies() == [UNREACHABLE]
    with session_scope(read_only=True) as session:
        [delivery] = session.exec(select(AlertDelivery)).all()
        assert delivery.status == "failed" and "undelivered" in (delivery.error or "")
