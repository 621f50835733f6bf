"""Appointments, the outbox of their events and the audit trail of every change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.core.clock import utcnow
from backend.models.types import json_column, utc_column


class Appointment(SQLModel, table=True):
    """The system of record for a booking. Written only by `services.booking`.

    `blocked_end` is `end_at` plus the doctor's buffer when the appointment was
    booked or last moved, so the appointment blocks [start_at, blocked_end).
    The blocked ranges of two non-cancelled normal-priority appointments of
    one doctor never overlap, which keeps a buffer's gap after each of them: an
    exclusion constraint on PostgreSQL and triggers on SQLite enforce it (both
    also refuse a `blocked_end` before `end_at`; migration 0009).
    """

    __table_args__ = (
        sa.Index("ix_appointment_doctor_start", "doctor_id", "start_at"),
        sa.Index("ix_appointment_tenant_start", "tenant_id", "start_at"),
        sa.CheckConstraint("end_at > start_at", name="ck_appointment_positive_duration"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id")
    doctor_id: uuid.UUID = Field(foreign_key="staff_user.id")
    client_id: uuid.UUID = Field(foreign_key="client.id", index=True)
    pet_id: uuid.UUID | None = Field(default=None, foreign_key="pet.id")
    start_at: datetime = Field(sa_column=utc_column())
    end_at: datetime = Field(sa_column=utc_column())
    blocked_end: datetime = Field(sa_column=utc_column())
    reason: str | None = Field(default=None, max_length=500)
    status: str = Field(default="pending", max_length=16)
    priority: str = Field(default="normal", max_length=16)
    source: str = Field(default="api", max_length=16)
    conversation_id: uuid.UUID | None = Field(default=None, index=True)
    emergency_id: uuid.UUID | None = Field(default=None)
    calendar_sync_ok: bool | None = Field(default=None)
    calendar_event_id: str | None = Field(default=None, max_length=200)
    calendar_sync_error: str | None = Field(default=None, max_length=500)
    calendar_synced_version: int | None = Field(default=None)  # the version Google shows
    calendar_synced_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    calendar_synced_to: str | None = Field(default=None, max_length=300)  # the event's calendar
    # a change made in Google that a person must decide on (services.calendar_sync.google_changes)
    calendar_review_reason: str | None = Field(default=None, max_length=300)
    calendar_review_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    calendar_review_start: datetime | None = Field(
        default=None, sa_column=utc_column(nullable=True)
    )  # Google's proposed time (none when the event was deleted)
    calendar_review_end: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_by: str | None = Field(default=None, max_length=200)
    version: int = Field(default=1)
    notes: str | None = Field(default=None, max_length=2000)
    procedure_type: str | None = Field(default=None, max_length=40)
    service_id: uuid.UUID | None = Field(default=None, foreign_key="clinic_service.id")
    cancel_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class OutboxEvent(SQLModel, table=True):
    """An event written in the same transaction as the change it describes.

    The integer id gives a total order, so events of one appointment are
    delivered in the order they happened.
    """

    __tablename__ = "outbox_event"
    __table_args__ = (
        sa.Index(
            "ix_outbox_undispatched",
            "id",
            postgresql_where=sa.text("dispatched_at IS NULL"),
            sqlite_where=sa.text("dispatched_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    type: str = Field(max_length=60)
    aggregate_id: uuid.UUID = Field(index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    dispatched_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=2000)
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class AuditLog(SQLModel, table=True):
    """Who changed which appointment, when, and what (before/after per field)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    appointment_id: uuid.UUID = Field(index=True)
    action: str = Field(max_length=40)
    actor_type: str = Field(max_length=16)  # user, api_key, assistant, system
    actor_id: str | None = Field(default=None, max_length=64)
    actor_label: str | None = Field(default=None, max_length=200)
    at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
