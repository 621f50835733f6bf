"""Delivering outbox events to their handlers: at least once, in order per appointment.

The relay works in two short transactions per batch:

1. *claim*: the oldest due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL) that
   are next in line for their appointment get a lease (`next_attempt_at` a
   little ahead) and one more attempt. The counter is committed before any
   handler runs, so an event that kills its worker every time still ends in
   the dead-letter table after `MAX_ATTEMPTS` deliveries.
2. *deliver*: the claimed rows are locked again and each handler runs together
   with its `ProcessedEvent` marker, so a handler's effect and "handler H has
   seen event E" commit or vanish together: a redelivered event changes
   nothing twice. The batch first runs in one go; if a handler raises it is
   redone with a savepoint per handler, and the failing one is rolled back,
   the error and the next attempt (exponential backoff with jitter) are
   recorded, and later events of the same appointment wait for it. After
   `MAX_ATTEMPTS` the failing handlers get a `DeadLetter` each and the event
   is closed, so one poisoned event does not block its appointment forever.

A worker that dies between the two steps leaves only the lease behind; the
event is due again when it runs out.
"""

from __future__ import annotations

import contextlib
import logging
import random
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from backend.core.clock import utcnow
from backend.core.db import is_postgres, session_scope
from backend.domain.errors import NotFound
from backend.models import DeadLetter, OutboxEvent, ProcessedEvent

log = logging.getLogger(__name__)

HandleFn = Callable[[Session, OutboxEvent], None]


def _every(event: OutboxEvent) -> bool:
    return True


@dataclass(frozen=True)
class EventHandler:
    """A handler: `handle` does the work in the relay's transaction.

    `wants` says cheaply (from the event alone) whether the handler has
    anything to do; an event it does not want is skipped without a marker.
    On the fast path (a whole batch in one go), `prepare` may load in a few
    queries what `handle` will need for the batch (cached in `session.info`)
    and `finish` may write what the batch produced in one statement, so a
    batch does not cost round trips per event. They are not used on the
    careful path, where each handler run must be undoable on its own.
    """

    handle: HandleFn
    wants: Callable[[OutboxEvent], bool] = _every
    prepare: Callable[[Session, list[OutboxEvent]], None] | None = None
    finish: Callable[[Session], None] | None = None


Handler = EventHandler | HandleFn

MAX_ATTEMPTS = 8
BATCH_SIZE = 200
LEASE = timedelta(seconds=30)
BACKOFF_BASE = timedelta(seconds=10)
BACKOFF_MAX = timedelta(minutes=15)

_handlers: dict[str, Handler] = {}


def register_handler(name: str, handler: Handler) -> None:
    """Adds a handler; `backend.wiring` registers the product's, in delivery order."""
    _handlers[name] = handler


def unregister_handler(name: str) -> None:
    _handlers.pop(name, None)


def handlers() -> dict[str, EventHandler]:
    """Every handler by name, in delivery order."""
    return {name: _spec(h) for name, h in _handlers.items()}


def _spec(handler: Handler) -> EventHandler:
    return handler if isinstance(handler, EventHandler) else EventHandler(handle=handler)


def backoff(attempts: int) -> timedelta:
    """Exponential (10 s, 20 s, 40 s, …, at most 15 min) with ±25 % jitter."""
    base = min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)
    return base * random.uniform(0.75, 1.25)


@dataclass
class RelayResult:
    delivered: int = 0
    retrying: int = 0
    dead_lettered: int = 0
    delivered_ids: list[int] = field(default_factory=list)
    next_due: datetime | None = None
    """When the earliest event still undelivered (retrying or leased) is due again."""

    def add(self, other: RelayResult) -> None:
        self.delivered += other.delivered
        self.retrying += other.retrying
        self.dead_lettered += other.dead_lettered
        self.delivered_ids.extend(other.delivered_ids)


def relay_pending(*, max_batches: int | None = None, batch_size: int = BATCH_SIZE) -> RelayResult:
    """Delivers every due event, batch after batch, until none is left (or `max_batches`)."""
    total = RelayResult()
    batches = 0
    while max_batches is None or batches < max_batches:
        claimed = _claim(batch_size)
        if not claimed:
            break
        total.add(_deliver(claimed))
        batches += 1
    total.next_due = next_due()
    return total


