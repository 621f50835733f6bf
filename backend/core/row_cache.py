"""Rows that rarely change but are read on every booking, kept per process for seconds.

A booking needs its clinic (time zone, hours, notice) and its doctor's
schedule; reading them costs a statement and an ORM load per request, while a
clinic edits them a few times a year. A `RowCache` keeps what a loader
returned for `ttl_s` seconds. A commit of this process that wrote one of the
cache's tables (through the ORM or a statement run by a Session) empties it
at once, so a change is seen here by the next request and by other processes
within the TTL, as the API keys' cache does (`clinics.auth`).

What is cached are detached instances shared by threads: read them, never
change them (a change goes through a Session's own copy).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

V = TypeVar("V")

_WRITTEN_KEY = "row_cache_written_tables"
_caches: list[RowCache[Any]] = []


class RowCache(Generic[V]):
    """Values by key for `ttl_s` seconds; emptied when this process commits a write to
    one of `tables`."""

    def __init__(self, *, tables: frozenset[str], ttl_s: float, max_entries: int = 10_000):
        self.tables = tables
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()
        _caches.append(self)

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        """The cached value of `key`, else `load()`'s (kept unless it raised)."""
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            self._entries[key] = (now + self._ttl_s, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def read_apart(session: Session, read: Callable[[Session], V]) -> V:
    """`read` run in a Session of its own on `session`'s connection (and transaction):
    what it loads belongs to no Session once it returns, so it can be cached and shared,
    and no second pooled connection is taken."""
    with Session(bind=session.connection(), expire_on_commit=False) as apart:
        return read(apart)


def forget_all() -> None:
    """Empties every cache (tests, and after changes made outside a Session)."""
    for cache in _caches:
        cache.clear()


def _note(session: Session, tables: set[str]) -> None:
    watched = {t for t in tables for cache in _caches if t in cache.tables}
    if watched:
        session.info.setdefault(_WRITTEN_KEY, set()).update(watched)


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _: Any) -> None:
    instances = itertools.chain(session.new, session.dirty, session.deleted)
    _note(session, {sa.inspect(i).mapper.local_table.name for i in instances})


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None:
            _note(state.session, {table.name})  # type: ignore[arg-type]


@event.listens_for(Session, "after_commit")
def _forget_written(session: Session) -> None:
    if session.in_nested_transaction():
        return
    written = session.info.pop(_WRITTEN_KEY, set())
    for cache in _caches:
        if cache.tables & written:
            cache.clear()


@event.listens_for(Session, "after_rollback")
def _nothing_written(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_WRITTEN_KEY, None)
