"""One-time links that let a person set their portal password (invitation or reset)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from backend.core.clock import utcnow
from backend.models.types import utc_column


class StaffInvite(SQLModel, table=True):
    """A set-password link for one staff user; only the token's SHA-256 is stored.

    A link works once (`used_at`) and until `expires_at`; a newer link for the same
    user replaces the older ones (`revoked_at`).
    """

    __tablename__ = "staff_invite"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="staff_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    purpose: str = Field(max_length=16)  # invite, reset
    created_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
