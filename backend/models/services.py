"""What a clinic offers (consulta, vacunación, cirugía…) and how long each takes."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.core.clock import utcnow
from backend.models.types import json_column, utc_column


class Service(SQLModel, table=True):
    """A bookable service: its length, the margin it needs after it, and who offers it.

    Exactly one active service per clinic is the default ("Consulta general"),
    used when a booking names none; a partial unique index keeps it one. The
    doctors offering it are the `service_doctor` rows; none means every doctor.
    """

    __tablename__ = "clinic_service"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "name", name="uq_clinic_service_name"),
        sa.Index(
            "ux_clinic_service_default",
            "tenant_id",
            unique=True,
            postgresql_where=sa.text("is_default"),
            sqlite_where=sa.text("is_default"),
        ),
        sa.CheckConstraint("duration_minutes BETWEEN 5 AND 480", name="ck_clinic_service_duration"),
        sa.CheckConstraint("buffer_minutes BETWEEN 0 AND 120", name="ck_clinic_service_buffer"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    name: str = Field(max_length=80)
    duration_minutes: int = Field(default=30)
    buffer_minutes: int = Field(default=0)
    deposit_required: bool = Field(default=False)
    is_active: bool = Field(default=True)
    is_default: bool = Field(default=False)
    keywords: list[str] = Field(default_factory=list, sa_column=json_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class ServiceDoctor(SQLModel, table=True):
    """A doctor who offers a service (a service with no rows is offered by all)."""

    __tablename__ = "service_doctor"

    service_id: uuid.UUID = Field(foreign_key="clinic_service.id", primary_key=True)
    doctor_id: uuid.UUID = Field(foreign_key="staff_user.id", primary_key=True, index=True)
