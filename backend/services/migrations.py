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


SEARCH_OBJECTS = ("message_fts", "ix_message_body_fts")
"""Chat search objects made by raw SQL in migration 0002, outside the SQLModel metadata."""


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic filter: leaves the chat search table/index (and FTS5's shadow tables) alone."""
    if type_ in ("table", "index") and name:
        return not any(name == obj or name.startswith(obj + "_") for obj in SEARCH_OBJECTS)
    return True
