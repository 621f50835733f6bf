"""Applies Alembic migrations: the only way the schema is created."""

from __future__ import annotations

from alembic.config import Config
from sqlalchemy.engine import Engine

from alembic import command
from backend.core.config import PROJECT_ROOT
from backend.core.db import get_engine


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(engine: Engine | None = None) -> None:
    """Brings the database to the newest schema (every head)."""
    config = alembic_config()
    with (engine or get_engine()).connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
        connection.commit()


SEARCH_OBJECTS = (
    "message_fts",
    "ix_message_body_fts",
    "ix_message_search",
    "ix_client_name_search",
    "ix_client_phone_search",
    "ix_client_name_order",
    "ix_pet_name_search",
    "ix_conversation_phone_search",
)
"""Search objects made by raw SQL (migrations 0002 and 0011), outside the SQLModel metadata."""

SEARCH_COLUMNS = {("message", "search_vector")}
"""Stored search columns (migration 0011) that no model reads or writes."""


def include_name(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """Alembic filter: leaves the search tables, indexes and columns (and FTS5's shadow tables) alone."""
    if type_ in ("table", "index") and name:
        return not any(name == obj or name.startswith(obj + "_") for obj in SEARCH_OBJECTS)
    if type_ == "column":
        return (parent_names.get("table_name"), name) not in SEARCH_COLUMNS
    return True
