"""calendar busy: the doctor's own Google events that keep their time busy

`calendar_busy_block` holds one row per occurrence of a doctor's own event
(recurring events have several rows with the same `google_event_id`);
availability and booking subtract them. `doctor_calendar.busy_polled_at` lets
the poll sweep take the least recently polled calendars first;
`busy_resynced_at` says when the whole calendar was last read again.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_busy_block",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("doctor_id", sa.Uuid(), nullable=False),
        sa.Column("google_event_id", sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["doctor_id"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "doctor_id", "google_event_id", "start_at", name="uq_calendar_busy_block_occurrence"
        ),
    )
    op.create_index(
        "ix_calendar_busy_block_tenant_id", "calendar_busy_block", ["tenant_id"], unique=False
    )
    op.create_index(
        "ix_calendar_busy_block_doctor_start",
        "calendar_busy_block",
        ["doctor_id", "start_at"],
        unique=False,
    )
    with op.batch_alter_table("doctor_calendar") as batch:
        batch.add_column(sa.Column("busy_polled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("busy_resynced_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("doctor_calendar") as batch:
        batch.drop_column("busy_resynced_at")
        batch.drop_column("busy_polled_at")
    op.drop_index("ix_calendar_busy_block_doctor_start", table_name="calendar_busy_block")
    op.drop_index("ix_calendar_busy_block_tenant_id", table_name="calendar_busy_block")
    op.drop_table("calendar_busy_block")
