"""A clinic's Google account and each doctor's calendar in it (calendar sync, optional)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Index, UniqueConstraint
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

    `sync_token`, `busy_polled_at` and `busy_resynced_at` are the poll's
    (`calendar_sync.inbound`): where reading changes back resumes, when it last
    did (the sweep polls the least recent first) and when it last read the whole
    calendar again. The channel fields are push's (`calendar_sync.push`): the
    open `events.watch` channel, the calendar it watches, the highest message
    number accepted on it (older or repeated ones are ignored) and when the last
    notification was accepted.
    """

    __tablename__ = "doctor_calendar"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    doctor_id: uuid.UUID = Field(foreign_key="staff_user.id", unique=True, index=True)
    calendar_id: str = Field(max_length=300)
    sync_token: str | None = Field(default=None, max_length=500)
    channel_id: str | None = Field(default=None, max_length=100, index=True)
    channel_resource_id: str | None = Field(default=None, max_length=200)
    channel_token: str | None = Field(default=None, max_length=200)
    channel_expires_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    channel_calendar_id: str | None = Field(default=None, max_length=300)
    channel_message_number: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, nullable=True)
    )
    push_notified_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    busy_polled_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    busy_resynced_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class CalendarBusyBlock(SQLModel, table=True):
    """Time a doctor's own Google Calendar event keeps busy; availability and booking subtract it.

    Read back from Google by `services.calendar_sync.inbound`; a recurring
    event has one row per occurrence (same `google_event_id`, its own start).
    All-day events are stored as the clinic's local day(s), in UTC.
    """

    __tablename__ = "calendar_busy_block"
    __table_args__ = (
        UniqueConstraint(
            "doctor_id", "google_event_id", "start_at", name="uq_calendar_busy_block_occurrence"
        ),
        Index("ix_calendar_busy_block_doctor_start", "doctor_id", "start_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    doctor_id: uuid.UUID = Field(foreign_key="staff_user.id")
    google_event_id: str = Field(max_length=1024)
    start_at: datetime = Field(sa_column=utc_column())
    end_at: datetime = Field(sa_column=utc_column())
    all_day: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
