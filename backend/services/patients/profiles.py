"""Staff's edits of the clinic's records: a client without an appointment, a client's
name, email and phone, a pet's details and its vaccines.

Each function is a whole unit of work (the portal's one call) and scopes every
read and write to the clinic, so an id of another clinic reads as unknown.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.domain.errors import Conflict, NotFound, ValidationFailed
from backend.domain.input_rules import year_in_range
from backend.models import Client, Pet, PetVaccine
from backend.services.clinics.clinic_directory import get_clinic
from backend.services.patients import clients
from backend.services.phones import to_e164

MAX_WEIGHT_KG = 500.0
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class PhoneTaken(Conflict):
    """Another client of the clinic already has this number."""

    code = "phone_taken"


@dataclass(frozen=True)
class ClientDetails:
    phone: str
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class PetDetails:
    name: str
    species: str | None = None
    breed: str | None = None
    birth_date: date | None = None
    weight_kg: float | None = None


@dataclass(frozen=True)
class VaccineDetails:
    name: str
    given_on: date
    due_on: date | None = None


def _clean_email(email: str | None) -> str | None:
    text = (email or "").strip()
    if not text:
        return None
    if len(text) > 254 or not _EMAIL.match(text):
        raise ValidationFailed("not an email address", field="email")
    return text


def _free_phone(session: Session, tenant_id: uuid.UUID, e164: str, owner: uuid.UUID | None) -> None:
    holder = clients.find_by_e164(session, tenant_id, e164)
    if holder is not None and holder.id != owner:
        raise PhoneTaken("another client has this phone", field="phone")


def create_client(*, tenant_id: uuid.UUID, details: ClientDetails) -> Client:
    """A new client known only by phone (and name, email), before any appointment.

    Raises:
        ValidationFailed: the phone is missing or not a number, or the email is not one.
        PhoneTaken: a client of the clinic already has this number.
    """
    if not details.phone.strip():
        raise ValidationFailed("phone required", field="phone")
    with session_scope(write=True) as session:
        tenant = get_clinic(session, tenant_id)
        e164 = to_e164(details.phone, tenant.country)
        email = _clean_email(details.email)
        _free_phone(session, tenant.id, e164, None)
        client = Client(
            tenant_id=tenant.id,
            phone=e164,
            name=(details.name or "").strip()[:200] or None,
            email=email,
        )
        session.add(client)
        session.flush()
        return client


def update_client(*, tenant_id: uuid.UUID, client_id: uuid.UUID, details: ClientDetails) -> Client:
    """Replaces a client's name, email and main phone.

    Raises:
        NotFound: no such client in the clinic.
        ValidationFailed, PhoneTaken: as `create_client`.
    """
    with session_scope(write=True) as session:
        tenant = get_clinic(session, tenant_id)
        client = clients.get_client(session, tenant.id, client_id)
        e164 = to_e164(details.phone, tenant.country)
        _free_phone(session, tenant.id, e164, client.id)
        client.phone = e164
        client.name = (details.name or "").strip()[:200] or None
        client.email = _clean_email(details.email)
        session.add(client)
        session.flush()
        return client


def _checked_pet(details: PetDetails, today: date) -> PetDetails:
    name = details.name.strip()
    if not name:
        raise ValidationFailed("the pet needs a name", field="petName")
    if details.birth_date is not None and (
        details.birth_date > today or not year_in_range(details.birth_date)
    ):
        raise ValidationFailed("the birth date is not possible", field="birthDate")
    if details.weight_kg is not None and not 0 < details.weight_kg <= MAX_WEIGHT_KG:
        raise ValidationFailed("the weight is out of range", field="weightKg")
    return PetDetails(
        name=name[:100],
        species=(details.species or "").strip()[:40] or None,
        breed=(details.breed or "").strip()[:100] or None,
        birth_date=details.birth_date,
        weight_kg=details.weight_kg,
    )


def _pet_of_clinic(session: Session, tenant_id: uuid.UUID, pet_id: uuid.UUID) -> Pet:
    pet = session.get(Pet, pet_id)
    if pet is None or pet.tenant_id != tenant_id:
        raise NotFound("pet not found", field="petId")
    return pet


def add_pet(*, tenant_id: uuid.UUID, client_id: uuid.UUID, details: PetDetails) -> Pet:
    """A new pet of the client (NotFound for another clinic's client)."""
    checked = _checked_pet(details, utcnow().date())
    with session_scope(write=True) as session:
        owner = clients.get_client(session, tenant_id, client_id)
        pet = Pet(
            tenant_id=tenant_id,
            client_id=owner.id,
            name=checked.name,
            species=checked.species,
            breed=checked.breed,
            birth_date=checked.birth_date,
            weight_kg=checked.weight_kg,
        )
        session.add(pet)
        session.flush()
        return pet


def update_pet(*, tenant_id: uuid.UUID, pet_id: uuid.UUID, details: PetDetails) -> Pet:
    """Replaces a pet's name, species, breed, birth date and weight."""
    checked = _checked_pet(details, utcnow().date())
    with session_scope(write=True) as session:
        pet = _pet_of_clinic(session, tenant_id, pet_id)
        pet.name = checked.name
        pet.species = checked.species
        pet.breed = checked.breed
        pet.birth_date = checked.birth_date
        pet.weight_kg = checked.weight_kg
        session.add(pet)
        session.flush()
        return pet


def _checked_vaccine(details: VaccineDetails) -> VaccineDetails:
    name = details.name.strip()
    if not name:
        raise ValidationFailed("the vaccine needs a name", field="vaccineName")
    if not year_in_range(details.given_on):
        raise ValidationFailed("check the date given", field="givenOn")
    if details.due_on is not None and details.due_on < details.given_on:
        raise ValidationFailed("the next dose is due after the last one", field="dueOn")
    return VaccineDetails(name=name[:100], given_on=details.given_on, due_on=details.due_on)


def record_vaccine(
    *, tenant_id: uuid.UUID, pet_id: uuid.UUID, details: VaccineDetails
) -> PetVaccine:
    """Records a vaccine the pet received, with the next dose's due date if any."""
    checked = _checked_vaccine(details)
    with session_scope(write=True) as session:
        pet = _pet_of_clinic(session, tenant_id, pet_id)
        vaccine = PetVaccine(
            tenant_id=tenant_id,
            pet_id=pet.id,
            name=checked.name,
            given_on=checked.given_on,
            due_on=checked.due_on,
        )
        session.add(vaccine)
        session.flush()
        return vaccine


def update_vaccine(
    *, tenant_id: uuid.UUID, vaccine_id: uuid.UUID, details: VaccineDetails
) -> PetVaccine:
    """Corrects a recorded vaccine (name, date given, next due date)."""
    checked = _checked_vaccine(details)
    with session_scope(write=True) as session:
        vaccine = session.get(PetVaccine, vaccine_id)
        if vaccine is None or vaccine.tenant_id != tenant_id:
            raise NotFound("vaccine not found", field="vaccineId")
        vaccine.name = checked.name
        vaccine.given_on = checked.given_on
        vaccine.due_on = checked.due_on
        session.add(vaccine)
        session.flush()
        return vaccine
