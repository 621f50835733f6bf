"""the index the stuck-message recovery reads: outbound messages still `sending`

A claimed message's `status_updated_at` is its claim time, so no new column
is needed; the recovery sweep looks every minute for claims older than a
lease, and this partial index keeps that to the few rows in `sending`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SENDING = "status = 'sending' AND direction = 'outbound'"


def upgrade() -> None:
    # plain CREATE INDEX (no batch mode): SQLite must not rebuild `message`, whose
    # full-text triggers from 0002 would be lost
    op.create_index(
        "ix_message_outbound_sending",
        "message",
        ["status_updated_at"],
        unique=False,
        postgresql_where=sa.text(SENDING),
        sqlite_where=sa.text(SENDING),
    )


def downgrade() -> None:
    op.drop_index("ix_message_outbound_sending", table_name="message")
