"""calendar sync: a clinic's Google account, each doctor's calendar, what Google shows

`google_connection` keeps the clinic's refresh token (encrypted) and whether
Google still accepts it; `doctor_calendar` says which calendar a doctor's
appointments go to; `appointment.calendar_synced_version` / `_at` / `_to` record
which version of the appointment the calendar event shows, since when, and in
which calendar (so a change of doctor moves the event instead of copying it).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "google_connection",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("account_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column(
            "refresh_token_encrypted",
            sqlmodel.sql.sqltypes.AutoString(length=2000),
            nullable=False,
        ),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("broken_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_google_connection_tenant_id", "google_connection", ["tenant_id"], unique=True
    )
    op.create_table(
        "doctor_calendar",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("doctor_id", sa.Uuid(), nullable=False),
        sa.Column("calendar_id", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("sync_token", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column(
            "channel_resource_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
        ),
        sa.Column("channel_token", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("channel_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["doctor_id"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_doctor_calendar_tenant_id", "doctor_calendar", ["tenant_id"], unique=False)
    op.create_index("ix_doctor_calendar_doctor_id", "doctor_calendar", ["doctor_id"], unique=True)
    with op.batch_alter_table("appointment") as batch:
        batch.add_column(sa.Column("calendar_synced_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("calendar_synced_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column(
                "calendar_synced_to", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True
            )
        )


def downgrade() -> None:
    # plain DROP COLUMN (SQLite >= 3.35): a batch copy of the table would lose its triggers
    op.drop_column("appointment", "calendar_synced_to")
    op.drop_column("appointment", "calendar_synced_at")
    op.drop_column("appointment", "calendar_synced_version")
    op.drop_index("ix_doctor_calendar_doctor_id", table_name="doctor_calendar")
    op.drop_index("ix_doctor_calendar_tenant_id", table_name="doctor_calendar")
    op.drop_table("doctor_calendar")
    op.drop_index("ix_google_connection_tenant_id", table_name="google_connection")
    op.drop_table("google_connection")
