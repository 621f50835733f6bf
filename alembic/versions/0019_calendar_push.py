"""calendar push: Google's notification channel per doctor calendar

`doctor_calendar.channel_calendar_id` is the calendar the open `events.watch`
channel watches (a doctor moved to another calendar gets a new channel);
`channel_message_number` the highest X-Goog-Message-Number accepted on it,
so repeated or late notifications are ignored; `push_notified_at` when the
last one was accepted. Notifications find their row by `channel_id` (indexed).

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("doctor_calendar") as batch:
        batch.add_column(
            sa.Column(
                "channel_calendar_id",
                sqlmodel.sql.sqltypes.AutoString(length=300),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("channel_message_number", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("push_notified_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_doctor_calendar_channel_id", "doctor_calendar", ["channel_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_doctor_calendar_channel_id", table_name="doctor_calendar")
    with op.batch_alter_table("doctor_calendar") as batch:
        batch.drop_column("push_notified_at")
        batch.drop_column("channel_message_number")
        batch.drop_column("channel_calendar_id")
