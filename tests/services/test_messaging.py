"""Outbound WhatsApp: stored first, split, 24-hour window and templates, delivery and statuses."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from backend.core.clock import clock
from backend.core.config import settings
from backend.core.db import session_scope
from backend.integrations.whatsapp import SandboxChannel, TwilioChannel, set_channel
from backend.models import AlertDelivery, EscalationContact, Message, StaffUser
from backend.services.alerting import alerts
from backend.services.chats import messaging
from backend.services.chats.messaging import DeliveryResult, split_text
from tests.chat import make_clinic
from tests.fakes import fake_server, twilio_message

CLIENT = "+573001112233"


@pytest.fixture(autouse=True)
def sandbox():
    channel = SandboxChannel()
    set_channel(channel)
    yield channel
    set_channel(None)


@pytest.fixture
def clinic(db, frozen_clock):
    return make_clinic(contacts=False)


def _client_wrote(clinic, hours_ago: float = 1) -> None:
    with session_scope(write=True) as session:
        session.add(
            Message(
                tenant_id=clinic.tenant.id,
                direction="inbound",
                author="client",
                from_phone=CLIENT,
                to_phone=clinic.number,
                body="hola",
                processed_at=clock.now(),
                created_at=clock.now() - timedelta(hours=hours_ago),
            )
        )


def _queue(clinic, body: str, **kwargs) -> list[Message]:
    with session_scope(write=True) as session:
        return messaging.queue_text(
            session, tenant=clinic.tenant, to_phone=CLIENT, body=body, **kwargs
        )


def _get(message_id) -> Message:
    with session_scope(read_only=True) as session:
        return session.get(Message, message_id)


def test_split_text_keeps_parts_under_the_limit_at_paragraphs():
    text = "\n\n".join(["párrafo " * 150] * 3)
    parts = split_text(text)
    assert len(parts) == 3
    assert all(len(p) <= 1600 for p in parts)
    assert "".join(p.replace(" ", "") for p in parts) == text.replace(" ", "").replace("\n", "")


def test_split_text_cuts_a_single_long_word_hard():
    assert [len(p) for p in split_text("x" * 3500)] == [1600, 1600, 300]


def test_long_reply_is_sent_as_several_messages_in_order(clinic, sandbox):
    _client_wrote(clinic)
    messages = _queue(clinic, "\n".join(f"línea {i} " + "texto " * 20 for i in range(40)))
    assert len(messages) > 1
    sent = [_get(m.id) for m in messages]
    assert all(m.status == "sent" and len(m.body) <= 1600 for m in sent)
    assert [s["body"] for s in sandbox.sent] == [m.body for m in sent]


def test_outside_the_window_the_template_is_sent(clinic, sandbox, monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_TEMPLATE_CONTENT_SID", "HX" + "2" * 32)
    _client_wrote(clinic, hours_ago=25)
    [message] = _queue(clinic, "Recordatorio: tu cita es mañana a las 9:00 AM")
    assert _get(message.id).template_sid == "HX" + "2" * 32
    assert sandbox.sent[-1]["content_sid"] == "HX" + "2" * 32
    assert sandbox.sent[-1]["body"] is None
    assert sandbox.sent[-1]["content_variables"] == {
        "1": "Recordatorio: tu cita es mañana a las 9:00 AM"
    }


def test_outside_the_window_without_template_nothing_is_sent(clinic, sandbox):
    [message] = _queue(clinic, "Hola")
    stored = _get(message.id)
    assert (stored.status, stored.error_code) == ("failed", "no_template")
    assert sandbox.sent == []


def test_nothing_is_sent_when_the_transaction_rolls_back(clinic, sandbox):
    _client_wrote(clinic)
    with pytest.raises(RuntimeError):
        with session_scope(write=True) as session:
            messaging.queue_text(session, tenant=clinic.tenant, to_phone=CLIENT, body="Hola")
            raise RuntimeError("rollback")
    assert sandbox.sent == []


def test_deliver_message_is_idempotent(clinic, sandbox):
    _client_wrote(clinic)
    [message] = _queue(clinic, "Hola")
    assert messaging.deliver_message(message.id) == DeliveryResult.SKIPPED
    assert len(sandbox.sent) == 1


def test_deliver_through_twilio_records_the_provider_sid(clinic, monkeypatch):
    _client_wrote(clinic)
    monkeypatch.setattr(settings, "PUBLIC_BASE_URL", "https://vet.example.com")
    with fake_server(lambda r: (201, twilio_message(r))) as twilio:
        set_channel(TwilioChannel("AC" + "0" * 32, "token", api_base_url=twilio.url))
        [message] = _queue(clinic, "Hola desde Twilio")
    stored = _get(message.id)
    assert (stored.status, stored.provider_sid, stored.attempts) == ("sent", "SM" + "a" * 32, 1)
    assert (
        twilio.requests[0].form()["StatusCallback"]
        == "https://vet.example.com/webhooks/whatsapp/status"
    )


def test_refused_message_is_failed_with_the_twilio_code(clinic):
    _client_wrote(clinic)
    with fake_server(
        lambda r: (400, {"code": 63016, "message": "outside window", "status": 400})
    ) as twilio:
        set_channel(TwilioChannel("AC" + "0" * 32, "token", api_base_url=twilio.url))
        [message] = _queue(clinic, "Hola")
    stored = _get(message.id)
    assert (stored.status, stored.error_code) == ("failed", "63016")


def test_unavailable_twilio_requeues_until_the_attempts_run_out(clinic):
    _client_wrote(clinic)
    with fake_server(lambda r: (503, {"message": "down", "status": 503})) as twilio:
        set_channel(TwilioChannel("AC" + "0" * 32, "token", api_base_url=twilio.url))
        [message] = _queue(clinic, "Hola")
        assert _get(message.id).status == "queued"
        # the first attempt ran right after the commit
        results = [messaging.deliver_message(message.id) for _ in range(messaging.MAX_ATTEMPTS)]
    assert results[-3:] == [DeliveryResult.RETRY, DeliveryResult.FAILED, DeliveryResult.SKIPPED]
    assert _get(message.id).attempts == messaging.MAX_ATTEMPTS


def test_record_status_ignores_unknown_status_and_inbound(clinic):
    assert messaging.record_status("SMnope", "delivered") is False
    assert messaging.record_status("SMnope", "exploded") is False


def test_alert_reaches_each_contact_channel_once(clinic, sandbox, monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_TEMPLATE_CONTENT_SID", "HX" + "3" * 32)
    with session_scope(write=True) as session:
        for name in ("Dra. Ana", "Dra. Ana (duplicada)"):
            session.add(
                EscalationContact(
                    tenant_id=clinic.tenant.id,
                    name=name,
                    whatsapp_phone="+573209876543",
                    email="ana@example.com",
                    channels=["whatsapp", "email"],
                )
            )
        session.add(
            EscalationContact(
                tenant_id=clinic.tenant.id,
                name="Dr. Carlos",
                whatsapp_phone="320 111 2233",
                channels=["whatsapp"],
            )
        )
    with session_scope(write=True) as session:
        alert = alerts.raise_alert(
            session, tenant=clinic.tenant, kind="emergency", title="🚨", body="cuerpo"
        )
    with session_scope(read_only=True) as session:
        deliveries = session.exec(
            select(AlertDelivery).where(AlertDelivery.alert_id == alert.id)
        ).all()
    assert sorted((d.channel, d.target) for d in deliveries) == [
        ("email", "ana@example.com"),
        ("whatsapp", "+573201112233"),
        ("whatsapp", "+573209876543"),
    ]
    assert {d.status for d in deliveries if d.channel == "whatsapp"} == {"sent"}


def test_alert_without_contacts_goes_to_doctors_alert_phones(clinic, sandbox, monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_TEMPLATE_CONTENT_SID", "HX" + "3" * 32)
    with session_scope(write=True) as session:
        doctor = session.get(StaffUser, clinic.doctor.id)
        doctor.alert_phone = "+573205556677"
        session.add(doctor)
    with session_scope(write=True) as session:
        alerts.raise_alert(
            session,
            tenant=clinic.tenant,
            kind="emergency",
            title="🚨",
            body="cuerpo",
            subject_id=uuid.uuid4(),
        )
    assert [s["to"] for s in sandbox.sent] == ["+573205556677"]
