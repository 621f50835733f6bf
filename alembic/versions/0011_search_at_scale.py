"""chat and client search that stays fast at millions of messages

PostgreSQL: each message keeps its search vector in a stored generated column
(`search_vector`), so a match is never recomputed from the body, and ANALYZE
collects statistics on it that tell a rare word from a common one; one GIN
index over (tenant_id, search_vector) (btree_gin) answers "this clinic's
messages with these words" without touching other clinics' rows. Trigram
indexes (pg_trgm) serve substring search of client and pet names and of
phone digits; one more index lists a clinic's clients by name. The expression index of migration 0002 is dropped: nothing
queries it any more.

SQLite keeps the FTS5 table of migration 0002, which already answers prefix
queries; nothing changes there.

Adding a stored column rewrites `message` under an exclusive lock: on a large
table, run this migration in a quiet hour (docs/OPERATIONS.md).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE_PG = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    ALTER TABLE message ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, vetassist_unaccent(body))) STORED
    """,
    "CREATE INDEX ix_message_search ON message USING gin (tenant_id, search_vector)",
    "DROP INDEX IF EXISTS ix_message_body_fts",
    """
    CREATE INDEX ix_client_name_search ON client
    USING gin (vetassist_unaccent(lower(name)) gin_trgm_ops)
    """,
    "CREATE INDEX ix_client_phone_search ON client USING gin (phone gin_trgm_ops)",
    """
    CREATE INDEX ix_client_name_order ON client
    (tenant_id, (name IS NULL), (vetassist_unaccent(lower(name)) COLLATE "C"), phone)
    """,
    """
    CREATE INDEX ix_pet_name_search ON pet
    USING gin (vetassist_unaccent(lower(name)) gin_trgm_ops)
    """,
    """
    CREATE INDEX ix_conversation_phone_search ON conversation
    USING gin (client_phone gin_trgm_ops)
    """,
    "ANALYZE message",
]

DOWNGRADE_PG = [
    "DROP INDEX IF EXISTS ix_conversation_phone_search",
    "DROP INDEX IF EXISTS ix_pet_name_search",
    "DROP INDEX IF EXISTS ix_client_name_order",
    "DROP INDEX IF EXISTS ix_client_phone_search",
    "DROP INDEX IF EXISTS ix_client_name_search",
    """
    CREATE INDEX ix_message_body_fts ON message
    USING gin (to_tsvector('simple'::regconfig, vetassist_unaccent(body)))
    """,
    "DROP INDEX IF EXISTS ix_message_search",
    "ALTER TABLE message DROP COLUMN IF EXISTS search_vector",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in UPGRADE_PG:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWNGRADE_PG:
            op.execute(statement)