def next_due() -> datetime | None:
    """The earliest `next_attempt_at` of undelivered events (None when none waits)."""
    with session_scope(read_only=True) as session:
        return session.exec(
            select(func.min(OutboxEvent.next_attempt_at)).where(
                col(OutboxEvent.dispatched_at).is_(None)
            )
        ).one()


def _due(now: datetime):  # type: ignore[no-untyped-def]
    return select(OutboxEvent).where(
        col(OutboxEvent.dispatched_at).is_(None),
        or_(col(OutboxEvent.next_attempt_at).is_(None), col(OutboxEvent.next_attempt_at) <= now),
    )


def _claim(batch_size: int) -> list[int]:
    """Leases the next deliverable events; returns their ids in order."""
    now = utcnow()
    with session_scope(write=True) as session:
        query = _due(now).order_by(col(OutboxEvent.id)).limit(batch_size)
        if is_postgres():
            query = query.with_for_update(skip_locked=True)
        rows = list(session.exec(query).all())
        if not rows:
            return []
        rows = _next_in_line(session, rows)
        claimed: list[int] = []
        for event in rows:
            if event.attempts >= MAX_ATTEMPTS:
                _give_up(session, event, now, reason="worker lost while delivering")
                continue
            event.attempts += 1
            event.next_attempt_at = now + LEASE
            session.add(event)
            claimed.append(event.id)  # type: ignore[arg-type]
        return claimed


def _next_in_line(session: Session, rows: list[OutboxEvent]) -> list[OutboxEvent]:
    """Keeps, per appointment, the run of rows that starts at its oldest undelivered event.

    An event whose predecessor is still undelivered (failing, leased by
    another relay, or locked by one) waits, so each appointment sees its
    events in the order they happened.
    """
    mine = {event.id for event in rows}
    aggregates = {event.aggregate_id for event in rows}
    pending = session.exec(
        select(OutboxEvent.id, OutboxEvent.aggregate_id)
        .where(
            col(OutboxEvent.dispatched_at).is_(None),
            col(OutboxEvent.aggregate_id).in_(aggregates),
        )
        .order_by(col(OutboxEvent.id))
    ).all()
    allowed: set[int | None] = set()
    blocked: set[uuid.UUID] = set()
    for event_id, aggregate_id in pending:
        if aggregate_id in blocked:
            continue
        if event_id in mine:
            allowed.add(event_id)
        else:
            blocked.add(aggregate_id)
    return [event for event in rows if event.id in allowed]


class _HandlerFailed(Exception):
    """A handler raised on the fast path: the batch is redone with savepoints."""


def _deliver(ids: list[int]) -> RelayResult:
    """Delivers a claimed batch: first in one go, and handler by handler only if one fails.

    The fast path runs the handlers without savepoints; the first exception
    rolls the whole batch back and the careful path runs it again with a
    savepoint per handler, so a failure only undoes that handler's work.
    """
    try:
        return _deliver_batch(ids, careful=False)
    except (_HandlerFailed, IntegrityError):  # IntegrityError: a marker another relay just wrote
        return _deliver_batch(ids, careful=True)


def _deliver_batch(ids: list[int], *, careful: bool) -> RelayResult:
    result = RelayResult()
    now = utcnow()
    registry = handlers()
    with session_scope(write=True) as session:
        query = (
            select(OutboxEvent)
            .where(col(OutboxEvent.id).in_(ids), col(OutboxEvent.dispatched_at).is_(None))
            .order_by(col(OutboxEvent.id))
        )
        if is_postgres():
            # waits (briefly) rather than skips: a claim that lost the race for a row may
            # still hold its lock until it commits, and skipping would strand the event
            # until its lease ran out; rows already delivered meanwhile drop out on recheck
            query = query.with_for_update()
        events = list(session.exec(query).all())
        done = _processed(session, [e.id for e in events])  # type: ignore[misc]
        batched = []
        if not careful:
            for handler in registry.values():
                wanted = [e for e in events if handler.wants(e)]
                if handler.prepare is not None and wanted:
                    handler.prepare(session, wanted)
                    batched.append(handler)
        waiting: set[uuid.UUID] = set()
        markers: list[dict[str, object]] = []
        # the fast path lets the commit insert the batch's rows together instead of a
        # flush per query; before a second event of one appointment the session is
        # flushed, so its handlers' queries see what the first one wrote
        seen: set[uuid.UUID] = set()
        autoflush = session.no_autoflush if not careful else contextlib.nullcontext()
        with autoflush:
            for event in events:
                if event.aggregate_id in seen:
                    session.flush()
                seen.add(event.aggregate_id)
                if event.aggregate_id in waiting:
                    event.next_attempt_at = None  # due again as soon as its predecessor is through
                    event.attempts = max(event.attempts - 1, 0)
                    session.add(event)
                    continue
                errors = _run_handlers(
                    session,
                    event,
                    registry,
                    done.get(event.id or 0, set()),
                    careful=careful,
                    markers=markers,
                )
                if not errors:
                    event.dispatched_at = now
                    event.next_attempt_at = None
                    event.last_error = None
                    result.delivered += 1
                    result.delivered_ids.append(event.id)  # type: ignore[arg-type]
                elif event.attempts >= MAX_ATTEMPTS:
                    _give_up(session, event, now, errors=errors)
                    result.dead_lettered += 1
                else:
                    event.last_error = _summary(errors)
                    event.next_attempt_at = now + backoff(event.attempts)
                    waiting.add(event.aggregate_id)
                    result.retrying += 1
                session.add(event)
        for handler in batched:
            if handler.finish is not None:
                handler.finish(session)
        if markers:  # the fast path's markers, in one statement
            session.execute(insert(ProcessedEvent), markers)
    return result


