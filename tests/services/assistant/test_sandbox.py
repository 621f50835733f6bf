"""The WhatsApp sandbox: a staff member chats as a fictional test number, never as a real
client, never through Twilio, and what the assistant does there is the staff member's doing."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from backend.core.config import settings
from backend.core.db import session_scope
from backend.domain.errors import PermissionDenied, ValidationFailed
from backend.domain.sandbox_numbers import is_sandbox_number, new_sandbox_number
from backend.integrations.whatsapp import TwilioChannel, set_channel
from backend.models import Appointment, AuditLog, Conversation, Message, Tenant
from backend.services import outbox
from backend.services.assistant import sandbox
from tests.fakes import fake_server, twilio_message

TEST_NUMBER = "+12025550147"


def _say(clinic, body: str, phone: str = TEST_NUMBER) -> None:
    sandbox.send_as_client(
        tenant_id=clinic.tenant.id, staff_id=clinic.doctor.id, phone=phone, body=body
    )


def _mark_demo(clinic) -> None:
    with session_scope(write=True) as session:
        tenant = session.get(Tenant, clinic.tenant.id)
        tenant.is_demo = True
        session.add(tenant)


@pytest.fixture
def production(monkeypatch):
    """WhatsApp through Twilio (a local fake of its API): what a production install runs."""
    with fake_server(lambda r: (201, twilio_message(r))) as twilio:
        monkeypatch.setattr(settings, "WHATSAPP_CHANNEL", "twilio")
        set_channel(TwilioChannel("AC" + "0" * 32, "token", api_base_url=twilio.url))
        yield twilio
        set_channel(None)


def test_new_sandbox_numbers_are_fictional_and_real_ones_are_not():
    assert all(is_sandbox_number(new_sandbox_number()) for _ in range(200))
    for real in ("+573001112233", "+12025550200", "+12025551234", "+1202555014"):
        assert not is_sandbox_number(real)


def test_the_sandbox_refuses_a_real_clients_number(clinic):
    with pytest.raises(ValidationFailed):
        _say(clinic, "Hola, cancela mi cita", phone="+573001112233")
    with pytest.raises(ValidationFailed):
        sandbox.sandbox_number("300 111 2233", "CO")
    assert sandbox.sandbox_number("+1 (202) 555-0147", "CO") == TEST_NUMBER


def test_in_production_the_sandbox_is_refused_outside_demo_clinics(clinic, production):
    assert not sandbox.available(clinic.tenant.id)
    with pytest.raises(PermissionDenied):
        _say(clinic, "Hola")
    with session_scope(read_only=True) as session:
        assert session.exec(select(Message)).all() == []


def test_in_a_demo_clinic_in_production_replies_never_reach_twilio(clinic, production):
    _mark_demo(clinic)
    assert sandbox.available(clinic.tenant.id)
    _say(clinic, "Hola, necesito una cita para mi perro, es un control")
    with session_scope(read_only=True) as session:
        replies = session.exec(select(Message).where(Message.direction == "outbound")).all()
    assert replies and all(m.status in ("sent", "delivered") for m in replies)
    assert production.requests == []  # nothing was posted to Twilio


def test_what_the_assistant_does_in_the_sandbox_is_attributed_to_the_staff_user(clinic):
    _say(clinic, "Hola, necesito una cita para mi perro, es un control")
    _say(clinic, "la primera")
    _say(clinic, "sí, a nombre de Prueba Interna")
    with session_scope(read_only=True) as session:
        appointment = session.exec(select(Appointment)).one()
        [created] = session.exec(
            select(AuditLog).where(AuditLog.appointment_id == appointment.id)
        ).all()
        inbound = session.exec(select(Message).where(Message.direction == "inbound")).all()
    assert (created.actor_type, created.actor_id) == ("user", str(clinic.doctor.id))
    assert "(sandbox)" in (created.actor_label or "")
    assert {m.author_user_id for m in inbound} == {clinic.doctor.id}


def _steps(clinic, phone: str = TEST_NUMBER) -> list[str]:
    with session_scope(read_only=True) as session:
        conversation = session.exec(
            select(Conversation).where(Conversation.client_phone == phone)
        ).one()
    return sandbox.steps(tenant_id=clinic.tenant.id, conversation_id=conversation.id)


def test_the_sandbox_tells_what_the_assistant_did_in_plain_words(clinic):
    _say(clinic, "Hola, quiero una cita para mi perro, le toca control")
    _say(clinic, "1")
    steps = _steps(clinic)
    assert steps[0] == "Leyó el mensaje para entender qué necesita el cliente."
    assert "Buscó horarios libres en la agenda y los ofreció." in steps
    assert steps[-1] == "Pidió confirmar la cita antes de agendarla."
    assert not any("_" in step or step.isupper() for step in steps)  # no state names
    assert sandbox.steps(tenant_id=uuid.uuid4(), conversation_id=uuid.uuid4()) == []


def test_the_sandbox_says_whether_the_emergency_alert_reached_the_vet(clinic, monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_TEMPLATE_CONTENT_SID", "HX" + "1" * 32)
    _say(clinic, "mi gato está convulsionando, ayuda")
    _say(clinic, "sí")
    assert _steps(clinic)[-1] == "Registró la emergencia y está avisando al veterinario."
    outbox.relay_pending()  # the alert went out through the sandbox channel
    assert _steps(clinic)[-1] == "Registró la emergencia; el aviso le llegó al veterinario."


def test_a_change_made_in_the_sandbox_chat_is_not_announced_again(clinic):
    """The chat answers the client itself; the portal's notice is for portal changes."""
    _say(clinic, "Hola, quiero una cita para mi perro, le toca control")
    _say(clinic, "1")
    _say(clinic, "sí, soy Pedro")
    _say(clinic, "ya no podré ir, cancélala por favor")
    _say(clinic, "sí")
    outbox.relay_pending()
    with session_scope(read_only=True) as session:
        bodies = session.exec(
            select(Message.body).where(
                Message.to_phone == TEST_NUMBER, Message.direction == "outbound"
            )
        ).all()
        [appointment] = session.exec(select(Appointment)).all()
    assert appointment.status == "cancelled"
    assert not any("fue cancelada" in body for body in bodies), bodies
