"""Clients created and edited by staff, pets edited, vaccines recorded, and a pet's record
with its visits and vaccines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.domain.errors import NotFound, ValidationFailed
from backend.services.actors import Actor
from backend.services.patients import client_directory, clients, pet_history, profiles
from backend.services.scheduling import booking
from tests.factories import make_client, make_doctor, make_tenant, weekday_periods

ACTOR = Actor(type="user", id="u1", label="Recepción")
FRIDAY_9 = datetime(2027, 1, 29, 14, 0, tzinfo=UTC)


@pytest.fixture
def clinic(db, frozen_clock):
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        doctor = make_doctor(session, tenant, periods=weekday_periods("08:00", "18:00"))
        client = make_client(session, tenant, name="Camila Rodríguez")
        pet = clients.add_pet(session, client, name="Luna", species="gato")
        other = make_tenant(session, slug="otra", whatsapp="+14155550199")
    return tenant, doctor, client, pet, other


def test_create_client_without_appointment_normalises_the_phone(clinic):
    tenant = clinic[0]

    created = profiles.create_client(
        tenant_id=tenant.id,
        details=profiles.ClientDetails(phone="310 555 1234", name=" Pedro Pérez ", email=""),
    )

    card = client_directory.client_card(tenant.id, created.id)
    assert (card.phone, card.name, card.email, card.pets) == (
        "+573105551234",
        "Pedro Pérez",
        None,
        [],
    )


@pytest.mark.parametrize(
    ("phone", "error", "field"),
    [
        ("", ValidationFailed, "phone"),
        ("hola", ValidationFailed, "phone"),
        ("300 123 4567", profiles.PhoneTaken, "phone"),  # the fixture's client
    ],
)
def test_create_client_refuses_a_missing_invalid_or_taken_phone(clinic, phone, error, field):
    with pytest.raises(error) as refused:
        profiles.create_client(
            tenant_id=clinic[0].id, details=profiles.ClientDetails(phone=phone, name="X")
        )
    assert refused.value.field == field


def test_create_client_refuses_a_bad_email(clinic):
    with pytest.raises(ValidationFailed) as refused:
        profiles.create_client(
            tenant_id=clinic[0].id,
            details=profiles.ClientDetails(phone="3105551234", email="no-es-correo"),
        )
    assert refused.value.field == "email"


def test_update_client_changes_name_email_and_phone(clinic):
    tenant, _, client, _, _ = clinic

    profiles.update_client(
        tenant_id=tenant.id,
        client_id=client.id,
        details=profiles.ClientDetails(
            phone="+57 320 111 2222", name="Camila R.", email="camila@example.com"
        ),
    )

    card = client_directory.client_card(tenant.id, client.id)
    assert (card.phone, card.name, card.email) == (
        "+573201112222",
        "Camila R.",
        "camila@example.com",
    )


def test_update_client_refuses_another_clients_phone_and_another_clinic(clinic):
    tenant, _, client, _, other = clinic
    taken = profiles.create_client(
        tenant_id=tenant.id, details=profiles.ClientDetails(phone="3105551234")
    )
    with pytest.raises(profiles.PhoneTaken):
        profiles.update_client(
            tenant_id=tenant.id,
            client_id=client.id,
            details=profiles.ClientDetails(phone=taken.phone),
        )
    with pytest.raises(NotFound):
        profiles.update_client(
            tenant_id=other.id,
            client_id=client.id,
            details=profiles.ClientDetails(phone="3105559999"),
        )


def test_update_pet_records_weight_and_birth_date(clinic):
    tenant, _, _, pet, _ = clinic

    profiles.update_pet(
        tenant_id=tenant.id,
        pet_id=pet.id,
        details=profiles.PetDetails(
            name="Luna", species="gato", breed="Siamés", birth_date=date(2024, 1, 2), weight_kg=4.2
        ),
    )

    record = pet_history.pet_record(tenant.id, pet.id)
    assert (record.breed, record.birth_date, record.weight_kg) == (
        "Siamés",
        date(2024, 1, 2),
        4.2,
    )


@pytest.mark.parametrize(
    ("details", "field"),
    [
        (profiles.PetDetails(name=" "), "petName"),
        (profiles.PetDetails(name="Luna", weight_kg=0), "weightKg"),
        (profiles.PetDetails(name="Luna", weight_kg=-3), "weightKg"),
        (profiles.PetDetails(name="Luna", birth_date=date(2030, 1, 1)), "birthDate"),
    ],
)
def test_update_pet_refuses_impossible_values(clinic, details, field):
    tenant, _, _, pet, _ = clinic
    with pytest.raises(ValidationFailed) as refused:
        profiles.update_pet(tenant_id=tenant.id, pet_id=pet.id, details=details)
    assert refused.value.field == field


def test_vaccines_are_recorded_corrected_and_listed_newest_first(clinic):
    tenant, _, _, pet, _ = clinic
    rabies = profiles.record_vaccine(
        tenant_id=tenant.id,
        pet_id=pet.id,
        details=profiles.VaccineDetails(
            name="Rabia", given_on=date(2026, 1, 10), due_on=date(2027, 1, 10)
        ),
    )
    profiles.record_vaccine(
        tenant_id=tenant.id,
        pet_id=pet.id,
        details=profiles.VaccineDetails(name="Triple felina", given_on=date(2026, 6, 1)),
    )

    profiles.update_vaccine(
        tenant_id=tenant.id,
        vaccine_id=rabies.id,
        details=profiles.VaccineDetails(
            name="Rabia", given_on=date(2026, 1, 10), due_on=date(2027, 2, 10)
        ),
    )

    vaccines = pet_history.pet_record(tenant.id, pet.id).vaccines
    assert [(v.name, v.due_on) for v in vaccines] == [
        ("Triple felina", None),
        ("Rabia", date(2027, 2, 10)),
    ]


def test_vaccine_due_before_it_was_given_is_refused(clinic):
    tenant, _, _, pet, _ = clinic
    with pytest.raises(ValidationFailed) as refused:
        profiles.record_vaccine(
            tenant_id=tenant.id,
            pet_id=pet.id,
            details=profiles.VaccineDetails(
                name="Rabia", given_on=date(2026, 1, 10), due_on=date(2025, 1, 10)
            ),
        )
    assert refused.value.field == "dueOn"


def test_pet_record_lists_visits_with_notes_and_hides_other_clinics(clinic):
    tenant, doctor, client, pet, other = clinic
    visit = booking.book(
        tenant_id=tenant.id,
        actor=ACTOR,
        data=booking.NewAppointment(
            doctor_id=doctor.id,
            client_id=client.id,
            pet_id=pet.id,
            start_at=FRIDAY_9,
            reason="Vacunación anual",
        ),
    )
    booking.replace_notes(
        tenant_id=tenant.id,
        actor=ACTOR,
        appointment_id=visit.id,
        notes="Peso estable, sin reacciones.",
        expected_version=1,
    )
    clock.freeze(FRIDAY_9 + timedelta(hours=1))

    record = pet_history.pet_record(tenant.id, pet.id)

    assert record.client_name == "Camila Rodríguez"
    (seen,) = record.visits
    assert (seen.reason, seen.notes, seen.doctor_name) == (
        "Vacunación anual",
        "Peso estable, sin reacciones.",
        "Dra. Prueba",
    )
    with pytest.raises(NotFound):
        pet_history.pet_record(other.id, pet.id)
