"""What staff keep about the inbox beside the WhatsApp messages themselves.

None of these rows is a `Message`: a note or a canned reply waiting in a
dialog can never reach the client, the assistant's history or the clinic's
message counts by mistake.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.core.clock import utcnow
from backend.models.types import utc_column


class ConversationRead(SQLModel, table=True):
    """How far one staff member has read one conversation ("sin leer" is per person)."""

    __tablename__ = "conversation_read"

    staff_user_id: uuid.UUID = Field(foreign_key="staff_user.id", primary_key=True)
    conversation_id: uuid.UUID = Field(foreign_key="conversation.id", primary_key=True)
    last_read_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class ConversationNote(SQLModel, table=True):
    """An internal note in a thread: staff see it, the client and the assistant never do."""

    __tablename__ = "conversation_note"
    __table_args__ = (
        sa.Index("ix_conversation_note_conversation", "conversation_id", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    conversation_id: uuid.UUID = Field(foreign_key="conversation.id")
    author_user_id: uuid.UUID | None = Field(default=None, foreign_key="staff_user.id")
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class ConversationAssignment(SQLModel, table=True):
    """The audit trail of who assigned a conversation to whom (None: unassigned)."""

    __tablename__ = "conversation_assignment"
    __table_args__ = (sa.Index("ix_conversation_assignment_conversation", "conversation_id", "at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    conversation_id: uuid.UUID = Field(foreign_key="conversation.id")
    assigned_to: uuid.UUID | None = Field(default=None, foreign_key="staff_user.id")
    assigned_by: uuid.UUID | None = Field(default=None, foreign_key="staff_user.id")
    at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class CannedReply(SQLModel, table=True):
    """A clinic's saved answer, offered by its shortcut when staff type "/" in a reply."""

    __tablename__ = "canned_reply"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "shortcut", name="uq_canned_reply_shortcut"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    shortcut: str = Field(max_length=32)
    title: str = Field(max_length=100)
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
