"""A clinic's Google account and each doctor's calendar in it (calendar sync, optional)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from backend.core.clock import utcnow
from backend.models.types import utc_column


class GoogleConnection(SQLModel, table=True):
    """The clinic's Google account; its refresh token is encrypted with SECRETS_KEY.

    `status` is "connected", "broken" (Google refused the token: the clinic
    must reconnect; nothing syncs meanwhile) or "disconnected".
    """

    __tablename__ = "google_connection"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", unique=True, index=True)
    account_email: str | None = Field(default=None, max_length=254)
    refresh_token_encrypted: str = Field(max_length=2000)
    status: str = Field(default="connected", max_length=16)
    broken_reason: str | None = Field(default=None, max_length=500)
    connected_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class DoctorCalendar(SQLModel, table=True):
    """Which Google calendar a doctor's appointments are written to.

    `sync_token` and the channel fields are for reading changes back (push or
    poll), which later work fills in.
    """

    __tablename__ = "doctor_calendar"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    doctor_id: uuid.UUID = Field(foreign_key="staff_user.id", unique=True, index=True)
    calendar_id: str = Field(max_length=300)
    sync_token: str | None = Field(default=None, max_length=500)
    channel_id: str | None = Field(default=None, max_length=100)
    channel_resource_id: str | None = Field(default=None, max_length=200)
    channel_token: str | None = Field(default=None, max_length=200)
    channel_expires_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
