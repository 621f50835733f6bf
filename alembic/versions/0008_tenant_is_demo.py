"""clinics marked as demo (the WhatsApp sandbox works there in production)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute("UPDATE tenant SET is_demo = true WHERE slug = 'demo'")


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+ has it): a batch rebuild would drop and recreate
    # `tenant`, which every other table references.
    op.drop_column("tenant", "is_demo")