def _processed(session: Session, ids: list[int]) -> dict[int, set[str]]:
    done: dict[int, set[str]] = {}
    if ids:
        for event_id, handler in session.exec(
            select(ProcessedEvent.event_id, ProcessedEvent.handler).where(
                col(ProcessedEvent.event_id).in_(ids)
            )
        ):
            done.setdefault(event_id, set()).add(handler)
    return done


def _run_handlers(
    session: Session,
    event: OutboxEvent,
    registry: dict[str, EventHandler],
    done: set[str],
    *,
    careful: bool,
    markers: list[dict[str, object]],
) -> dict[str, str]:
    """Runs each handler not yet done that wants the event; returns the errors of those that failed."""
    errors: dict[str, str] = {}
    for name, handler in registry.items():
        if name in done or not handler.wants(event):
            continue
        if not careful:
            try:
                handler.handle(session, event)
            except Exception as exc:
                log.info(
                    "outbox handler %s failed on event %s (%r); redoing the batch carefully",
                    name,
                    event.id,
                    exc,
                )
                raise _HandlerFailed from exc
            markers.append({"event_id": event.id, "handler": name, "processed_at": utcnow()})
            continue
        error = run_handler(session, event, name, handler)
        if error is not None:
            errors[name] = error
    return errors


def run_handler(session: Session, event: OutboxEvent, name: str, handler: Handler) -> str | None:
    """Runs one handler with its marker in a savepoint; None on success, else the error."""
    spec = _spec(handler)
    try:
        with session.begin_nested():
            if spec.wants(event):
                spec.handle(session, event)
                session.add(ProcessedEvent(event_id=event.id, handler=name))  # type: ignore[arg-type]
            session.flush()
        return None
    except Exception as exc:
        if _already_processed(session, event.id, name):  # type: ignore[arg-type]
            return None  # another relay delivered it first (lease ran out)
        log.warning("outbox handler %s failed on event %s: %r", name, event.id, exc)
        return "".join(traceback.format_exception_only(exc)).strip()[:1000]


def _already_processed(session: Session, event_id: int, name: str) -> bool:
    return (
        session.exec(
            select(ProcessedEvent.id).where(
                ProcessedEvent.event_id == event_id, ProcessedEvent.handler == name
            )
        ).first()
        is not None
    )


def _summary(errors: dict[str, str]) -> str:
    return "; ".join(f"{name}: {error}" for name, error in errors.items())[:2000]


def _give_up(
    session: Session,
    event: OutboxEvent,
    now: datetime,
    *,
    errors: dict[str, str] | None = None,
    reason: str | None = None,
) -> None:
    """Closes the event and files a dead letter for each handler that never got through."""
    if errors is None:
        done = _processed(session, [event.id]).get(event.id, set())  # type: ignore[list-item, arg-type]
        errors = {
            name: f"{reason} ({event.attempts} deliveries); last error: {event.last_error or '-'}"
            for name, spec in handlers().items()
            if name not in done and spec.wants(event)
        }
    for name, error in errors.items():
        session.add(
            DeadLetter(
                tenant_id=event.tenant_id,
                event_id=event.id,  # type: ignore[arg-type]
                handler=name,
                error=error,
                attempts=event.attempts,
                created_at=now,
            )
        )
    log.error("outbox event %s dead-lettered for %s", event.id, ", ".join(errors) or "-")
    event.dispatched_at = now
    event.next_attempt_at = None
    event.last_error = _summary(errors) or reason
    session.add(event)


