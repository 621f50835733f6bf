"""patient history: a pet's weight, its vaccines, and a client's other phones (merges)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pet", schema=None) as batch_op:
        batch_op.add_column(sa.Column("weight_kg", sa.Float(), nullable=True))

    op.create_table(
        "pet_vaccine",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("pet_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pet_id"], ["pet.id"]),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pet_vaccine_pet_id", "pet_vaccine", ["pet_id"])
    op.create_index("ix_pet_vaccine_tenant_id", "pet_vaccine", ["tenant_id"])

    op.create_table(
        "client_phone",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "phone", name="uq_client_phone_tenant_phone"),
    )
    op.create_index("ix_client_phone_client_id", "client_phone", ["client_id"])


def downgrade() -> None:
    op.drop_index("ix_client_phone_client_id", table_name="client_phone")
    op.drop_table("client_phone")
    op.drop_index("ix_pet_vaccine_tenant_id", table_name="pet_vaccine")
    op.drop_index("ix_pet_vaccine_pet_id", table_name="pet_vaccine")
    op.drop_table("pet_vaccine")
    with op.batch_alter_table("pet", schema=None) as batch_op:
        batch_op.drop_column("weight_kg")
