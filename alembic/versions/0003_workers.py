"""workers (owned by the workers work)

Background work needs no new tables (outbox, processed events, dead letters,
reminders and follow-ups came with 0001). This adds the index the
resubmission sweep reads every 30 seconds: outbound messages still queued.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUED = "status = 'queued' AND direction = 'outbound'"


def upgrade() -> None:
    # plain CREATE INDEX (no batch mode): SQLite must not rebuild `message`, whose
    # full-text triggers from 0002 would be lost
    op.create_index(
        "ix_message_outbound_queued",
        "message",
        ["created_at"],
        unique=False,
        postgresql_where=sa.text(QUEUED),
        sqlite_where=sa.text(QUEUED),
    )


def downgrade() -> None:
    op.drop_index("ix_message_outbound_queued", table_name="message")
