"""WhatsApp conversations (with the assistant's state) and their messages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.core.clock import utcnow
from backend.models.types import json_column, utc_column


class Conversation(SQLModel, table=True):
    """One thread with a client phone; at most one open per phone per clinic."""

    __table_args__ = (
        sa.Index(
            "uq_conversation_open_phone",
            "tenant_id",
            "client_phone",
            unique=True,
            postgresql_where=sa.text("is_open"),
            sqlite_where=sa.text("is_open"),
        ),
        # the inbox's keyset pages, newest activity first (migration 0014)
        sa.Index("ix_conversation_inbox", "tenant_id", "last_message_at", "id"),
        sa.Index(
            "ix_conversation_inbox_open",
            "tenant_id",
            "last_message_at",
            "id",
            postgresql_where=sa.text("is_open"),
            sqlite_where=sa.text("is_open"),
        ),
        sa.Index(
            "ix_conversation_inbox_assigned",
            "tenant_id",
            "assigned_to",
            "last_message_at",
            "id",
            postgresql_where=sa.text("assigned_to IS NOT NULL"),
            sqlite_where=sa.text("assigned_to IS NOT NULL"),
        ),
        sa.Index(
            "ix_conversation_timeout",
            "timeout_at",
            postgresql_where=sa.text("is_open"),
            sqlite_where=sa.text("is_open"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id")
    client_id: uuid.UUID | None = Field(default=None, foreign_key="client.id", index=True)
    client_phone: str = Field(max_length=20)
    channel: str = Field(default="whatsapp", max_length=16)
    type: str = Field(default="inbound", max_length=16)  # inbound, follow_up, reminder
    state: str = Field(default="IDLE", max_length=32)
    state_data: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    last_state_change: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    timeout_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    follow_up_id: uuid.UUID | None = Field(default=None)
    emergency_id: uuid.UUID | None = Field(default=None)
    taken_over_by: uuid.UUID | None = Field(default=None, foreign_key="staff_user.id")
    taken_over_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # the staff member the inbox shows it to ("Mías"); history in conversation_assignment
    assigned_to: uuid.UUID | None = Field(default=None, foreign_key="staff_user.id")
    assigned_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    is_open: bool = Field(default=True)
    started_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    closed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_message_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    last_inbound_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_message_preview: str | None = Field(default=None, max_length=200)


class Message(SQLModel, table=True):
    """A WhatsApp message in or out. Inbound ones are stored before any processing."""

    __table_args__ = (
        sa.Index("ix_message_conversation_created", "conversation_id", "created_at"),
        sa.Index(
            "ix_message_inbound_pending",
            "tenant_id",
            "from_phone",
            "created_at",
            postgresql_where=sa.text("processed_at IS NULL AND direction = 'inbound'"),
            sqlite_where=sa.text("processed_at IS NULL AND direction = 'inbound'"),
        ),
        sa.Index(  # the workers' resubmission sweep (migration 0003)
            "ix_message_outbound_queued",
            "created_at",
            postgresql_where=sa.text("status = 'queued' AND direction = 'outbound'"),
            sqlite_where=sa.text("status = 'queued' AND direction = 'outbound'"),
        ),
        sa.Index(  # the stuck-message recovery: claims older than a lease (migration 0007)
            "ix_message_outbound_sending",
            "status_updated_at",
            postgresql_where=sa.text("status = 'sending' AND direction = 'outbound'"),
            sqlite_where=sa.text("status = 'sending' AND direction = 'outbound'"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    conversation_id: uuid.UUID | None = Field(default=None, foreign_key="conversation.id")
    direction: str = Field(max_length=8)  # inbound, outbound
    author: str = Field(max_length=16)  # client, assistant, staff, system
    author_user_id: uuid.UUID | None = Field(default=None)
    from_phone: str = Field(max_length=40)
    to_phone: str = Field(max_length=40)
    body: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    media: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column())
    provider_sid: str | None = Field(default=None, max_length=64, unique=True)
    # WhatsApp's display name of the sender (Twilio's ProfileName), inbound only
    profile_name: str | None = Field(default=None, max_length=100)
    status: str = Field(default="received", max_length=16)
    error_code: str | None = Field(default=None, max_length=16)
    template_sid: str | None = Field(default=None, max_length=64)
    attempts: int = Field(default=0)  # delivery attempts of an outbound message
    processed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    # when the status last changed; for a message `sending`, when it was claimed
    status_updated_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class SlotHold(SQLModel, table=True):
    """A slot offered in a chat, held briefly so two chats are not offered the same time."""

    __tablename__ = "slot_hold"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    doctor_id: uuid.UUID = Field(foreign_key="staff_user.id", index=True)
    conversation_id: uuid.UUID = Field(foreign_key="conversation.id", index=True)
    start_at: datetime = Field(sa_column=utc_column())
    end_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column(index=True))
