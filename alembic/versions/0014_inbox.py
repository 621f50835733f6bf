"""the inbox: keyset pages, per-person read markers, assignment, notes, canned replies

`conversation` gains who it is assigned to. Its list index becomes
(tenant_id, last_message_at, id), so every page after the first starts where
the last one ended (keyset) instead of skipping rows; two partial indexes
serve the open conversations ("sin leer", emergencias, tomadas por el equipo)
and the assigned ones ("mías") without walking the closed history.

New tables: `conversation_read` (how far each staff member has read each
conversation), `conversation_note` (internal notes, never messages),
`conversation_assignment` (the audit trail of assignments) and
`canned_reply` (a clinic's saved answers).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from backend.models.types import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("is_open")
ASSIGNED = sa.text("assigned_to IS NOT NULL")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # added in place with its foreign key: for the key Alembic would rebuild
        # `conversation` (copy, drop, rename), a table messages and holds refer to
        op.execute(
            "ALTER TABLE conversation ADD COLUMN assigned_to CHAR(32) REFERENCES staff_user (id)"
        )
    else:
        op.add_column(
            "conversation",
            sa.Column("assigned_to", sa.Uuid(), sa.ForeignKey("staff_user.id"), nullable=True),
        )
    op.add_column("conversation", sa.Column("assigned_at", UTCDateTime(), nullable=True))
    op.create_index("ix_conversation_inbox", "conversation", ["tenant_id", "last_message_at", "id"])
    op.drop_index("ix_conversation_tenant_last", table_name="conversation")
    op.create_index(
        "ix_conversation_inbox_open",
        "conversation",
        ["tenant_id", "last_message_at", "id"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    op.create_index(
        "ix_conversation_inbox_assigned",
        "conversation",
        ["tenant_id", "assigned_to", "last_message_at", "id"],
        postgresql_where=ASSIGNED,
        sqlite_where=ASSIGNED,
    )
    op.create_table(
        "conversation_read",
        sa.Column("staff_user_id", sa.Uuid(), sa.ForeignKey("staff_user.id"), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), sa.ForeignKey("conversation.id"), nullable=False),
        sa.Column("last_read_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("staff_user_id", "conversation_id"),
    )
    op.create_table(
        "conversation_note",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_id", sa.Uuid(), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), sa.ForeignKey("conversation.id"), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), sa.ForeignKey("staff_user.id"), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_conversation_note_tenant_id", "conversation_note", ["tenant_id"])
    op.create_index(
        "ix_conversation_note_conversation", "conversation_note", ["conversation_id", "created_at"]
    )
    op.create_table(
        "conversation_assignment",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_id", sa.Uuid(), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), sa.ForeignKey("conversation.id"), nullable=False),
        sa.Column("assigned_to", sa.Uuid(), sa.ForeignKey("staff_user.id"), nullable=True),
        sa.Column("assigned_by", sa.Uuid(), sa.ForeignKey("staff_user.id"), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_conversation_assignment_tenant_id", "conversation_assignment", ["tenant_id"]
    )
    op.create_index(
        "ix_conversation_assignment_conversation",
        "conversation_assignment",
        ["conversation_id", "at"],
    )
    op.create_table(
        "canned_reply",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_id", sa.Uuid(), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("shortcut", sa.String(32), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("tenant_id", "shortcut", name="uq_canned_reply_shortcut"),
    )
    op.create_index("ix_canned_reply_tenant_id", "canned_reply", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("canned_reply")
    op.drop_table("conversation_assignment")
    op.drop_table("conversation_note")
    op.drop_table("conversation_read")
    op.drop_index("ix_conversation_inbox_assigned", table_name="conversation")
    op.drop_index("ix_conversation_inbox_open", table_name="conversation")
    op.create_index("ix_conversation_tenant_last", "conversation", ["tenant_id", "last_message_at"])
    op.drop_index("ix_conversation_inbox", table_name="conversation")
    with op.batch_alter_table("conversation") as batch:
        batch.drop_column("assigned_at")
        batch.drop_column("assigned_to")
