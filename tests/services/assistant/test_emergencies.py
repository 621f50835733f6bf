"""Emergencies by chat: confirmation, escalation, false alarms, restricted numbers, acknowledgement."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.models import (
    Alert,
    AlertDelivery,
    Appointment,
    Client,
    Conversation,
    EmergencyEvent,
    Message,
)
from backend.services.alerting import emergencies
from backend.services.assistant.timeouts import sweep_conversation_timeouts
from tests.chat import VET_PHONE, Chat, add_client


def _client(phone: str) -> Client:
    with session_scope(read_only=True) as session:
        return session.exec(select(Client).where(Client.phone == phone)).one()


def test_emergency_answered_no_counts_a_false_alarm_and_offers_a_visit(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Santiago Gómez", ("Rocky", "perro"))
    chat.send("Mi perro está vomitando sangre, es urgente")
    [offer] = chat.send("No")
    assert offer == "Entendido. ¿Te gustaría agendar una cita regular para revisión?"
    assert chat.state == "ASK_REASON"
    assert _client(chat.phone).false_emergency_count == 1
    [slots] = chat.send("sí por favor")
    assert "Tengo disponibilidad:" in slots
    assert chat.conversation().state_data["reason"].startswith("Mi perro está vomitando sangre")
    with session_scope(read_only=True) as session:
        assert session.exec(select(EmergencyEvent)).all() == []


def test_emergency_from_a_number_with_a_false_alarm_gets_restricted_answer(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Santiago Gómez")
    with session_scope(write=True) as session:
        client = session.exec(select(Client).where(Client.phone == chat.phone)).one()
        client.false_emergency_count = 1
        session.add(client)
    [answer] = chat.send("mi perro fue atropellado por un carro!!")
    assert answer == (
        "Lo siento, el acceso a emergencias está restringido para este número. "
        "Por favor llama directamente al consultorio: (601) 4567890."
    )
    assert chat.conversation().state == "CLOSED"
    with session_scope(read_only=True) as session:
        assert session.exec(select(EmergencyEvent)).all() == []
        assert session.exec(select(Alert)).all() == []


def test_emergency_is_detected_in_the_middle_of_a_booking(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila")
    chat.send("hola, quiero una cita")
    chat.send("control")
    chat.send("1")
    assert chat.state == "CONFIRM_BOOKING"
    [question] = chat.send("ay no, mi gata está convulsionando")
    assert question.startswith("Entiendo que es una emergencia.")
    assert chat.conversation().state_data["trail"][-3:] == [
        "CONFIRM_BOOKING→OFFER_SLOTS",
        "OFFER_SLOTS→ASK_REASON",
        "ASK_REASON→CONFIRM_EMERGENCY",
    ]
    [registered] = chat.send("si")
    assert "No le metas la mano ni objetos en la boca" in registered
    with session_scope(read_only=True) as session:
        assert session.exec(select(EmergencyEvent)).one().category == "seizures"


def test_emergency_after_a_completed_booking_opens_a_new_conversation(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila")
    for text in ("hola, quiero una cita", "control", "1", "sí"):
        chat.send(text)
    assert chat.state == "COMPLETED"
    [question] = chat.send("ayuda mi perro no respira")
    assert question.startswith("Entiendo que es una emergencia.")
    with session_scope(read_only=True) as session:
        rows = session.exec(
            select(Conversation)
            .where(Conversation.client_phone == chat.phone)
            .order_by(col(Conversation.started_at))
        ).all()
    assert {r.state for r in rows} == {"CLOSED", "CONFIRM_EMERGENCY"}


def test_unanswered_emergency_question_closes_after_five_minutes_with_the_phone(chat, clinic):
    chat.send("mi perro se comió veneno")
    clock.advance(timedelta(minutes=5))
    assert sweep_conversation_timeouts() == 1
    assert chat.new_replies() == [
        "No recibí tu confirmación. Si tu mascota está en peligro, llama ya mismo al consultorio: (601) 4567890."
    ]
    assert chat.conversation().state == "CLOSED"


def test_escalated_conversation_forwards_what_the_client_adds(chat, clinic):
    chat.send("mi perro está sangrando mucho, ayuda!")
    chat.send("sí")
    [thanks] = chat.send("Estoy en la calle 100 # 15-30")
    assert thanks.startswith(
        "Gracias, se lo estoy pasando al veterinario.\n📍 Estamos en Calle 85 # 15-20, Bogotá\n"
        "🗺️ Cómo llegar: https://www.google.com/maps/search/?api=1&query="
    )
    assert chat.send("¿ya viene?") == []  # thanked once; the vet is on it
    with session_scope(read_only=True) as session:
        updates = session.exec(select(Alert).where(Alert.kind == "emergency_update")).all()
        assert [u.body.splitlines()[-1] for u in updates] == [
            "«Estoy en la calle 100 # 15-30»",
            "«¿ya viene?»",
        ]


def test_vet_reply_to_the_alert_acknowledges_the_emergency(chat, clinic, http):
    chat.send("mi gato está inconsciente")
    chat.send("sí")
    vet = Chat(http=http, phone=VET_PHONE)
    [alert] = vet.new_replies()
    assert alert.startswith("🚨 EMERGENCIA")
    [ack] = vet.send("Recibido, ya la llamo")
    assert ack == f"✓ Recepción confirmada. Emergencia de {chat.phone}. Gracias."
    with session_scope(read_only=True) as session:
        event = session.exec(select(EmergencyEvent)).one()
        assert event.status == "acknowledged"
        assert event.acknowledged_by == "Dra. Ana Restrepo"
        delivery = session.exec(
            select(AlertDelivery).where(AlertDelivery.channel == "whatsapp")
        ).one()
        assert delivery.acknowledged_at is not None


def test_emergency_alert_without_template_outside_window_is_recorded_failed(chat, clinic):
    chat.send("mi perro fue atropellado")
    chat.send("sí")
    with session_scope(read_only=True) as session:
        alert = session.exec(select(Message).where(Message.to_phone == VET_PHONE)).one()
        assert alert.status == "failed" and alert.error_code == "no_template"
        delivery = session.exec(
            select(AlertDelivery).where(AlertDelivery.channel == "whatsapp")
        ).one()
        assert delivery.status == "failed"


def test_emergency_alert_inside_the_vets_window_goes_as_free_text(chat, clinic, http):
    Chat(http=http, phone=VET_PHONE).send("Buenos días, hoy estoy de turno")
    chat.send("mi perro fue atropellado")
    chat.send("sí")
    with session_scope(read_only=True) as session:
        alert = session.exec(
            select(Message).where(Message.to_phone == VET_PHONE, Message.author == "system")
        ).one()
        assert alert.status == "sent" and alert.template_sid is None
        assert alert.body.startswith("🚨 EMERGENCIA\n\n📞 ")


def test_resolving_the_emergency_completes_the_conversation(chat, clinic):
    chat.send("mi perra está dando a luz y no puede parir")
    chat.send("sí")
    with session_scope(write=True) as session:
        event = session.exec(select(EmergencyEvent)).one()
        emergencies.resolve(
            session,
            tenant=clinic.tenant,
            emergency_id=event.id,
            outcome="false_alarm",
            by="Dra. Ana",
            notes="Era trabajo de parto normal",
        )
    assert chat.state == "COMPLETED"
    assert _client(chat.phone).false_emergency_count == 1
    with session_scope(read_only=True) as session:
        appointment = session.exec(select(Appointment)).one()
        assert appointment.priority == "emergency"


def test_emergency_appointment_overlaps_and_cancels_nothing(chat, clinic):
    from datetime import UTC, datetime

    from backend.services.actors import SYSTEM
    from backend.services.patients import clients
    from backend.services.scheduling import booking

    now = clock.now()
    clock.freeze(now - timedelta(hours=3))  # booked this morning for 3:30 PM
    with session_scope(write=True) as session:
        other = clients.find_or_create(session, clinic.tenant, phone="+573009990000", name="Otro")
        booked = booking.create(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=clinic.doctor.id,
                client_id=other.id,
                start_at=datetime(2027, 1, 28, 20, 30, tzinfo=UTC),
            ),
        )
    clock.freeze(now)
    chat.send("mi perro está convulsionando")
    chat.send("sí")
    with session_scope(read_only=True) as session:
        rows = session.exec(select(Appointment)).all()
    assert {a.priority for a in rows} == {"normal", "emergency"}
    assert all(a.status != "cancelled" for a in rows)
    emergency = next(a for a in rows if a.priority == "emergency")
    assert emergency.start_at < booked.start_at < emergency.end_at
