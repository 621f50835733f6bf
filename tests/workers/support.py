"""Shared builders for the background-work tests (services and workers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import col, select

from backend.core.db import session_scope
from backend.models import Appointment, Client, Message, Pet, StaffUser, Tenant
from backend.services import outbox
from backend.services.actors import Actor
from backend.services.patients import clients
from backend.services.scheduling import booking
from tests.factories import make_client, make_doctor, make_tenant, weekday_periods

RECEPTION = Actor(type="user", id="u1", label="Recepción")
API_KEY = Actor(type="api_key", id="k1", label="integración")
# Monday 2027-02-01 09:00 in Bogotá (UTC-5); the frozen clock is Thursday 2027-01-28 10:00 there
MONDAY_9 = datetime(2027, 2, 1, 14, 0, tzinfo=UTC)


@dataclass
class Clinic:
    tenant: Tenant
    doctor: StaffUser
    client: Client
    pet: Pet


def build_clinic(
    *,
    slug: str = "patitas",
    timezone: str = "America/Bogota",
    whatsapp: str = "+14155550100",
    phone: str = "+573001234567",
    **tenant_extra,
) -> Clinic:
    with session_scope(write=True) as session:
        tenant = make_tenant(
            session, slug=slug, timezone=timezone, whatsapp=whatsapp, **tenant_extra
        )
        doctor = make_doctor(session, tenant, periods=weekday_periods("08:00", "18:00"))
        client = make_client(session, tenant, phone=phone, name="Camila Rodríguez")
        pet = clients.add_pet(session, client, name="Luna", species="gato")
    return Clinic(tenant, doctor, client, pet)


def book(
    clinic: Clinic,
    start: datetime = MONDAY_9,
    *,
    actor: Actor = RECEPTION,
    source: str = "portal",
    **extra,
) -> Appointment:
    with session_scope(write=True) as session:
        return booking.create(
            session,
            tenant=clinic.tenant,
            actor=actor,
            data=booking.NewAppointment(
                doctor_id=clinic.doctor.id,
                client_id=clinic.client.id,
                pet_id=clinic.pet.id,
                start_at=start,
                source=source,
                **extra,
            ),
        )


def reschedule(
    clinic: Clinic, appointment: Appointment, start: datetime, *, actor: Actor = RECEPTION
) -> Appointment:
    with session_scope(write=True) as session:
        current = session.get(Appointment, appointment.id)
        return booking.reschedule(
            session,
            tenant=clinic.tenant,
            actor=actor,
            appointment_id=appointment.id,
            start_at=start,
            expected_version=current.version,
        )


def change_status(
    clinic: Clinic, appointment: Appointment, status: str, *, actor: Actor = RECEPTION, **extra
) -> Appointment:
    with session_scope(write=True) as session:
        current = session.get(Appointment, appointment.id)
        return booking.change_status(
            session,
            tenant=clinic.tenant,
            actor=actor,
            appointment_id=appointment.id,
            status=status,
            expected_version=current.version,
            **extra,
        )


def relay() -> outbox.RelayResult:
    return outbox.relay_pending()


def outbound_to(phone: str) -> list[Message]:
    with session_scope() as session:
        return list(
            session.exec(
                select(Message)
                .where(Message.direction == "outbound", Message.to_phone == phone)
                .order_by(col(Message.created_at))
            ).all()
        )
