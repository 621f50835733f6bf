"""Pet owners (or patients) and their pets."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.core.clock import utcnow
from backend.models.types import utc_column


class Client(SQLModel, table=True):
    """A client of one clinic, known by an E.164 phone unique within it."""

    __table_args__ = (sa.UniqueConstraint("tenant_id", "phone", name="uq_client_tenant_phone"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    phone: str = Field(max_length=20)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    false_emergency_count: int = Field(default=0)
    emergency_access_revoked: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class ClientPhone(SQLModel, table=True):
    """Another number of a client: the phone of a duplicate merged into it, so a message
    from that number still reaches the same client."""

    __tablename__ = "client_phone"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "phone", name="uq_client_phone_tenant_phone"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id")
    client_id: uuid.UUID = Field(foreign_key="client.id", index=True)
    phone: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Pet(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    client_id: uuid.UUID = Field(foreign_key="client.id", index=True)
    name: str = Field(max_length=100)
    species: str | None = Field(default=None, max_length=40)
    breed: str | None = Field(default=None, max_length=100)
    birth_date: date | None = Field(default=None)
    weight_kg: float | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class PetVaccine(SQLModel, table=True):
    """A vaccine a pet received, and when the next dose is due (if it has one)."""

    __tablename__ = "pet_vaccine"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    pet_id: uuid.UUID = Field(foreign_key="pet.id", index=True)
    name: str = Field(max_length=100)
    given_on: date
    due_on: date | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
