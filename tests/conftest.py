"""Test databases: every database test runs on SQLite and on PostgreSQL.

Each test session gets its own PostgreSQL database (created from the server
named by TEST_POSTGRES_URL, default the local `test` database) and its own
SQLite file, both built by the Alembic migrations. Tables are emptied after
each test.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

import backend.models  # noqa: F401
from backend import wiring
from backend.core import db as core_db
from backend.core import row_cache
from backend.core.clock import clock
from backend.services import migrations
from backend.services.clinics import clinic_directory

TEST_POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgres"]


def _create_pg_database() -> tuple[str, str]:
    admin_url = make_url(core_db.normalize_url(TEST_POSTGRES_URL))
    name = f"va_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False), name


def _drop_pg_database(name: str) -> None:
    admin = create_engine(
        make_url(core_db.normalize_url(TEST_POSTGRES_URL)), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def engines() -> Iterator[dict[str, Engine]]:
    tmpdir = tempfile.mkdtemp(prefix="vetassist-test-")
    sqlite_engine = core_db.make_engine(f"sqlite:///{tmpdir}/test.db")
    pg_url, pg_name = _create_pg_database()
    pg_engine = core_db.make_engine(pg_url)
    built = {"sqlite": sqlite_engine, "postgres": pg_engine}
    for engine in built.values():
        migrations.upgrade(engine)
    yield built
    for engine in built.values():
        engine.dispose()
    _drop_pg_database(pg_name)
    shutil.rmtree(tmpdir, ignore_errors=True)


def _pg_tables_used(conn, tables: list[str]) -> list[str]:
    """Tables holding rows or whose id sequence has been drawn from: truncating only those
    (one query to find them) costs a fraction of truncating every table after each test."""
    with_rows = conn.execute(
        text(
            " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
        )
    ).scalars()
    drawn = conn.execute(
        text(
            "SELECT DISTINCT t.relname FROM pg_sequences s "
            "JOIN pg_class q ON q.relname = s.sequencename AND q.relkind = 'S' "
            "JOIN pg_depend d ON d.objid = q.oid AND d.deptype IN ('a', 'i') "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "WHERE s.schemaname = current_schema() AND s.last_value IS NOT NULL"
        )
    ).scalars()
    return sorted(set(with_rows) | (set(drawn) & set(tables)))


def _empty_tables(engine: Engine) -> None:
    clinic_directory.forget_cached_numbers()
    row_cache.forget_all()
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            used = _pg_tables_used(conn, tables)
            if used:
                conn.execute(
                    text(
                        "TRUNCATE "
                        + ", ".join(f'"{t}"' for t in used)
                        + " RESTART IDENTITY CASCADE"
                    )
                )
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture(autouse=True)
def job_runner() -> Iterator[None]:
    """Jobs run in-process after commit, as in the embedded app; outbox events wait for
    the relay a test runs itself (tests that want the eager relay call `wiring.install()`)."""
    wiring.install(relay_outbox_after_commit=False)
    yield
    wiring.install(relay_outbox_after_commit=False)


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, engines: dict[str, Engine]) -> Iterator[Engine]:
    """The backend pointed at a clean database; parametrised over SQLite and PostgreSQL."""
    engine = engines[request.param]
    core_db.set_engine(engine)
    try:
        yield engine
    finally:
        core_db.set_engine(None)
        _empty_tables(engine)


@pytest.fixture
def pg(engines: dict[str, Engine]) -> Iterator[Engine]:
    """PostgreSQL only (concurrency tests that need a real server)."""
    engine = engines["postgres"]
    core_db.set_engine(engine)
    try:
        yield engine
    finally:
        core_db.set_engine(None)
        _empty_tables(engine)


FROZEN_NOW = datetime(2027, 1, 28, 15, 0, tzinfo=UTC)  # Thursday 10:00 in Bogotá


@pytest.fixture
def frozen_clock() -> Iterator[datetime]:
    clock.freeze(FROZEN_NOW)
    try:
        yield FROZEN_NOW
    finally:
        clock.unfreeze()
