"""Every WhatsApp example of spec 002 §3, end to end through the signed webhook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from backend.core.clock import clock
from backend.core.config import settings
from backend.core.db import session_scope
from backend.models import (
    AlertDelivery,
    Appointment,
    Client,
    Conversation,
    EmergencyEvent,
    FollowUp,
    FollowUpResponse,
    Message,
)
from backend.services import outbox
from backend.services.actors import SYSTEM
from backend.services.assistant.timeouts import sweep_conversation_timeouts
from backend.services.patients import clients
from backend.services.scheduling import booking
from tests.chat import VET_PHONE, add_client


def _trail(chat) -> list[str]:
    return chat.conversation().state_data.get("trail", [])


def test_spec_3_1_booking_happy_path(chat, clinic):
    # given a known client of the clinic (name not on file)
    add_client(clinic.tenant, chat.phone, None)

    # when / then
    [greeting] = chat.send("Hola, necesito una cita para mi perro")
    assert greeting == (
        "Hola, bienvenido a Clínica Veterinaria Patitas. Con gusto te ayudo a agendar.\n"
        "¿Cuál es el motivo de la consulta?"
    )
    assert _trail(chat) == [
        "IDLE→GREETING",
        "GREETING→INTENT_DETECTION",
        "INTENT_DETECTION→ASK_REASON",
    ]

    [offer] = chat.send("Le salió una bolita en el cuello y quiero que la revisen")
    assert (
        "Tengo disponibilidad:\n\n1. Hoy 4:30 PM\n2. Mañana 9:00 AM\n3. Mañana 2:00 PM\n\n¿Cuál te funciona mejor?"
        in offer
    )
    assert chat.state == "OFFER_SLOTS"

    [summary] = chat.send("Mañana a las 9")
    assert summary.startswith("Perfecto. Confirmo tu cita:")
    assert "📅 Viernes 29 de enero\n🕘 9:00 AM" in summary
    assert "📝 Le salió una bolita en el cuello" in summary
    # no name on file: asked once, here, and the name is the confirmation
    assert summary.endswith(
        "¿A nombre de quién la dejo? Escríbeme tu nombre y queda confirmada (o Sí/No)."
    )
    assert _trail(chat)[-2:] == ["OFFER_SLOTS→AWAIT_SELECTION", "AWAIT_SELECTION→CONFIRM_BOOKING"]

    [done] = chat.send("Lucía Gómez")
    assert done == (
        "✓ Cita confirmada.\n\nTe esperamos mañana a las 9:00 AM.\n"
        "Si necesitas cancelar o cambiar, escríbenos con tiempo."
    )
    assert chat.state == "COMPLETED"
    with session_scope(read_only=True) as session:
        [appointment] = session.exec(select(Appointment)).all()
        conversation = chat.conversation()
        assert appointment.start_at == datetime(2027, 1, 29, 14, 0, tzinfo=UTC)
        assert appointment.source == "whatsapp"
        assert appointment.status == "confirmed"
        assert appointment.created_by == "assistant:asistente WhatsApp"
        assert appointment.conversation_id == conversation.id
        assert appointment.reason.startswith("Le salió una bolita")
        assert session.get(Client, appointment.client_id).name == "Lucía Gómez"


def test_spec_3_1_known_client_with_a_name_confirms_with_yes(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez")
    chat.send("Hola, necesito una cita para mi perro")
    chat.send("Le salió una bolita en el cuello")
    [summary] = chat.send("1")
    assert summary.endswith("¿Confirmas esta cita? (Sí/No)")
    [done] = chat.send("Sí")
    assert done.startswith("✓ Cita confirmada.")


def test_spec_3_1_conversation_closes_after_completion(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez")
    for text in ("Hola, necesito una cita para mi perro", "Vacuna de rabia", "1", "Sí, confirmo"):
        chat.send(text)
    clock.advance(timedelta(minutes=31))
    assert sweep_conversation_timeouts() == 1
    conversation = chat.conversation()
    assert conversation.state == "CLOSED" and not conversation.is_open
    assert chat.new_replies() == []


def test_spec_3_2_emergency_confirmed(chat, clinic, monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_TEMPLATE_CONTENT_SID", "HX" + "1" * 32)

    [question] = chat.send("Mi gato se comió veneno para ratas ayuda!!!")
    assert question == (
        "Entiendo que es una emergencia.\n"
        "Para confirmar: ¿la vida de tu mascota está en riesgo en este momento?\n\n"
        "Responde Sí o NO"
    )
    assert _trail(chat) == [
        "IDLE→GREETING",
        "GREETING→INTENT_DETECTION",
        "INTENT_DETECTION→CONFIRM_EMERGENCY",
    ]

    [registered] = chat.send("Sí")
    # The spec's "El veterinario ha sido notificado" comes once the alert went out
    # (test_emergency_truth): the first answer only says it is being sent.
    assert registered.startswith(
        "🚨 EMERGENCIA REGISTRADA\n\nEstoy avisando ahora mismo al veterinario"
    )
    assert (
        "Mientras tanto:\n- No induzcas el vómito\n- Mantén a tu mascota tranquila\n"
        "- Ten a la mano el empaque del producto" in registered
    )
    assert registered.endswith("¿En qué dirección te encuentras? Se lo paso al veterinario.")
    assert chat.state == "ESCALATE"
    outbox.relay_pending()
    assert chat.new_replies()[0].startswith(
        "✅ El veterinario ha sido notificado y te contactará en los próximos minutos."
    )

    with session_scope(read_only=True) as session:
        [event] = session.exec(select(EmergencyEvent)).all()
        assert event.category == "poisoning"
        assert event.keywords[:2] == ["veneno", "ayuda"]
        assert event.pet_species == "gato"
        assert event.status == "active"
        [appointment] = session.exec(select(Appointment)).all()
        assert appointment.priority == "emergency"
        assert appointment.emergency_id == event.id
        assert appointment.start_at == clock.now()
        assert appointment.end_at - appointment.start_at == timedelta(minutes=60)
        [alert] = session.exec(
            select(Message).where(Message.to_phone == VET_PHONE, Message.direction == "outbound")
        ).all()
        assert alert.body == (
            "🚨 EMERGENCIA\n\n"
            f"📞 {chat.phone}\n"
            "🐾 Gato\n"
            "⚠️ Mi gato se comió veneno para ratas ayuda!!!\n\n"
            "Palabras clave: veneno, ayuda\n\n"
            "Responde a este mensaje para confirmar recepción."
        )
        assert (
            alert.template_sid == settings.WHATSAPP_TEMPLATE_CONTENT_SID
        )  # the vet never wrote: template
        assert alert.status == "sent"
        deliveries = {d.channel: d for d in session.exec(select(AlertDelivery)).all()}
        assert (
            deliveries["whatsapp"].status == "sent"
            and deliveries["whatsapp"].message_id == alert.id
        )
        assert deliveries["email"].target == "ana@patitas.example.com"  # sent by the alert senders


def test_spec_3_3_follow_up_response(chat, clinic):
    # given a COLLECT_STATUS conversation opened by a post-surgery follow-up
    with session_scope(write=True) as session:
        client = clients.find_or_create(session, clinic.tenant, phone=chat.phone, name="Camila")
        pet = clients.add_pet(session, client, name="Luna", species="gato")
        clock.freeze(clock.now() - timedelta(days=2))
        appointment = booking.create(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=clinic.doctor.id,
                client_id=client.id,
                pet_id=pet.id,
                start_at=datetime(2027, 1, 27, 14, 0, tzinfo=UTC),
                reason="Esterilización",
            ),
        )
        clock.freeze(datetime(2027, 1, 28, 20, 20, tzinfo=UTC))
        follow_up = FollowUp(
            tenant_id=clinic.tenant.id,
            appointment_id=appointment.id,
            client_id=client.id,
            pet_id=pet.id,
            procedure_type="surgery",
            sequence_number=1,
            status="sent",
            message_template="Hola, ¿cómo sigue {pet_name}?",
            escalation_keywords=["sangre", "sangrado", "fiebre", "no come", "hinchado", "pus"],
            scheduled_at=clock.now(),
        )
        session.add(follow_up)
        session.flush()
        session.add(
            Conversation(
                tenant_id=clinic.tenant.id,
                client_id=client.id,
                client_phone=chat.phone,
                type="follow_up",
                state="COLLECT_STATUS",
                follow_up_id=follow_up.id,
                state_data={"follow_up_id": str(follow_up.id)},
            )
        )
        session.add(
            Message(
                tenant_id=clinic.tenant.id,
                direction="inbound",
                author="client",
                from_phone=chat.phone,
                to_phone=clinic.number,
                body="(antes)",
                processed_at=clock.now(),
                created_at=clock.now() - timedelta(hours=1),
            )
        )

    [more] = chat.send("Bien, está comiendo normal pero se queja cuando camina")
    assert more.startswith(
        "Gracias por la información. Es normal algo de molestia los primeros días."
    )
    assert chat.state == "COLLECT_STATUS"

    [closing] = chat.send("Solo cuando salta o baja escaleras")
    assert chat.state == "COMPLETED"
    assert closing
    with session_scope(read_only=True) as session:
        responses = session.exec(
            select(FollowUpResponse).order_by(col(FollowUpResponse.created_at))
        ).all()
        assert [r.response_text for r in responses][-1] == "Solo cuando salta o baja escaleras"
        assert session.get(FollowUp, follow_up.id).status == "responded"


def test_spec_3_4_price_question_redirects_then_books(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Andrés Martínez", ("Max", "perro"))
    [redirect] = chat.send("Hola cuanto cuesta una vacuna")
    assert redirect == (
        "Hola, gracias por escribir.\n"
        "Para información sobre precios, te recomiendo llamar directamente al consultorio: (601) 4567890.\n\n"
        "¿Hay algo más en lo que pueda ayudarte? Por ejemplo, ¿necesitas agendar una cita?"
    )
    assert chat.state == "INTENT_DETECTION"

    [vaccine] = chat.send("Sí, quiero vacunar a mi perro")
    assert (
        vaccine
        == "Con gusto te ayudo a agendar.\n¿Qué vacuna necesita? (Ej: rabia, múltiple, desparasitación)"
    )
    assert chat.state == "ASK_REASON"

    [offer] = chat.send("rabia")
    assert "1. Hoy 4:30 PM" in offer
    assert chat.state == "OFFER_SLOTS"
    assert chat.conversation().state_data["reason"] == "Vacunación (rabia)"


def test_spec_3_4_new_number_gets_the_answer_then_books_without_a_name_gate(chat, clinic):
    [redirect] = chat.send("Hola cuanto cuesta una vacuna")
    assert redirect.startswith("Hola, gracias por escribir.\nPara información sobre precios")
    [vaccine] = chat.send("Sí, quiero vacunar a mi perro")
    assert vaccine == (
        "Con gusto te ayudo a agendar.\n"
        "¿Qué vacuna necesita? (Ej: rabia, múltiple, desparasitación)"
    )
    assert chat.state == "ASK_REASON"
    with session_scope(read_only=True) as session:  # the number is a client from its first message
        assert session.exec(select(Client).where(Client.phone == chat.phone)).one().name is None


def test_spec_3_5_reminder_then_silent_close(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez")
    [ask] = chat.send("Hola necesito una cita")
    assert ask.endswith("¿Cuál es el motivo de la consulta?")

    clock.advance(timedelta(minutes=29))
    assert sweep_conversation_timeouts() == 0
    clock.advance(timedelta(minutes=1))
    assert sweep_conversation_timeouts() == 1
    assert chat.new_replies() == [
        "Hola, ¿sigues ahí?\nQuedamos pendientes de agendar tu cita. ¿En qué te puedo ayudar?"
    ]
    assert chat.state == "REMINDER"
    assert sweep_conversation_timeouts() == 0  # once only

    clock.advance(timedelta(hours=24))
    assert sweep_conversation_timeouts() == 1
    conversation = chat.conversation()
    assert conversation.state == "CLOSED" and not conversation.is_open
    assert chat.new_replies() == []  # closed silently

    # the next message opens a new conversation
    chat.send("Hola")
    with session_scope(read_only=True) as session:
        rows = session.exec(
            select(Conversation).where(Conversation.client_phone == chat.phone)
        ).all()
        assert len(rows) == 2
        assert sum(1 for r in rows if r.is_open) == 1


def test_unknown_number_is_registered_with_pet_and_named_at_the_summary(chat, clinic):
    [ask] = chat.send("Hola, necesito una cita para mi gata Luna")
    assert "nombre" not in ask
    assert ask.endswith("¿Cuál es el motivo de la consulta?")
    assert chat.state == "ASK_REASON"
    with session_scope(read_only=True) as session:
        client = session.exec(select(Client).where(Client.phone == chat.phone)).one()
        assert client.name is None
        assert [(p.name, p.species) for p in clients.pets_of(session, client.id)] == [
            ("Luna", "gato")
        ]

    chat.send("Vómito desde ayer")
    [summary] = chat.send("la primera")
    assert "¿A nombre de quién la dejo?" in summary
    [done] = chat.send("Camila Rodríguez")
    assert done.startswith("✓ Cita confirmada.")
    with session_scope(read_only=True) as session:
        client = session.exec(select(Client).where(Client.phone == chat.phone)).one()
        assert client.name == "Camila Rodríguez"
        [appointment] = session.exec(select(Appointment)).all()
        pet = session.get(type(clients.pets_of(session, client.id)[0]), appointment.pet_id)
        assert pet.name == "Luna"

    # a later conversation does not ask again
    clock.advance(timedelta(days=2))
    [again] = chat.send("Hola")
    assert "nombre" not in again
    assert again.startswith("Hola, Camila")


def test_unknown_number_without_a_name_is_asked_only_once(chat, clinic):
    chat.send("Hola, quiero agendar")
    [reply] = chat.send("para el lunes")
    assert "nombre" not in reply
    with session_scope(read_only=True) as session:
        client = session.exec(select(Client).where(Client.phone == chat.phone)).one()
        assert client.name is None
    clock.advance(timedelta(days=2))
    [later] = chat.send("Hola")
    assert "nombre" not in later


def test_print_full_conversations_for_reading(chat, clinic, capsys):
    """Not an assertion of wording: prints whole chats so a person can read them (-s)."""
    add_client(clinic.tenant, chat.phone, "Valentina López", ("Coco", "perro"))
    for text in (
        "Buenas tardes",
        "quiero sacar una cita para Coco",
        "está cojeando de la pata de atrás",
        "la de las 2 de la tarde",
        "sí señor",
        "muchas gracias",
    ):
        chat.send(text)
    print("\n".join(chat.transcript))
    assert len(chat.transcript) >= 12
