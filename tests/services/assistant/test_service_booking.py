"""The assistant books the service the client's reason names, for as long as it lasts."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from backend.core.db import session_scope
from backend.models import Appointment
from backend.services.scheduling import services_catalog
from tests.chat import add_client


def test_reason_books_the_matching_service_and_the_summary_names_it(chat, clinic):
    with session_scope(write=True) as session:
        services_catalog.add_default_service(session, clinic.tenant.id)
    grooming = services_catalog.create_service(
        tenant_id=clinic.tenant.id,
        name="Baño y peluquería",
        duration_minutes=90,
        keywords=["bañar", "baño", "peluquería"],
    )
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez", ("Luna", "perro"))
    chat.send("Hola, quiero agendar una cita")
    [offers] = chat.send("quiero bañar a mi perrita")
    assert "Tengo disponibilidad" in offers
    [summary] = chat.send("la primera")
    assert "📋 Baño y peluquería (1 h 30 min)" in summary
    chat.send("sí")
    with session_scope(read_only=True) as session:
        [appointment] = session.exec(select(Appointment)).all()
    assert appointment.service_id == grooming
    assert appointment.end_at - appointment.start_at == timedelta(minutes=90)


def test_reason_without_a_service_books_the_default_consultation(chat, clinic):
    with session_scope(write=True) as session:
        services_catalog.add_default_service(session, clinic.tenant.id, duration_minutes=40)
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez", ("Luna", "perro"))
    chat.send("Hola, quiero agendar una cita")
    chat.send("mi perrita está vomitando")
    [summary] = chat.send("la primera")
    assert "📋 Consulta general (40 min)" in summary
    chat.send("sí")
    with session_scope(read_only=True) as session:
        [appointment] = session.exec(select(Appointment)).all()
    assert appointment.end_at - appointment.start_at == timedelta(minutes=40)


def test_the_service_asked_for_counts_even_when_the_reason_sums_up_a_symptom(chat, clinic):
    with session_scope(write=True) as session:
        services_catalog.add_default_service(session, clinic.tenant.id)
    scan = services_catalog.create_service(
        tenant_id=clinic.tenant.id,
        name="Ecografía",
        duration_minutes=45,
        keywords=["ecografía", "ultrasonido"],
    )
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez", ("Luna", "perro"))
    chat.send("necesito una ecografía para mi perra que está preñada")
    [summary] = chat.send("la primera")
    assert "📋 Ecografía (45 min)" in summary
    chat.send("sí")
    with session_scope(read_only=True) as session:
        [appointment] = session.exec(select(Appointment)).all()
    assert appointment.service_id == scan
    assert appointment.end_at - appointment.start_at == timedelta(minutes=45)


def test_a_vaccine_booster_with_a_moment_is_a_booking_not_a_question(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez", ("Thor", "perro"))
    [answer] = chat.send(
        "Hola! le toca refuerzo de vacuna a mi cachorro Thor, puede ser mañana por la tarde?"
    )
    assert "llama al" not in answer  # not sent to the phone as a question
    assert "vacuna" in answer.lower()


def test_a_vaccine_told_as_the_past_is_no_vaccine_request(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez", ("Thor", "perro"))
    [answer] = chat.send(
        "hola, mi perro está vomitando desde la vacuna de ayer, lo pueden ver hoy?"
    )
    assert "¿Qué vacuna" not in answer
    assert "Tengo disponibilidad" in answer
    assert "vomitando" in chat.conversation().state_data["reason"]


def test_a_vaccine_named_without_the_word_vacuna_is_a_vaccination(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Rocky's owner", ("Rocky", "perro"))
    chat.send("buenas, tení hora pa ponerle la antirrábica al Rocky?")
    assert chat.conversation().state_data["reason"] == "Vacunación (antirrabica)"