def retry_dead_letter(
    session: Session, *, tenant_id: uuid.UUID, dead_letter_id: uuid.UUID
) -> DeadLetter:
    """Runs the failed handler on its event again, now; resolves the letter on success.

    Raises:
        NotFound: no such dead letter in this clinic.
    """
    letter = session.get(DeadLetter, dead_letter_id)
    if letter is None or letter.tenant_id != tenant_id:
        raise NotFound("dead letter not found")
    if letter.resolved_at is not None:
        return letter
    event = session.get(OutboxEvent, letter.event_id)
    registry = handlers()
    now = utcnow()
    letter.retried_at = now
    letter.attempts += 1
    handler = registry.get(letter.handler)
    if event is None or handler is None:
        letter.error = f"handler '{letter.handler}' or event {letter.event_id} no longer exists"
    else:
        error = run_handler(session, event, letter.handler, handler)
        if error is None:
            letter.resolved_at = now
        else:
            letter.error = error
    session.add(letter)
    session.flush()
    return letter


def list_dead_letters(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    include_resolved: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[tuple[DeadLetter, OutboxEvent | None]], int]:
    """A clinic's dead letters, newest first, with their events."""
    query = select(DeadLetter).where(DeadLetter.tenant_id == tenant_id)
    if not include_resolved:
        query = query.where(col(DeadLetter.resolved_at).is_(None))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    letters = session.exec(
        query.order_by(col(DeadLetter.created_at).desc()).offset(offset).limit(limit)
    ).all()
    events = (
        {
            e.id: e
            for e in session.exec(
                select(OutboxEvent).where(col(OutboxEvent.id).in_([dl.event_id for dl in letters]))
            )
        }
        if letters
        else {}
    )
    return [(letter, events.get(letter.event_id)) for letter in letters], total


@dataclass(frozen=True)
class DeadLetterEntry:
    """A dead letter with what its event was about (None where the event is gone)."""

    id: uuid.UUID
    event_id: int
    event_type: str | None
    aggregate_id: uuid.UUID | None
    payload: dict[str, Any] | None
    handler: str
    error: str
    attempts: int
    created_at: datetime
    retried_at: datetime | None
    resolved_at: datetime | None

    @classmethod
    def of(cls, letter: DeadLetter, event: OutboxEvent | None) -> DeadLetterEntry:
        return cls(
            id=letter.id,
            event_id=letter.event_id,
            event_type=event.type if event else None,
            aggregate_id=event.aggregate_id if event else None,
            payload=event.payload if event else None,
            handler=letter.handler,
            error=letter.error,
            attempts=letter.attempts,
            created_at=letter.created_at,
            retried_at=letter.retried_at,
            resolved_at=letter.resolved_at,
        )


def search_dead_letters(
    *, tenant_id: uuid.UUID, include_resolved: bool = False, limit: int = 100, offset: int = 0
) -> tuple[list[DeadLetterEntry], int]:
    """`list_dead_letters` in its own read-only unit of work, as entries."""
    with session_scope(read_only=True) as session:
        rows, total = list_dead_letters(
            session,
            tenant_id=tenant_id,
            include_resolved=include_resolved,
            limit=limit,
            offset=offset,
        )
        return [DeadLetterEntry.of(letter, event) for letter, event in rows], total


def redeliver_dead_letter(*, tenant_id: uuid.UUID, dead_letter_id: uuid.UUID) -> DeadLetterEntry:
    """`retry_dead_letter` in its own unit of work; the entry says whether it went through.

    Raises:
        NotFound: no such dead letter in this clinic.
    """
    with session_scope(write=True) as session:
        letter = retry_dead_letter(session, tenant_id=tenant_id, dead_letter_id=dead_letter_id)
        return DeadLetterEntry.of(letter, session.get(OutboxEvent, letter.event_id))


def pending_count(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(OutboxEvent)
        .where(col(OutboxEvent.dispatched_at).is_(None))
    ).one()
