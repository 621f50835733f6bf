"""Reminders before appointments and follow-ups after procedures."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.core.clock import utcnow
from backend.models.types import json_column, utc_column


class FollowUpProtocol(SQLModel, table=True):
    """A clinic's editable follow-up plan for one procedure type."""

    __tablename__ = "follow_up_protocol"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "procedure_type", name="uq_protocol_tenant_type"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id")
    procedure_type: str = Field(max_length=40)
    label: str = Field(max_length=100)
    schedule_hours: list[int] = Field(default_factory=list, sa_column=json_column())
    messages: list[str] = Field(default_factory=list, sa_column=json_column())
    escalation_keywords: list[str] = Field(default_factory=list, sa_column=json_column())


class FollowUp(SQLModel, table=True):
    __tablename__ = "follow_up"
    __table_args__ = (
        sa.UniqueConstraint("appointment_id", "sequence_number", name="uq_follow_up_sequence"),
        sa.Index("ix_follow_up_status_due", "status", "scheduled_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    appointment_id: uuid.UUID = Field(foreign_key="appointment.id")
    client_id: uuid.UUID = Field(foreign_key="client.id")
    pet_id: uuid.UUID | None = Field(default=None, foreign_key="pet.id")
    procedure_type: str = Field(max_length=40)
    message_template: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    escalation_keywords: list[str] = Field(default_factory=list, sa_column=json_column())
    scheduled_at: datetime = Field(sa_column=utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    status: str = Field(default="pending", max_length=16)
    sequence_number: int = Field(default=1)
    attempts: int = Field(default=0)
    error: str | None = Field(default=None, max_length=1000)
    conversation_id: uuid.UUID | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class FollowUpResponse(SQLModel, table=True):
    __tablename__ = "follow_up_response"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    follow_up_id: uuid.UUID = Field(foreign_key="follow_up.id", index=True)
    conversation_id: uuid.UUID | None = Field(default=None)
    response_text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    analysis: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    requires_escalation: bool = Field(default=False)
    escalated_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Reminder(SQLModel, table=True):
    """A reminder due before an appointment; keyed on the start it was made for."""

    __table_args__ = (
        sa.UniqueConstraint(
            "appointment_id", "offset_hours", "appointment_start_at", name="uq_reminder_once"
        ),
        sa.Index("ix_reminder_status_due", "status", "due_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    appointment_id: uuid.UUID = Field(foreign_key="appointment.id")
    offset_hours: int
    appointment_start_at: datetime = Field(sa_column=utc_column())
    due_at: datetime = Field(sa_column=utc_column())
    status: str = Field(default="pending", max_length=16)  # pending, sent, cancelled, failed
    attempts: int = Field(default=0)
    error: str | None = Field(default=None, max_length=1000)
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    message_id: uuid.UUID | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class ProcessedEvent(SQLModel, table=True):
    """Marks an outbox event as handled by one handler, so redelivery is a no-op."""

    __tablename__ = "processed_event"
    __table_args__ = (sa.UniqueConstraint("event_id", "handler", name="uq_processed_event"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="outbox_event.id")
    handler: str = Field(max_length=60)
    processed_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class DeadLetter(SQLModel, table=True):
    """An event a handler could not process after its retries."""

    __tablename__ = "dead_letter"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    event_id: int = Field(foreign_key="outbox_event.id", index=True)
    handler: str = Field(max_length=60)
    error: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    attempts: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    retried_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
