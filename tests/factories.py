"""Builders for test data; everything goes through the services where one exists."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from backend.core.db import session_scope
from backend.models import Client, Conversation, DoctorSchedule, StaffUser, Tenant
from backend.services.assistant.inbound import InboundMessage, store_inbound
from backend.services.clinics import auth
from backend.services.patients import clients


def make_tenant(
    session: Session,
    *,
    slug: str = "clinica",
    timezone: str = "America/Bogota",
    whatsapp: str = "+14155550100",
    **extra: Any,
) -> Tenant:
    tenant = Tenant(
        name=f"Clínica {slug}", slug=slug, timezone=timezone, whatsapp_numbers=[whatsapp], **extra
    )
    session.add(tenant)
    session.flush()
    return tenant


def make_doctor(
    session: Session,
    tenant: Tenant,
    *,
    name: str = "Dra. Prueba",
    email: str | None = None,
    periods: list[dict[str, Any]] | None = None,
    for_ai: bool = True,
    **schedule: Any,
) -> StaffUser:
    user = StaffUser(
        tenant_id=tenant.id,
        email=email or f"{name.split()[-1].lower()}.{tenant.slug}@example.com",
        password_hash="x",
        full_name=name,
        role="doctor",
        active_for_ai_booking=for_ai,
    )
    session.add(user)
    session.flush()
    kwargs: dict[str, Any] = dict(schedule)
    if periods is not None:
        kwargs["periods"] = periods
    session.add(DoctorSchedule(tenant_id=tenant.id, doctor_id=user.id, **kwargs))
    session.flush()
    return user


def weekday_periods(
    start: str = "08:00", end: str = "18:00", days: range = range(0, 6)
) -> list[dict[str, Any]]:
    return [{"weekday": d, "start": start, "end": end} for d in days]


def make_client(
    session: Session, tenant: Tenant, *, phone: str = "+573001234567", name: str = "Cliente Prueba"
) -> Client:
    return clients.find_or_create(session, tenant, phone=phone, name=name)


def make_api_key(session: Session, tenant: Tenant) -> str:
    return auth.create_api_key(session, tenant_id=tenant.id, name="tests").secret


def receive(inbound: InboundMessage) -> uuid.UUID | None:
    """Stores an inbound message without answering it (None for a duplicate sid).

    Tests then answer it themselves (`process_inbound_message`) or leave it to
    a sweep; the product's way in is `assistant.accept`, which also submits it.
    """
    try:
        with session_scope(write=True) as session:
            message = store_inbound(session, inbound)
            session.flush()
            return message.id
    except IntegrityError:
        return None


def make_conversation(
    session: Session,
    tenant: Tenant,
    *,
    phone: str,
    at: Any,
    client_wrote: bool = True,
    **fields: Any,
) -> Conversation:
    """A conversation whose last activity is `at` (and the client's last message too, unless
    `client_wrote` is False), without running the assistant."""
    conversation = Conversation(
        tenant_id=tenant.id,
        client_phone=phone,
        started_at=at,
        last_message_at=at,
        last_state_change=at,
        last_inbound_at=at if client_wrote else None,
        last_message_preview="hola",
        **fields,
    )
    session.add(conversation)
    session.flush()
    return conversation
