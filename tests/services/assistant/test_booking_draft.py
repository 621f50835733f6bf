"""Booking as form filling: every detail said is kept, merged, and used for the offers."""

from __future__ import annotations


def test_day_named_first_and_time_later_books_that_day_at_that_time(chat, clinic):
    chat.send("hola quiero una cita para el jueves")
    chat.send("control general")
    [summary] = chat.send("a las 10")
    assert "📅 Jueves 4 de febrero\n🕘 10:00 AM" in summary  # today's 10:00 has passed


def test_a_moment_given_instead_of_the_reason_is_kept_and_the_reason_asked(chat, clinic):
    chat.send("Hola necesito cita")
    [ask] = chat.send("para el viernes en la tarde")
    assert ask == "Perfecto, lo tengo en cuenta. ¿Cuál es el motivo de la consulta?"
    assert chat.state == "ASK_REASON"
    [offer] = chat.send("control")
    assert "1. Mañana 2:00 PM" in offer and "Hoy" not in offer


def test_changing_the_day_keeps_the_time_asked_before(chat, clinic):
    chat.send("Hola, necesito una cita para mi perro a las 10")
    chat.send("control")
    [summary] = chat.send("mejor el martes")
    assert "📅 Martes 2 de febrero\n🕘 10:00 AM" in summary


def test_asking_for_later_offers_slots_after_the_last_offer(chat, clinic):
    chat.send("Hola, necesito una cita para mi perro")
    chat.send("control")
    [later] = chat.send("¿más tardecito?")
    assert later.startswith("Claro, más tarde tengo:")
    assert "1. Mañana 2:30 PM" in later


def test_asking_for_earlier_when_nothing_is_earlier_says_so(chat, clinic):
    chat.send("Hola, necesito una cita para mi perro")
    chat.send("control")
    [reply] = chat.send("¿algo antes?")
    assert (
        reply
        == "No tengo nada antes de hoy 4:30 PM 😔. ¿Te sirve alguna de las opciones (1, 2 o 3)?"
    )


def test_asking_for_earlier_on_a_named_day_offers_earlier_that_day(chat, clinic):
    chat.send("Hola, necesito una cita para mi perro el martes en la tarde")
    [offer] = chat.send("control")
    assert "1. Martes 2 de febrero, 2:00 PM" in offer
    [earlier] = chat.send("¿algo más temprano?")
    assert earlier.startswith("Claro, más temprano tengo:")
    assert "Martes 2 de febrero, 11:00 AM" in earlier


def test_a_day_the_clinic_is_closed_is_said_and_the_nearest_offered(chat, clinic):
    [reply] = chat.send("Hola, necesito una cita para el domingo, es un control")
    assert "El domingo no atendemos 😔. Las opciones más cercanas son:" in reply


def test_a_time_already_past_today_is_said(chat, clinic):
    [reply] = chat.send("Hola, ¿me dan una cita hoy a las 10? es un control")
    assert "Esa hora ya pasó 😔. Las opciones más cercanas son:" in reply


def test_a_time_that_falls_in_the_break_offers_the_nearest_on_each_side_that_day(chat, clinic):
    [offer] = chat.send("Hola, ¿me da una cita mañana a las 12:30? es un control")
    assert "Las opciones más cercanas son:" in offer
    assert "Mañana 11:30 AM" in offer and "Mañana 2:00 PM" in offer
    assert "Hoy" not in offer


def test_a_ultima_hora_offers_the_days_last_slots_latest_first(chat, clinic):
    [offer] = chat.send("Hola, ¿tienen turno el martes a última hora? es un control")
    assert offer.index("5:30 PM") < offer.index("5:00 PM")


def test_an_option_number_before_any_offer_asks_the_reason_again(chat, clinic):
    chat.send("Hola, necesito una cita")
    [again] = chat.send("la primera")
    assert (
        again == "¿Me cuentas en pocas palabras el motivo de la consulta? Así te busco el horario."
    )
    assert "reason" not in chat.conversation().state_data


def test_offers_stay_inside_the_hours_the_clinic_tells_its_clients(chat, clinic):
    # The test doctor works Saturday afternoons; the clinic says Saturday is 9:00-13:00.
    [offer] = chat.send("Hola, ¿me das un turno el sábado en la tarde? es un control")
    assert "atendemos de 9:00 AM a 1:00 PM 😔. Las opciones más cercanas son:" in offer
    assert "1. Sábado 30 de enero, 10:30 AM" in offer and "PM\n" not in offer
