"""A person on request, media without words, "mejor después", clinic questions, closings."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.models import Alert, Client
from backend.services.assistant.timeouts import sweep_conversation_timeouts
from tests.chat import add_client


def test_asking_for_a_person_hands_the_chat_to_staff_and_alerts_the_clinic(chat, clinic):
    # when
    [reply] = chat.send("Hola, quiero hablar con una persona por favor")
    # then
    assert reply == (
        "Claro 🙂 Dejé tu conversación en manos del equipo de Clínica Veterinaria Patitas: "
        "una persona te responderá por este mismo chat.\nSi es urgente, llama al (601) 4567890."
    )
    conversation = chat.conversation()
    assert conversation.taken_over_at is not None and conversation.timeout_at is None
    with session_scope(read_only=True) as session:
        [alert] = session.exec(select(Alert).where(Alert.kind == "handoff")).all()
        assert alert.subject_id == conversation.id
        assert "pide hablar con una persona" in alert.title
        assert session.exec(select(Client).where(Client.phone == chat.phone)).one() is not None
    # and the assistant stays silent while staff answers
    assert chat.send("¿hola?") == []


def test_handoff_outside_hours_says_when_a_person_answers(chat, clinic):
    clock.advance(timedelta(hours=5))  # Thursday 8:20 PM in Bogotá
    [reply] = chat.send("me pasas con alguien de la clínica?")
    assert (
        "una persona te responderá por este mismo chat en cuanto abramos (mañana a las 8:00 AM)"
        in reply
    )


def test_handoff_in_any_wording_even_mid_booking(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez")
    chat.send("Hola, necesito una cita para mi perro")
    [reply] = chat.send("no quiero hablar con un robot")
    assert reply.startswith("Claro 🙂 Dejé tu conversación en manos del equipo")
    assert chat.conversation().taken_over_at is not None


def test_voice_note_without_text_is_asked_in_writing(chat, clinic):
    response = chat.post("", media=["https://api.twilio.com/media/1"], media_type="audio/ogg")
    assert response.status_code == 200
    [reply] = chat.new_replies()
    assert reply.startswith("Recibí tu nota de voz 🎙️, pero todavía no puedo escuchar audios.")


def test_image_without_text_is_asked_in_writing(chat, clinic):
    chat.post("", media=["https://api.twilio.com/media/2"])
    [reply] = chat.new_replies()
    assert reply.startswith("Recibí tu imagen, pero no puedo verla")


def test_image_with_a_caption_is_read_from_the_caption(chat, clinic):
    chat.post(
        "Le salió esto en la piel, necesito una cita", media=["https://api.twilio.com/media/3"]
    )
    [reply] = chat.new_replies()
    assert "Tengo disponibilidad" in reply and "no puedo verla" not in reply


def test_leaving_it_for_later_closes_quietly_without_a_reminder(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez")
    chat.send("Hola, necesito una cita")
    [reply] = chat.send("mejor después, gracias")
    assert reply == "Claro, sin problema. Cuando quieras, escríbenos por aquí 🐾"
    clock.advance(timedelta(minutes=31))
    sweep_conversation_timeouts()
    assert chat.new_replies() == []


def test_opening_hours_of_a_named_day_come_from_the_clinic_settings(chat, clinic):
    [saturday] = chat.send("¿abren el sábado?")
    assert "Sábado 30 de enero atendemos de 9:00 AM a 1:00 PM." in saturday
    [sunday] = chat.send("¿y abren el domingo?")
    assert "Domingo 31 de enero no abrimos." in sunday


def test_clinic_phone_is_answered(chat, clinic):
    [reply] = chat.send("¿cuál es el teléfono de la clínica?")
    assert "Nuestro teléfono es (601) 4567890." in reply


def test_thanks_and_goodbye_after_booking_get_a_warm_closing(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez")
    for text in ("Hola, necesito una cita para mi perro", "Vacuna de rabia", "1", "Sí"):
        chat.send(text)
    [reply] = chat.send("Muchas gracias, chao")
    assert reply == "¡Con mucho gusto! 🐾 Si necesitas algo más, aquí estoy."
