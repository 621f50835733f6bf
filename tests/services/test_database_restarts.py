"""A PostgreSQL restart costs no failed operation: dead pooled connections are replaced before use.

Each test gets its own database, fills the backend's pool, then ends every
connection of it from the server side (`pg_terminate_backend`, what a restart
or a failover does to the pool) and checks the very next operations succeed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

from backend.api.main import create_app
from backend.core import db as core_db
from backend.core.db import session_scope
from tests.conftest import TEST_POSTGRES_URL, _create_pg_database, _drop_pg_database

POOLED = 3


@pytest.fixture
def private_pg() -> Iterator[Engine]:
    url, name = _create_pg_database()
    engine = core_db.make_engine(url)
    core_db.set_engine(engine)
    try:
        yield engine
    finally:
        core_db.set_engine(None)
        engine.dispose()
        _drop_pg_database(name)


def _backend_pid(*, write: bool) -> int:
    with session_scope(write=write, read_only=not write) as session:
        return int(session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _fill_pool(engine: Engine) -> set[int]:
    """Opens POOLED connections at once and returns them to the pool; their server pids."""
    with ExitStack() as stack:
        sessions = [stack.enter_context(session_scope(write=True)) for _ in range(POOLED)]
        pids = {
            int(s.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
            for s in sessions
        }
    assert engine.pool.checkedin() == POOLED  # type: ignore[attr-defined]
    return pids


def _terminate_every_connection(engine: Engine) -> int:
    """Ends every server process of the engine's database, as a restart would; waits until gone."""
    admin = create_engine(
        make_url(core_db.normalize_url(TEST_POSTGRES_URL)), isolation_level="AUTOCOMMIT"
    )
    database = engine.url.database
    try:
        with admin.connect() as conn:
            ended = conn.execute(
                text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                    "FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": database},
            ).scalar_one()
            deadline = time.monotonic() + 10
            while conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name"),
                {"name": database},
            ).scalar_one():
                assert time.monotonic() < deadline, "terminated backends did not go away"
                time.sleep(0.02)
    finally:
        admin.dispose()
    return int(ended)


def test_operations_after_every_pooled_connection_was_terminated_succeed_first_time(private_pg):
    # given: a full pool whose every connection the server then ends
    killed = _fill_pool(private_pg)
    assert _terminate_every_connection(private_pg) == POOLED
    # when: the next operations, reads and writes, each tried once
    pids = [_backend_pid(write=write) for write in (True, False, True, False)]
    # then: none failed, and none ran on a dead connection
    assert not killed & set(pids)


def test_health_check_answers_ready_right_after_a_database_restart(private_pg):
    # given
    _fill_pool(private_pg)
    _terminate_every_connection(private_pg)
    http = TestClient(create_app())  # no lifespan: no wiring or sweeps needed for the probe
    # when
    answers = [http.get(path) for path in ("/healthz", "/readyz") for _ in range(POOLED + 1)]
    # then
    assert [a.status_code for a in answers] == [200] * 2 * (POOLED + 1)
    assert all(a.json()["status"] == "ok" for a in answers)
