"""a clinic's own Twilio (sub)account: its SID and its auth token, encrypted

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "twilio_account_sid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "twilio_auth_token_encrypted",
                sqlmodel.sql.sqltypes.AutoString(length=500),
                nullable=True,
            )
        )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+ has it): a batch rebuild would drop and recreate
    # `tenant`, which every other table references.
    op.drop_column("tenant", "twilio_auth_token_encrypted")
    op.drop_column("tenant", "twilio_account_sid")
