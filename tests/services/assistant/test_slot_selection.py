"""Choosing among the offered slots by free text, and what happens when nothing matches.

Offers at Thursday 28 January 2027, 3:20 PM in Bogotá are
1. Hoy 4:30 PM, 2. Mañana (viernes) 9:00 AM, 3. Mañana 2:00 PM.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from backend.core.db import session_scope
from backend.models import Appointment, SlotHold
from backend.services.actors import SYSTEM
from backend.services.assistant.slots import spread
from backend.services.patients import clients
from backend.services.scheduling import booking
from tests.chat import Chat, add_client


@pytest.fixture
def offered(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez")
    chat.send("Hola, quiero una cita")
    [offer] = chat.send("Control general de mi perro")
    assert "1. Hoy 4:30 PM\n2. Mañana 9:00 AM\n3. Mañana 2:00 PM" in offer
    return chat


@pytest.mark.parametrize(
    ("phrase", "day", "time"),
    [
        ("1", "Jueves 28 de enero", "4:30 PM"),
        ("la primera", "Jueves 28 de enero", "4:30 PM"),
        ("opción 2", "Viernes 29 de enero", "9:00 AM"),
        ("mañana a las 9", "Viernes 29 de enero", "9:00 AM"),
        ("la de las 2 de la tarde", "Viernes 29 de enero", "2:00 PM"),
        ("a las 4:30", "Jueves 28 de enero", "4:30 PM"),
        ("el viernes a las 10", "Viernes 29 de enero", "10:00 AM"),
    ],
)
def test_selection_phrase_picks_the_slot(offered, phrase, day, time):
    [summary] = offered.send(phrase)
    assert f"📅 {day}\n🕘 {time}" in summary
    assert offered.state == "CONFIRM_BOOKING"


def test_selection_without_match_asks_again_and_stays(offered):
    [again] = offered.send("cuando ustedes puedan")
    assert again.startswith("No logré identificar el horario")
    assert "(1, 2 o 3)" in again
    assert offered.state == "AWAIT_SELECTION"
    [summary] = offered.send("la 3")
    assert "🕘 2:00 PM" in summary


def test_selection_of_a_closed_moment_says_why_and_shows_nearest_options(offered):
    [reply] = offered.send("el domingo a las 8 de la noche")
    assert reply.startswith("El domingo no atendemos 😔. Las opciones más cercanas son:")
    assert offered.state == "OFFER_SLOTS"


def test_a_day_with_two_offers_shows_that_days_slots_instead_of_picking_one(offered):
    [reply] = offered.send("el viernes")
    assert reply.startswith("Para ese momento tengo:")
    assert offered.state == "OFFER_SLOTS"
    [summary] = offered.send("a las 3")
    assert "📅 Viernes 29 de enero\n🕘 3:00 PM" in summary


def test_selection_asking_for_other_slots_offers_new_ones(offered):
    [others] = offered.send("ninguna me sirve, ¿tienes otros horarios?")
    assert others.startswith("Claro, mira estas otras opciones:")
    assert "Hoy 4:30 PM" not in others
    assert offered.state == "OFFER_SLOTS"


def test_selection_of_a_day_shows_that_days_slots(offered):
    [reply] = offered.send("mejor el lunes en la tarde")
    assert reply.startswith("Para ese momento tengo:")
    assert "Lunes 1 de febrero, 2:00 PM" in reply


def test_offered_slots_are_held_for_this_chat_only(offered, clinic, http):
    with session_scope(read_only=True) as session:
        holds = session.exec(select(SlotHold)).all()
    assert len(holds) == 3
    other = Chat(http=http, phone="+573004445566")
    add_client(clinic.tenant, other.phone, "Andrés")
    other.send("Hola, necesito una cita")
    [offer] = other.send("vacuna de rabia")
    assert "Hoy 5:00 PM" in offer and "Hoy 4:30 PM" not in offer


def test_slot_taken_before_yes_apologises_and_offers_again(offered, clinic):
    offered.send("1")
    with session_scope(write=True) as session:
        someone = clients.find_or_create(
            session, clinic.tenant, phone="+573009998877", name="Otra persona"
        )
        appointment = session.exec(select(SlotHold)).first()
        booking.create(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=clinic.doctor.id, client_id=someone.id, start_at=appointment.start_at
            ),
        )
    [sorry] = offered.send("Sí")
    assert sorry.startswith(
        "Lo siento mucho 😔, ese horario se acaba de ocupar. Te comparto otras opciones:"
    )
    assert "Hoy 4:30 PM" not in sorry
    assert offered.state == "OFFER_SLOTS"
    [summary] = offered.send("1")
    assert "Confirmo tu cita" in summary
    [done] = offered.send("si")
    assert done.startswith("✓ Cita confirmada.")
    with session_scope(read_only=True) as session:
        mine = session.exec(select(Appointment).where(Appointment.source == "whatsapp")).all()
        assert len(mine) == 1


def test_no_at_confirmation_books_nothing_and_offers_others(offered):
    offered.send("2")
    [reply] = offered.send("No")
    assert reply.startswith("Entendido, no la agendé.")
    assert offered.state == "OFFER_SLOTS"
    with session_scope(read_only=True) as session:
        assert session.exec(select(Appointment)).all() == []


def test_changing_the_choice_at_confirmation_shows_the_new_summary(offered):
    offered.send("2")
    [summary] = offered.send("mejor la tercera")
    assert "🕘 2:00 PM" in summary
    assert offered.state == "CONFIRM_BOOKING"


def test_unclear_confirmation_asks_again(offered):
    offered.send("2")
    [again] = offered.send("mmm déjame ver")
    assert again == "¿Confirmas esta cita? Responde Sí o No."


def test_spread_takes_first_today_then_each_half_day(clinic, frozen_clock):
    from datetime import UTC, datetime

    from backend.domain.availability import Slot

    base = datetime(2027, 1, 28, 21, 30, tzinfo=UTC)  # 4:30 PM Bogotá
    slots = [
        Slot(
            doctor_id=clinic.doctor.id,
            start=base + timedelta(minutes=30 * i),
            end=base + timedelta(minutes=30 * i + 30),
        )
        for i in range(3)
    ]
    slots += [
        Slot(
            doctor_id=clinic.doctor.id,
            start=base + timedelta(hours=h),
            end=base + timedelta(hours=h, minutes=30),
        )
        for h in (16.5, 17, 21.5, 22)
    ]
    chosen = spread(slots, tz="America/Bogota", today=base.date())
    assert [s.start for s in chosen] == [
        base,
        base + timedelta(hours=16.5),
        base + timedelta(hours=21.5),
    ]
