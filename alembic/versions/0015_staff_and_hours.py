"""staff and hours: set-password links, clinic closures, emergency on-call rota

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_invite",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_staff_invite_tenant_id", "staff_invite", ["tenant_id"], unique=False)
    op.create_index("ix_staff_invite_user_id", "staff_invite", ["user_id"], unique=False)
    op.create_index("ix_staff_invite_token_hash", "staff_invite", ["token_hash"], unique=True)

    op.create_table(
        "clinic_closure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_clinic_closure_tenant_id", "clinic_closure", ["tenant_id"], unique=False)

    op.create_table(
        "on_call_shift",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("doctor_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("start", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("end", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["doctor_id"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_on_call_shift_tenant_id", "on_call_shift", ["tenant_id"], unique=False)
    op.create_index("ix_on_call_shift_doctor_id", "on_call_shift", ["doctor_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_on_call_shift_doctor_id", table_name="on_call_shift")
    op.drop_index("ix_on_call_shift_tenant_id", table_name="on_call_shift")
    op.drop_table("on_call_shift")
    op.drop_index("ix_clinic_closure_tenant_id", table_name="clinic_closure")
    op.drop_table("clinic_closure")
    op.drop_index("ix_staff_invite_token_hash", table_name="staff_invite")
    op.drop_index("ix_staff_invite_user_id", table_name="staff_invite")
    op.drop_index("ix_staff_invite_tenant_id", table_name="staff_invite")
    op.drop_table("staff_invite")
