"""Emergencies raised by clients, and alerts sent to the clinic's contacts."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.core.clock import utcnow
from backend.models.types import json_column, utc_column


class EmergencyEvent(SQLModel, table=True):
    __tablename__ = "emergency_event"
    __table_args__ = (sa.Index("ix_emergency_tenant_status", "tenant_id", "status"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id")
    conversation_id: uuid.UUID | None = Field(default=None, foreign_key="conversation.id")
    client_id: uuid.UUID | None = Field(default=None, foreign_key="client.id")
    appointment_id: uuid.UUID | None = Field(default=None)
    client_phone: str = Field(max_length=20)
    pet_name: str | None = Field(default=None, max_length=100)
    pet_species: str | None = Field(default=None, max_length=40)
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    keywords: list[str] = Field(default_factory=list, sa_column=json_column())
    category: str | None = Field(default=None, max_length=20)
    status: str = Field(
        default="active", max_length=16
    )  # active, acknowledged, resolved, false_alarm
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    acknowledged_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    acknowledged_by: str | None = Field(default=None, max_length=200)
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    resolved_by: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=2000)
    # what the client has been told about the alert: None (being sent), "notified"
    # (it reached a contact) or "unreachable" (every delivery failed)
    client_notice: str | None = Field(default=None, max_length=16)


class Alert(SQLModel, table=True):
    """One alert (emergency, follow-up escalation, calendar sync failure)."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    kind: str = Field(max_length=40)
    subject_id: uuid.UUID | None = Field(default=None, index=True)
    title: str = Field(max_length=200)
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class AlertDelivery(SQLModel, table=True):
    """Delivery of an alert to one contact on one channel."""

    __tablename__ = "alert_delivery"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    alert_id: uuid.UUID = Field(foreign_key="alert.id", index=True)
    channel: str = Field(max_length=16)  # whatsapp, email, slack
    target: str = Field(max_length=500)
    contact_name: str | None = Field(default=None, max_length=200)
    status: str = Field(default="pending", max_length=16)  # pending, sent, failed
    attempts: int = Field(default=0)
    error: str | None = Field(default=None, max_length=1000)
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    acknowledged_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    message_id: uuid.UUID | None = Field(
        default=None, index=True
    )  # the WhatsApp message carrying it
