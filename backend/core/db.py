"""The one database engine and the session scopes everything uses.

SQLite (embedded default) runs in WAL mode; write transactions start with
`BEGIN IMMEDIATE`, so concurrent writers are serialised by the database itself.
PostgreSQL uses a regular pool whose connections are checked when taken out:
after a server restart (or a terminated backend) a dead connection is replaced
before any request uses it (`_refuse_closed_by_server`, a local poll, no round
trip).
"""

from __future__ import annotations

import functools
import select
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from anyio import to_thread
from sqlalchemy import event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, create_engine

from backend.core.config import settings


def normalize_url(url: str) -> str:
    """Accepts `postgresql://` and `postgres://` and picks the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_pre_ping=False
        )
        _configure_sqlite(engine)
        return engine
    engine = create_engine(
        url,
        pool_size=settings.DB_POOL_SIZE,
        max_overflow=settings.DB_MAX_OVERFLOW,
        # PgBouncer (transaction mode, before 1.21) hands each transaction any server
        # connection, where a statement psycopg prepared on another does not exist.
        connect_args={} if settings.DB_PREPARED_STATEMENTS else {"prepare_threshold": None},
    )
    event.listen(engine, "checkout", _refuse_closed_by_server)
    return engine


def _refuse_closed_by_server(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """A pooled connection the server ended (restart, failover, terminated backend) is
    replaced before anything uses it, without a round trip.

    An idle connection has nothing to read: when the server ends it, it sends its
    termination notice and closes the socket, which then reads as ready. Checking that
    costs one local `poll`, where a ping (pool_pre_ping) cost a round trip on every
    checkout, a third of a webhook's. Raising `DisconnectionError` makes the pool drop
    the connection and hand out another (or a new one).
    """
    poller = select.poll()
    poller.register(dbapi_conn.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    if poller.poll(0):
        raise sa.exc.DisconnectionError("the server closed this pooled connection")


def _ensure_sqlite_folder(url: str) -> None:
    """Creates the folder of a SQLite file (the default lives in a `data/` folder a clone lacks)."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        mode = "IMMEDIATE" if conn.get_execution_options().get("sqlite_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


_engine: Engine | None = None


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = make_engine(settings.DATABASE_URL)
    return _engine


def set_engine(engine: Engine | None) -> None:
    """Points the whole backend at another database (tests, benchmarks)."""
    global _engine
    _engine = engine


def is_postgres(engine: Engine | None = None) -> bool:
    return (engine or get_engine()).dialect.name == "postgresql"


@contextmanager
def session_scope(*, write: bool = False, read_only: bool = False) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on error.

    On SQLite the unit takes the write lock at BEGIN (`BEGIN IMMEDIATE`), so
    read-check-write sequences cannot interleave with another writer and
    waits replace "database is locked" errors; `write=True` documents intent.
    `read_only=True` reads without the lock on SQLite and without
    BEGIN/COMMIT on PostgreSQL (autocommit); never write in such a scope.
    """
    engine = get_engine()
    bind: Engine = engine
    if read_only:
        if engine.dialect.name == "postgresql":
            bind = engine.execution_options(isolation_level="AUTOCOMMIT")
    else:
        # On SQLite every non-read-only unit takes the write lock at BEGIN: a
        # deferred transaction that writes late can fail with "database is
        # locked" instead of waiting. PostgreSQL ignores the option.
        bind = engine.execution_options(sqlite_write=True)
    session = Session(bind=bind, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def add_unless_exists(
    session: Session,
    instance: Any,
    *,
    unique: Sequence[str],
    where: str | None = None,
) -> bool:
    """Inserts `instance`'s row unless a row with the same unique key exists, then makes
    it the session's own; False (nothing written, the instance left alone) when the row
    existed.

    One `INSERT … ON CONFLICT DO NOTHING` on both databases: a concurrent insert of
    the same key is settled by the database, with no savepoint to set and release and
    no error to recover from. `where` is the SQL predicate of a partial unique index.
    """
    mapper = sa.inspect(type(instance))
    values = {prop.columns[0].key: getattr(instance, prop.key) for prop in mapper.column_attrs}
    statement = _insert_unless_exists(
        mapper.local_table,
        tuple(unique),
        where,
        is_postgres(session.get_bind()),  # type: ignore[arg-type]
    )
    if session.execute(statement, values).first() is None:
        return False
    make_transient_to_detached(instance)
    session.add(instance)
    return True


@functools.cache
def _insert_unless_exists(
    table: sa.Table, unique: tuple[str, ...], where: str | None, postgres: bool
) -> Any:
    """The statement of `add_unless_exists`, built once per shape: its values are
    parameters, so SQLAlchemy neither coerces them nor keys its cache on each one."""
    dialect = postgresql if postgres else sqlite
    return (
        dialect.insert(table)
        .on_conflict_do_nothing(
            index_elements=list(unique), index_where=sa.text(where) if where else None
        )
        .returning(*table.primary_key.columns)
    )


def limit_threads_to_pool() -> None:
    """Caps the threads that serve requests at the connection pool (call in the event loop).

    Sync routes run on AnyIO's worker threads (40 by default); with more threads
    than pooled connections, the pool opens overflow connections under load and
    closes them as soon as they come back, a new PostgreSQL session (about 10 ms
    of server CPU) every few dozen requests. With as many threads as pooled
    connections, every request reuses one.
    """
    to_thread.current_default_thread_limiter().total_tokens = max(1, settings.DB_POOL_SIZE)


def ping() -> None:
    """One round trip to the database (the health check)."""
    with session_scope(read_only=True) as session:
        session.connection().exec_driver_sql("SELECT 1")
