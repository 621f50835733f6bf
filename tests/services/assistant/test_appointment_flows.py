"""Existing appointments by chat: "¿cuándo es mi cita?", cancel and reschedule, each confirmed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from backend.core.db import session_scope
from backend.models import Appointment, AuditLog
from backend.services.actors import SYSTEM
from backend.services.patients import clients
from backend.services.scheduling import booking
from tests.chat import add_client

FRIDAY_10AM = datetime(2027, 1, 29, 15, 0, tzinfo=UTC)
MONDAY_3PM = datetime(2027, 2, 1, 20, 0, tzinfo=UTC)


def _book(clinic, phone, start, reason="Vacunación anual"):
    with session_scope(write=True) as session:
        client = clients.find_or_create(session, clinic.tenant, phone=phone)
        return booking.create(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=clinic.doctor.id,
                client_id=client.id,
                start_at=start,
                reason=reason,
                status="confirmed",
            ),
        )


@pytest.fixture
def client_with_appointment(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez", ("Luna", "gato"))
    return _book(clinic, chat.phone, FRIDAY_10AM)


def test_when_is_my_appointment_answers_in_clinic_time(chat, client_with_appointment):
    [answer] = chat.send("Hola, ¿cuándo es mi cita?")
    assert (
        "Tu próxima cita es mañana a las 10:00 AM con Dra. Ana Restrepo (Vacunación anual)."
        in answer
    )
    assert chat.state == "INTENT_DETECTION"


def test_when_is_my_appointment_without_any_offers_to_book(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila")
    [answer] = chat.send("cuando es mi cita")
    assert answer.endswith("No encuentro citas próximas a tu nombre. ¿Quieres que agendemos una?")
    [reason] = chat.send("sí")
    assert reason.endswith("¿Cuál es el motivo de la consulta?")
    assert chat.state == "ASK_REASON"


def test_cancel_asks_confirmation_then_cancels(chat, client_with_appointment):
    [question] = chat.send("Quiero cancelar mi cita")
    assert "Tienes una cita mañana a las 10:00 AM" in question
    assert question.endswith("¿Confirmas que quieres cancelarla? (Sí/No)")
    [done] = chat.send("sí, cancélala")
    assert done.startswith(
        "Listo, tu cita mañana a las 10:00 AM (Vacunación anual) quedó cancelada."
    )
    with session_scope(read_only=True) as session:
        appointment = session.get(Appointment, client_with_appointment.id)
        assert appointment.status == "cancelled"
        audit = session.exec(select(AuditLog).where(AuditLog.action == "cancel")).one()
        assert audit.actor_type == "assistant"


def test_cancel_answered_no_keeps_the_appointment(chat, client_with_appointment):
    chat.send("necesito cancelar la cita")
    [kept] = chat.send("no, mejor no")
    assert kept.startswith("Perfecto, tu cita mañana a las 10:00 AM")
    with session_scope(read_only=True) as session:
        assert session.get(Appointment, client_with_appointment.id).status == "confirmed"


def test_cancel_with_two_appointments_asks_which(chat, clinic, client_with_appointment):
    second = _book(clinic, chat.phone, MONDAY_3PM, reason="Control")
    [which] = chat.send("quiero cancelar una cita")
    assert "¿Cuál quieres cancelar?" in which
    assert "1. Mañana a las 10:00 AM" in which and "2. El lunes 1 de febrero a las 3:00 PM" in which
    [question] = chat.send("la del lunes")
    assert "¿Confirmas que quieres cancelarla?" in question
    chat.send("si")
    with session_scope(read_only=True) as session:
        assert session.get(Appointment, second.id).status == "cancelled"
        assert session.get(Appointment, client_with_appointment.id).status == "confirmed"


def test_cancel_naming_the_day_picks_that_appointment_at_once(
    chat, clinic, client_with_appointment
):
    monday = _book(clinic, chat.phone, MONDAY_3PM, reason="Control")
    [question] = chat.send("Hola, quiero cancelar la del lunes")
    assert "¿Confirmas que quieres cancelarla?" in question
    assert "1 de febrero" in question
    chat.send("sí")
    with session_scope(read_only=True) as session:
        assert session.get(Appointment, monday.id).status == "cancelled"
        assert session.get(Appointment, client_with_appointment.id).status == "confirmed"


def test_reschedule_offers_slots_and_moves_after_yes(chat, client_with_appointment):
    [offer] = chat.send("Necesito cambiar mi cita")
    assert offer.startswith(
        "Hola, Camila 👋\nClaro, cambiemos tu cita mañana a las 10:00 AM (Vacunación anual). "
        "Tengo disponibilidad:"
    )
    assert chat.state == "OFFER_SLOTS"
    [summary] = chat.send("la 3")
    assert summary.startswith("Perfecto. Cambio tu cita:")
    assert "Antes: Viernes 29 de enero, 10:00 AM" in summary
    assert summary.endswith("¿Confirmas el cambio? (Sí/No)")
    [done] = chat.send("Sí")
    assert done.startswith("✓ Listo, tu cita quedó para mañana a las 2:00 PM.")
    assert chat.state == "COMPLETED"
    with session_scope(read_only=True) as session:
        appointment = session.get(Appointment, client_with_appointment.id)
        assert appointment.start_at == datetime(2027, 1, 29, 19, 0, tzinfo=UTC)
        assert appointment.version == 2
        assert (
            session.exec(select(AuditLog).where(AuditLog.action == "reschedule")).one().actor_type
            == "assistant"
        )


def test_reschedule_when_appointment_changed_meanwhile_shows_slots_again(
    chat, clinic, client_with_appointment
):
    chat.send("quiero reprogramar mi cita")
    chat.send("1")
    with session_scope(write=True) as session:
        booking.update_notes(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            appointment_id=client_with_appointment.id,
            notes="cambio",
            expected_version=1,
        )
    [reply] = chat.send("sí")
    assert reply.startswith("Tu cita cambió mientras hablábamos")
    assert chat.state == "OFFER_SLOTS"


def test_cancel_without_appointments_offers_to_book(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila")
    [reply] = chat.send("quiero cancelar mi cita")
    assert "No encuentro citas próximas" in reply


def test_switching_to_cancel_mid_booking_starts_a_new_conversation(chat, client_with_appointment):
    chat.send("Hola, necesito otra cita")
    chat.send("control")
    [question] = chat.send("espera, mejor quiero cancelar mi cita del viernes")
    assert "¿Confirmas que quieres cancelarla?" in question
    with session_scope(read_only=True) as session:
        from backend.models import Conversation

        rows = session.exec(
            select(Conversation).where(Conversation.client_phone == chat.phone)
        ).all()
    assert sorted(r.state for r in rows) == ["CLOSED", "INTENT_DETECTION"]


def _reminder_conversation(clinic, phone, appointment):
    from backend.models import Conversation

    with session_scope(write=True) as session:
        session.add(
            Conversation(
                tenant_id=clinic.tenant.id,
                client_phone=phone,
                type="reminder",
                state="REMINDER",
                state_data={
                    "reminder_appointment_id": str(appointment.id),
                    "reminder_appointment_ids": [str(appointment.id)],
                    "clinic_phone": clinic.number,
                },
            )
        )


def test_cancel_in_reply_to_a_reminder_acts_on_that_appointment(
    chat, clinic, client_with_appointment
):
    _book(clinic, chat.phone, MONDAY_3PM, reason="Control")
    _reminder_conversation(clinic, chat.phone, client_with_appointment)
    [question] = chat.send("cancelar")
    assert "Tienes una cita mañana a las 10:00 AM" in question
    chat.send("sí")
    with session_scope(read_only=True) as session:
        assert session.get(Appointment, client_with_appointment.id).status == "cancelled"


def test_yes_to_a_reminder_confirms_a_pending_appointment(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila")
    with session_scope(write=True) as session:
        client = clients.find_or_create(session, clinic.tenant, phone=chat.phone)
        pending = booking.create(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=clinic.doctor.id,
                client_id=client.id,
                start_at=FRIDAY_10AM,
                reason="Control",
            ),
        )
    _reminder_conversation(clinic, chat.phone, pending)
    [reply] = chat.send("Sí, ahí estaré")
    assert reply.startswith("¡Perfecto! Tu cita mañana a las 10:00 AM (Control) quedó confirmada.")
    with session_scope(read_only=True) as session:
        assert session.get(Appointment, pending.id).status == "confirmed"


def test_the_moment_of_a_move_request_survives_choosing_which_appointment(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez", ("Luna", "gato"))
    _book(clinic, chat.phone, FRIDAY_10AM)
    _book(clinic, chat.phone, MONDAY_3PM, reason="Control")
    [which] = chat.send("necesito cambiar una cita para el miércoles")
    assert "1." in which and "2." in which
    [offer] = chat.send("la del lunes")
    assert "1. Miércoles 3 de febrero" in offer


def test_cancelling_all_appointments_lists_them_and_asks_once(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez", ("Luna", "gato"))
    _book(clinic, chat.phone, FRIDAY_10AM)
    _book(clinic, chat.phone, MONDAY_3PM, reason="Control")
    [confirm] = chat.send("quiero cancelar una cita")
    [ask] = chat.send("ambas, nos vamos de viaje")
    assert ask.endswith("¿Confirmas que quieres cancelarlas todas? (Sí/No)")
    [done] = chat.send("sí")
    assert done.startswith("Listo, cancelé tus citas:")
    with session_scope(read_only=True) as session:
        assert {a.status for a in session.exec(select(Appointment))} == {"cancelled"}
