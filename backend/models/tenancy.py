"""Clinics (tenants), their staff, API keys, portal sessions and alert contacts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.core.clock import utcnow
from backend.models.types import json_column, utc_column

DEFAULT_BUSINESS_HOURS: dict[str, list[list[str]]] = {
    "0": [["08:00", "12:30"], ["14:00", "18:00"]],
    "1": [["08:00", "12:30"], ["14:00", "18:00"]],
    "2": [["08:00", "12:30"], ["14:00", "18:00"]],
    "3": [["08:00", "12:30"], ["14:00", "18:00"]],
    "4": [["08:00", "12:30"], ["14:00", "18:00"]],
    "5": [["09:00", "13:00"]],
}


class Tenant(SQLModel, table=True):
    """A clinic. Its IANA time zone decides how every time is shown."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True, index=True)
    timezone: str = Field(default="America/Bogota", max_length=64)
    country: str = Field(default="CO", max_length=2)
    phone: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=300)
    whatsapp_numbers: list[str] = Field(default_factory=list, sa_column=json_column())
    # The clinic's approved template (Twilio ContentSid) for writing outside the 24-hour
    # window; without one, WHATSAPP_TEMPLATE_CONTENT_SID applies.
    whatsapp_template_sid: str | None = Field(default=None, max_length=64)
    # the clinic's own Twilio (sub)account; the token encrypted with SECRETS_KEY
    twilio_account_sid: str | None = Field(default=None, max_length=64)
    twilio_auth_token_encrypted: str | None = Field(default=None, max_length=500)
    business_hours: dict[str, Any] = Field(
        default_factory=lambda: dict(DEFAULT_BUSINESS_HOURS), sa_column=json_column()
    )
    reminder_offsets_hours: list[int] = Field(
        default_factory=lambda: [24, 2], sa_column=json_column()
    )
    alert_slack_webhook_url: str | None = Field(default=None, max_length=500)
    calendar_sync_enabled: bool = Field(default=False)
    # a demonstration clinic: its staff may chat as test clients in the sandbox, in production too
    is_demo: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class StaffUser(SQLModel, table=True):
    """A person of the clinic who logs into the portal; doctors also take appointments."""

    __tablename__ = "staff_user"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=100)
    full_name: str = Field(max_length=200)
    role: str = Field(max_length=16)  # doctor, manager, support, admin
    speciality: str | None = Field(default=None, max_length=100)
    active_for_ai_booking: bool = Field(default=False)
    alert_phone: str | None = Field(default=None, max_length=32)
    calendar_id: str | None = Field(default=None, max_length=254)
    color: str | None = Field(default=None, max_length=16)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class ApiKey(SQLModel, table=True):
    """A per-clinic integration key; only its SHA-256 is stored."""

    __tablename__ = "api_key"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class StaffSession(SQLModel, table=True):
    """A portal login; only the token's SHA-256 is stored."""

    __tablename__ = "staff_session"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="staff_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class EscalationContact(SQLModel, table=True):
    """Who is alerted for emergencies and escalations, and on which channels."""

    __tablename__ = "escalation_contact"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    name: str = Field(max_length=200)
    whatsapp_phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    channels: list[str] = Field(default_factory=lambda: ["whatsapp"], sa_column=json_column())
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
