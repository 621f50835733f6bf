"""chat search and assistant (owned by the assistant work)

Accent-insensitive word search over messages: on PostgreSQL a GIN index over
`to_tsvector('simple', vetassist_unaccent(body))` (unaccent() is only STABLE,
so an IMMUTABLE wrapper with the dictionary named explicitly makes it
indexable); on SQLite an FTS5 table kept in step by triggers. Neither is part
of the SQLModel metadata (see `backend.services.migrations.include_name`).

Also: delivery attempts on messages, the message behind a WhatsApp alert
delivery, and an index for "unprocessed inbound messages of this phone".

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    CREATE OR REPLACE FUNCTION vetassist_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
    """,
    """
    CREATE INDEX ix_message_body_fts ON message
    USING gin (to_tsvector('simple'::regconfig, vetassist_unaccent(body)))
    """,
]

SQLITE_SEARCH = [
    """
    CREATE VIRTUAL TABLE message_fts USING fts5(
        message_id UNINDEXED, conversation_id UNINDEXED, tenant_id UNINDEXED, body,
        tokenize = "unicode61 remove_diacritics 2"
    )
    """,
    """
    CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN
        INSERT INTO message_fts (message_id, conversation_id, tenant_id, body)
        VALUES (new.id, new.conversation_id, new.tenant_id, new.body);
    END
    """,
    """
    CREATE TRIGGER message_fts_update AFTER UPDATE OF body, conversation_id ON message BEGIN
        DELETE FROM message_fts WHERE message_id = old.id;
        INSERT INTO message_fts (message_id, conversation_id, tenant_id, body)
        VALUES (new.id, new.conversation_id, new.tenant_id, new.body);
    END
    """,
    """
    CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN
        DELETE FROM message_fts WHERE message_id = old.id;
    END
    """,
    """
    INSERT INTO message_fts (message_id, conversation_id, tenant_id, body)
    SELECT id, conversation_id, tenant_id, body FROM message
    """,
]


def upgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index(
            "ix_message_inbound_pending",
            ["tenant_id", "from_phone", "created_at"],
            unique=False,
            postgresql_where=sa.text("processed_at IS NULL AND direction = 'inbound'"),
            sqlite_where=sa.text("processed_at IS NULL AND direction = 'inbound'"),
        )
    with op.batch_alter_table("alert_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.Uuid(), nullable=True))
        batch_op.create_index("ix_alert_delivery_message_id", ["message_id"], unique=False)

    bind = op.get_bind()
    statements = PG_SEARCH if bind.dialect.name == "postgresql" else SQLITE_SEARCH
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_message_body_fts")
        op.execute("DROP FUNCTION IF EXISTS vetassist_unaccent(text)")
    else:
        for trigger in ("message_fts_insert", "message_fts_update", "message_fts_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS message_fts")
    with op.batch_alter_table("alert_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_delivery_message_id")
        batch_op.drop_column("message_id")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_inbound_pending")
        batch_op.drop_column("attempts")
