"""Clients and pets: find by phone, create, attach pets."""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Session, col, func, select

from backend.core.db import add_unless_exists
from backend.domain.errors import NotFound, ValidationFailed
from backend.models import Client, ClientPhone, Pet, Tenant
from backend.services.phones import to_e164


def find_by_phone(session: Session, tenant: Tenant, phone: str) -> Client | None:
    """The clinic's client with this number, as its main phone or as another one (the
    number of a duplicate merged into it)."""
    return find_by_e164(session, tenant.id, to_e164(phone, tenant.country))


def find_by_e164(session: Session, tenant_id: uuid.UUID, e164: str) -> Client | None:
    """`find_by_phone` for a number already in E.164."""
    found = session.exec(
        select(Client).where(Client.tenant_id == tenant_id, Client.phone == e164)
    ).first()
    if found is not None:
        return found
    return session.exec(
        select(Client)
        .join(ClientPhone, col(ClientPhone.client_id) == Client.id)
        .where(ClientPhone.tenant_id == tenant_id, ClientPhone.phone == e164)
    ).first()


def get_client(session: Session, tenant_id: uuid.UUID, client_id: uuid.UUID) -> Client:
    client = session.get(Client, client_id)
    if client is None or client.tenant_id != tenant_id:
        raise NotFound("client not found", field="clientId")
    return client


def find_or_create(
    session: Session,
    tenant: Tenant,
    *,
    phone: str,
    name: str | None = None,
    email: str | None = None,
    looked_up: bool = False,
) -> Client:
    """The clinic's client with this phone, created if new (safe against a concurrent create).

    `looked_up`: the caller found no client with this phone earlier in this
    transaction, so the row is inserted straight away (a concurrent insert is
    still found).
    """
    e164 = to_e164(phone, tenant.country)
    existing = None if looked_up else find_by_e164(session, tenant.id, e164)
    if existing is not None:
        if name and not existing.name:
            existing.name = name.strip()[:200]
            session.add(existing)
        return existing
    client = Client(
        tenant_id=tenant.id,
        phone=e164,
        name=(name or "").strip()[:200] or None,
        email=(email or "").strip() or None,
    )
    if add_unless_exists(session, client, unique=["tenant_id", "phone"]):
        return client
    return find_or_create(session, tenant, phone=e164, name=name, email=email)


def add_pet(
    session: Session,
    client: Client,
    *,
    name: str,
    species: str | None = None,
    breed: str | None = None,
    birth_date: date | None = None,
) -> Pet:
    """The client's pet of that name (case-insensitive), created if new."""
    name = name.strip()
    if not name:
        raise ValidationFailed("the pet needs a name", field="petName")
    existing = session.exec(
        select(Pet).where(Pet.client_id == client.id, func.lower(Pet.name) == name.lower())
    ).first()
    if existing is not None:
        if species and not existing.species:
            existing.species = species
            session.add(existing)
        return existing
    pet = Pet(
        tenant_id=client.tenant_id,
        client_id=client.id,
        name=name[:100],
        species=species,
        breed=breed,
        birth_date=birth_date,
    )
    session.add(pet)
    session.flush()
    return pet


def pets_of(session: Session, client_id: uuid.UUID) -> list[Pet]:
    return list(session.exec(select(Pet).where(Pet.client_id == client_id).order_by(col(Pet.name))))
