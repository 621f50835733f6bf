"""Ordinary Spanish that used to get lost: booking without the word "cita", today, negations."""

from __future__ import annotations


def test_asking_to_be_seen_today_offers_today_with_the_reason(chat, clinic):
    [reply] = chat.send("Hola, ¿hoy me lo pueden ver? Es mi perro Toby, tiene diarrea")
    assert "Con gusto te ayudo a agendar la cita de Toby." in reply
    assert "1. Hoy 4:30 PM" in reply and "Mañana" not in reply
    assert chat.conversation().state_data["reason"].lower().startswith("tiene diarrea")


def test_asking_for_the_vet_to_see_the_pet_is_a_booking(chat, clinic):
    [reply] = chat.send("Buenas, necesito que el veterinario vea a mi gata, no quiere comer")
    assert "Tengo disponibilidad" in reply
    assert chat.state == "OFFER_SLOTS"


def test_downplayed_symptoms_book_a_control_without_an_emergency(chat, clinic):
    [reply] = chat.send("no es nada grave, no está vomitando, solo es su control")
    assert "emergencia" not in reply.lower()
    assert "Tengo disponibilidad" in reply
    assert chat.conversation().state_data["reason"] == "Control general"
