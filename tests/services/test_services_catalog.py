"""The clinic's services catalog: list, create, update, deactivate, with Spanish errors."""

from __future__ import annotations

import uuid

import pytest

from backend.core.db import session_scope
from backend.domain.errors import NotFound, ValidationFailed
from backend.services.clinics import clinic_setup
from backend.services.scheduling import services_catalog
from tests.factories import make_doctor, make_tenant


@pytest.fixture
def clinic(db):
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        services_catalog.add_default_service(session, tenant.id)
        surgeon = make_doctor(session, tenant, name="Dr. Ruiz")
        other = make_doctor(session, tenant, name="Dra. Paz")
    return tenant.id, surgeon.id, other.id


def _names(tenant_id: uuid.UUID) -> list[str]:
    return [s.name for s in services_catalog.list_services(tenant_id=tenant_id)]


def test_create_service_lists_it_after_the_default(clinic):
    tenant_id, surgeon, _ = clinic
    services_catalog.create_service(
        tenant_id=tenant_id,
        name="  Cirugía ",
        duration_minutes=120,
        buffer_minutes=30,
        doctor_ids=[surgeon],
        keywords=["Castración", "operar", "operar", ""],
    )
    rows = services_catalog.list_services(tenant_id=tenant_id)
    assert [r.name for r in rows] == ["Consulta general", "Cirugía"]
    surgery = rows[1]
    assert (surgery.duration_minutes, surgery.buffer_minutes, surgery.is_default) == (
        120,
        30,
        False,
    )
    assert surgery.doctor_ids == (surgeon,)
    assert surgery.keywords == ("castración", "operar")


def test_first_service_of_a_clinic_without_one_becomes_the_default(db):
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
    services_catalog.create_service(tenant_id=tenant.id, name="Consulta", duration_minutes=20)
    services_catalog.create_service(tenant_id=tenant.id, name="Vacunación", duration_minutes=15)
    defaults = [s.name for s in services_catalog.list_services(tenant_id=tenant.id) if s.is_default]
    assert defaults == ["Consulta"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"duration_minutes": 4}, "durationMinutes", "va de 5 a 480 minutos"),
        ({"duration_minutes": 481}, "durationMinutes", "va de 5 a 480 minutos"),
        ({"buffer_minutes": -1}, "bufferMinutes", "va de 0 a 120 minutos"),
        ({"buffer_minutes": 121}, "bufferMinutes", "va de 0 a 120 minutos"),
        ({"name": "   "}, "serviceName", "necesita un nombre"),
        ({"name": "CONSULTA GENERAL"}, "serviceName", "Ya existe un servicio llamado"),
        ({"keywords": [f"k{n}" for n in range(21)]}, "keywords", "Hasta 20 palabras"),
    ],
)
def test_create_service_refuses_bad_input_in_spanish(clinic, changes, field, message):
    tenant_id, _, _ = clinic
    values = {"name": "Ecografía", "duration_minutes": 45, "buffer_minutes": 0} | changes
    with pytest.raises(ValidationFailed) as refused:
        services_catalog.create_service(tenant_id=tenant_id, **values)
    assert refused.value.field == field
    assert message in refused.value.message
    assert _names(tenant_id) == ["Consulta general"]


def test_create_service_refuses_a_doctor_of_another_clinic(clinic):
    tenant_id, _, _ = clinic
    with session_scope(write=True) as session:
        elsewhere = make_tenant(session, slug="otra", whatsapp="+14155550199")
        stranger = make_doctor(session, elsewhere, name="Dr. Ajeno")
    with pytest.raises(NotFound):
        services_catalog.create_service(
            tenant_id=tenant_id, name="Ecografía", duration_minutes=45, doctor_ids=[stranger.id]
        )


def test_update_service_replaces_length_doctors_and_deposit(clinic):
    tenant_id, surgeon, other = clinic
    service_id = services_catalog.create_service(
        tenant_id=tenant_id, name="Baño", duration_minutes=45, doctor_ids=[surgeon]
    )
    services_catalog.update_service(
        tenant_id=tenant_id,
        service_id=service_id,
        name="Baño y peluquería",
        duration_minutes=60,
        buffer_minutes=10,
        deposit_required=True,
        doctor_ids=[other],
        keywords=["bañar"],
    )
    row = next(s for s in services_catalog.list_services(tenant_id=tenant_id) if s.id == service_id)
    assert (row.name, row.duration_minutes, row.buffer_minutes) == ("Baño y peluquería", 60, 10)
    assert row.deposit_required and row.doctor_ids == (other,)


def test_deactivated_service_is_no_longer_bookable(clinic):
    tenant_id, _, _ = clinic
    service_id = services_catalog.create_service(
        tenant_id=tenant_id, name="Ecografía", duration_minutes=45
    )
    services_catalog.deactivate_service(tenant_id=tenant_id, service_id=service_id)
    with session_scope(read_only=True) as session:
        bookable = services_catalog.bookable_services(session, tenant_id)
        assert [s.name for s in bookable] == ["Consulta general"]
        with pytest.raises(NotFound):
            services_catalog.service_for_booking(session, tenant_id, service_id)
    assert [(s.name, s.is_active) for s in services_catalog.list_services(tenant_id=tenant_id)] == [
        ("Consulta general", True),
        ("Ecografía", False),
    ]


def test_default_service_cannot_be_deactivated(clinic):
    tenant_id, _, _ = clinic
    default = services_catalog.list_services(tenant_id=tenant_id)[0]
    with pytest.raises(ValidationFailed, match="no se puede desactivar"):
        services_catalog.deactivate_service(tenant_id=tenant_id, service_id=default.id)


def test_service_of_another_clinic_is_not_found(clinic):
    tenant_id, _, _ = clinic
    with session_scope(write=True) as session:
        elsewhere = make_tenant(session, slug="otra", whatsapp="+14155550199")
    foreign = services_catalog.create_service(
        tenant_id=elsewhere.id, name="Ecografía", duration_minutes=45
    )
    with pytest.raises(NotFound):
        services_catalog.deactivate_service(tenant_id=tenant_id, service_id=foreign)


def test_new_clinic_starts_with_a_default_consultation(db):
    with session_scope(write=True) as session:
        tenant = clinic_setup.create_clinic(
            session,
            slug="nueva",
            name="Clínica Nueva",
            timezone="America/Bogota",
            country="CO",
            whatsapp_numbers=["+14155550123"],
        )
    [only] = services_catalog.list_services(tenant_id=tenant.id)
    assert (only.name, only.duration_minutes, only.is_default) == ("Consulta general", 30, True)


def test_reason_maps_to_an_active_service_or_the_default(clinic):
    tenant_id, _, _ = clinic
    services_catalog.create_service(
        tenant_id=tenant_id, name="Vacunación", duration_minutes=15, keywords=["vacuna"]
    )
    with session_scope(read_only=True) as session:
        assert services_catalog.service_for_reason(session, tenant_id, "la vacuna").name == (
            "Vacunación"
        )
        assert services_catalog.service_for_reason(session, tenant_id, "tos").name == (
            "Consulta general"
        )
