"""A pet's record for its page: details, owner, visits and vaccines, in one read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select

from backend.core.db import session_scope
from backend.domain.errors import NotFound
from backend.models import Appointment, Client, Pet, PetVaccine, StaffUser


@dataclass(frozen=True)
class Visit:
    """An appointment of the pet with what the doctor wrote about it."""

    appointment_id: uuid.UUID
    start_at: datetime
    status: str
    doctor_name: str
    reason: str | None
    notes: str | None
    procedure_type: str | None


@dataclass(frozen=True)
class Vaccine:
    id: uuid.UUID
    name: str
    given_on: date
    due_on: date | None


@dataclass(frozen=True)
class PetRecord:
    id: uuid.UUID
    name: str
    species: str | None
    breed: str | None
    birth_date: date | None
    weight_kg: float | None
    client_id: uuid.UUID
    client_name: str | None
    client_phone: str
    visits: list[Visit]  # newest first; upcoming ones included
    vaccines: list[Vaccine]  # by date given, newest first


def pet_record(tenant_id: uuid.UUID, pet_id: uuid.UUID, *, visit_limit: int = 100) -> PetRecord:
    """One pet of the clinic with its owner, appointments and vaccines; NotFound for an
    unknown id or another clinic's."""
    with session_scope(read_only=True) as session:
        row = session.exec(
            select(Pet, Client)
            .join(Client, col(Client.id) == Pet.client_id)
            .where(Pet.id == pet_id, Pet.tenant_id == tenant_id)
        ).first()
        if row is None:
            raise NotFound("pet not found", field="petId")
        pet, owner = row
        visits = session.exec(
            select(  # type: ignore[call-overload]
                Appointment.id,
                Appointment.start_at,
                Appointment.status,
                StaffUser.full_name,
                Appointment.reason,
                Appointment.notes,
                Appointment.procedure_type,
            )
            .join(StaffUser, col(StaffUser.id) == Appointment.doctor_id)
            .where(Appointment.tenant_id == tenant_id, Appointment.pet_id == pet.id)
            .order_by(col(Appointment.start_at).desc())
            .limit(visit_limit)
        ).all()
        vaccines = session.exec(
            select(PetVaccine)
            .where(PetVaccine.tenant_id == tenant_id, PetVaccine.pet_id == pet.id)
            .order_by(col(PetVaccine.given_on).desc(), col(PetVaccine.created_at).desc())
        ).all()
        return PetRecord(
            id=pet.id,
            name=pet.name,
            species=pet.species,
            breed=pet.breed,
            birth_date=pet.birth_date,
            weight_kg=pet.weight_kg,
            client_id=owner.id,
            client_name=owner.name,
            client_phone=owner.phone,
            visits=[Visit(*v) for v in visits],
            vaccines=[
                Vaccine(id=v.id, name=v.name, given_on=v.given_on, due_on=v.due_on)
                for v in vaccines
            ],
        )
