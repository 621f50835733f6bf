"""calendar review: appointments a change in Google left for a person

A move of our event in Google that the booking rules refuse, or its deletion,
is not applied: the appointment keeps its time and records why it needs a
person (`calendar_review_reason`), since when, and Google's proposed time
(`calendar_review_start` / `_end`, UTC; none for a deletion).

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN: a batch copy of the table would lose its triggers (SQLite)
    op.add_column(
        "appointment",
        sa.Column(
            "calendar_review_reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True
        ),
    )
    op.add_column(
        "appointment", sa.Column("calendar_review_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "appointment",
        sa.Column("calendar_review_start", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "appointment", sa.Column("calendar_review_end", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("appointment", "calendar_review_end")
    op.drop_column("appointment", "calendar_review_start")
    op.drop_column("appointment", "calendar_review_at")
    op.drop_column("appointment", "calendar_review_reason")
