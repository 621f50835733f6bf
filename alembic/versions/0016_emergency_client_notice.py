"""what the client of an emergency has been told about the vet's alert

`emergency_event.client_notice` records whether the client heard that the
alert reached the vet ("notified") or that it could not ("unreachable"), so
the assistant says each at most once and only after the delivery's outcome.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("emergency_event") as batch:
        batch.add_column(
            sa.Column("client_notice", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("emergency_event") as batch:
        batch.drop_column("client_notice")
