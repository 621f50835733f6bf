"""The outbox relay: at least once, once per handler, in order per appointment, dead letters."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlmodel import col, select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.domain.errors import NotFound
from backend.models import AuditLog, DeadLetter, OutboxEvent, ProcessedEvent
from backend.services import events, outbox
from tests.factories import make_tenant


class Recorder:
    """Test handlers leaving an effect row (an audit line) per run; `calls` lists the committed ones.

    `failing[name] = n` makes the handler raise its next n runs (-1: forever). A
    delivery tries a failing batch twice (fast path, then handler by handler),
    so failing one whole delivery takes 2.
    """

    def __init__(self) -> None:
        self.failing: dict[str, int] = {}
        self.lock = threading.Lock()

    @property
    def calls(self) -> list[tuple[str, int]]:
        with session_scope(read_only=True) as session:
            rows = session.exec(select(AuditLog).order_by(col(AuditLog.id))).all()
        return [(r.action.removeprefix("effect:"), r.changes["event"]) for r in rows]

    def handler(self, name: str):
        def handle(session, event):
            with self.lock:
                if self.failing.get(name, 0) != 0:
                    self.failing[name] -= 1
                    raise RuntimeError(f"{name} is down")
            session.add(
                AuditLog(
                    tenant_id=event.tenant_id,
                    appointment_id=event.aggregate_id,
                    action=f"effect:{name}",
                    actor_type="system",
                    changes={"event": event.id},
                )
            )

        return handle


@pytest.fixture
def recorder(monkeypatch):
    rec = Recorder()
    monkeypatch.setattr(
        outbox, "_handlers", {"first": rec.handler("first"), "second": rec.handler("second")}
    )
    return rec


@pytest.fixture
def tenant(db, frozen_clock):
    with session_scope(write=True) as session:
        return make_tenant(session)


def emit(tenant, aggregate_id, kind="appointment.updated", **payload):
    with session_scope(write=True) as session:
        event = events.emit(
            session,
            tenant_id=tenant.id,
            type=kind,
            aggregate_id=aggregate_id,
            payload={"action": "edit", **payload},
        )
    return event.id


def effects(name=None):
    with session_scope() as session:
        query = select(AuditLog.action, AuditLog.appointment_id)
        rows = session.exec(query).all()
    return [r for r in rows if name is None or r[0] == f"effect:{name}"]


def test_relay_delivers_each_event_to_every_handler_once(recorder, tenant):
    # given
    first = emit(tenant, uuid.uuid4())
    second = emit(tenant, uuid.uuid4())
    # when
    result = outbox.relay_pending()
    # then
    assert result.delivered == 2
    assert sorted(recorder.calls) == sorted(
        [("first", first), ("second", first), ("first", second), ("second", second)]
    )
    with session_scope() as session:
        rows = session.exec(select(OutboxEvent)).all()
        markers = session.exec(select(ProcessedEvent)).all()
    assert all(r.dispatched_at == frozen_now() for r in rows)
    assert len(markers) == 4


def frozen_now():
    return clock.now()


def test_relay_twice_in_a_row_delivers_nothing_more(recorder, tenant):
    emit(tenant, uuid.uuid4())
    outbox.relay_pending()
    # when
    again = outbox.relay_pending()
    # then
    assert again.delivered == 0
    assert len(recorder.calls) == 2
    assert len(effects()) == 2


def test_redelivered_event_changes_nothing_twice(recorder, tenant):
    # given: delivered once, then handed out again (as after a lost acknowledgement)
    event_id = emit(tenant, uuid.uuid4())
    outbox.relay_pending()
    with session_scope(write=True) as session:
        row = session.get(OutboxEvent, event_id)
        row.dispatched_at = None
        session.add(row)
    # when
    result = outbox.relay_pending()
    # then: the event closes again without either handler running twice
    assert result.delivered == 1
    assert len(recorder.calls) == 2
    assert len(effects()) == 2


def test_failed_handler_retries_with_backoff_and_alone(recorder, tenant):
    # given
    recorder.failing["second"] = 2  # this whole delivery
    event_id = emit(tenant, uuid.uuid4())
    # when
    result = outbox.relay_pending()
    # then: first went through, second's error and next attempt are recorded
    assert result.retrying == 1
    with session_scope() as session:
        row = session.get(OutboxEvent, event_id)
    assert row.dispatched_at is None
    assert row.attempts == 1
    assert "second is down" in row.last_error
    wait = row.next_attempt_at - clock.now()
    assert timedelta(seconds=7) <= wait <= timedelta(seconds=13)
    assert outbox.relay_pending().delivered == 0  # not due yet
    # when the backoff has passed
    clock.advance(wait)
    assert outbox.relay_pending().delivered == 1
    # then: only the failed handler ran again
    assert recorder.calls == [("first", event_id), ("second", event_id)]
    assert len(effects("first")) == 1


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    waits = [outbox.backoff(n) for n in range(1, 12)]
    assert timedelta(seconds=7.5) <= waits[0] <= timedelta(seconds=12.5)
    assert timedelta(seconds=15) <= waits[1] <= timedelta(seconds=25)
    assert timedelta(seconds=60) <= waits[3] <= timedelta(seconds=100)
    assert all(w <= outbox.BACKOFF_MAX * 1.25 for w in waits)


def test_events_of_one_appointment_wait_for_a_failing_predecessor(recorder, tenant):
    # given: two events of appointment A (the first fails once) and one of B
    a, b = uuid.uuid4(), uuid.uuid4()
    recorder.failing["first"] = 2  # the first delivery of a1
    a1 = emit(tenant, a)
    a2 = emit(tenant, a)
    b1 = emit(tenant, b)
    # when
    outbox.relay_pending()
    # then: B went through, A's second event did not overtake the first
    assert [c for c in recorder.calls if c[0] == "first"] == [("first", b1)]
    with session_scope() as session:
        assert session.get(OutboxEvent, a2).dispatched_at is None
        assert session.get(OutboxEvent, a2).attempts == 0
    # when the first is retried
    clock.advance(timedelta(minutes=1))
    outbox.relay_pending()
    # then: A's events arrive in order
    assert [c for c in recorder.calls if c[0] == "first"] == [
        ("first", b1),
        ("first", a1),
        ("first", a2),
    ]
    # (second had already handled a1 on the first pass; it is not run again)
    assert [c for c in recorder.calls if c[0] == "second"] == [
        ("second", a1),
        ("second", b1),
        ("second", a2),
    ]


def test_event_waits_while_its_predecessor_is_leased_by_another_relay(recorder, tenant):
    # given: another relay claimed A's first event and has not finished
    a = uuid.uuid4()
    a1 = emit(tenant, a)
    a2 = emit(tenant, a)
    assert outbox._claim(1) == [a1]
    # when this relay runs
    outbox.relay_pending()
    # then: nothing of A moved
    assert recorder.calls == []
    # when the other relay's lease runs out (it died), the events go in order
    clock.advance(outbox.LEASE + timedelta(seconds=1))
    outbox.relay_pending()
    assert [c for c in recorder.calls if c[0] == "first"] == [("first", a1), ("first", a2)]


def test_handler_failing_every_time_ends_in_dead_letter_and_unblocks(recorder, tenant):
    # given
    recorder.failing["second"] = -1  # forever
    a = uuid.uuid4()
    a1 = emit(tenant, a)
    a2 = emit(tenant, a)
    # when: relayed until it gives up on both (one after the other: they stay in order)
    for _ in range(2 * outbox.MAX_ATTEMPTS):
        outbox.relay_pending()
        clock.advance(outbox.BACKOFF_MAX * 2)
    # then
    with session_scope() as session:
        letters = session.exec(select(DeadLetter)).all()
        first_event = session.get(OutboxEvent, a1)
    assert [(dl.event_id, dl.handler, dl.attempts) for dl in letters] == [
        (a1, "second", outbox.MAX_ATTEMPTS),
        (a2, "second", outbox.MAX_ATTEMPTS),
    ]
    assert "second is down" in letters[0].error
    assert first_event.dispatched_at is not None
    # the healthy handler saw each event exactly once, in order
    assert [c for c in recorder.calls if c[0] == "first"] == [("first", a1), ("first", a2)]


def test_event_that_keeps_killing_its_worker_is_dead_lettered(recorder, tenant):
    # given: claimed MAX_ATTEMPTS times by relays that died before delivering
    event_id = emit(tenant, uuid.uuid4())
    for _ in range(outbox.MAX_ATTEMPTS):
        assert outbox._claim(10) == [event_id]
        clock.advance(outbox.LEASE + timedelta(seconds=1))
    # when
    assert outbox._claim(10) == []
    # then
    with session_scope() as session:
        letters = session.exec(select(DeadLetter).order_by(col(DeadLetter.handler))).all()
        row = session.get(OutboxEvent, event_id)
    assert [dl.handler for dl in letters] == ["first", "second"]
    assert "worker lost" in letters[0].error
    assert row.dispatched_at is not None
    assert recorder.calls == []


def test_retry_dead_letter_resolves_it_when_the_handler_works_again(recorder, tenant):
    # given
    recorder.failing["second"] = 2 * outbox.MAX_ATTEMPTS
    event_id = emit(tenant, uuid.uuid4())
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.relay_pending()
        clock.advance(outbox.BACKOFF_MAX * 2)
    with session_scope() as session:
        letter = session.exec(select(DeadLetter)).one()
    # when
    with session_scope(write=True) as session:
        retried = outbox.retry_dead_letter(session, tenant_id=tenant.id, dead_letter_id=letter.id)
    # then
    assert retried.resolved_at == clock.now()
    assert retried.attempts == outbox.MAX_ATTEMPTS + 1
    assert ("second", event_id) in recorder.calls
    assert len(effects("second")) == 1
    # and a second retry is a no-op
    with session_scope(write=True) as session:
        outbox.retry_dead_letter(session, tenant_id=tenant.id, dead_letter_id=letter.id)
    assert len(effects("second")) == 1


def test_retry_dead_letter_of_another_clinic_is_not_found(recorder, tenant):
    recorder.failing["second"] = -1
    emit(tenant, uuid.uuid4())
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.relay_pending()
        clock.advance(outbox.BACKOFF_MAX * 2)
    with session_scope(write=True) as session:
        other = make_tenant(session, slug="otra", whatsapp="+14155550199")
        letter = session.exec(select(DeadLetter)).one()
    with pytest.raises(NotFound), session_scope(write=True) as session:
        outbox.retry_dead_letter(session, tenant_id=other.id, dead_letter_id=letter.id)


def test_failed_retry_keeps_the_letter_open_with_the_new_error(recorder, tenant):
    recorder.failing["second"] = -1
    emit(tenant, uuid.uuid4())
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.relay_pending()
        clock.advance(outbox.BACKOFF_MAX * 2)
    with session_scope(write=True) as session:
        letter = session.exec(select(DeadLetter)).one()
        retried = outbox.retry_dead_letter(session, tenant_id=tenant.id, dead_letter_id=letter.id)
    assert retried.resolved_at is None
    assert retried.retried_at == clock.now()
    assert "second is down" in retried.error


def test_concurrent_relays_deliver_each_event_once_in_order(pg, frozen_clock, recorder):
    # given: 300 events over 30 appointments
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
    aggregates = [uuid.uuid4() for _ in range(30)]
    with session_scope(write=True) as session:
        ids = [
            events.emit(
                session,
                tenant_id=tenant.id,
                type="appointment.updated",
                aggregate_id=aggregates[i % 30],
                payload={"action": "edit"},
            )
            for i in range(300)
        ]
    event_ids = [e.id for e in ids]
    # when: four relays at once, in small batches
    errors: list[BaseException] = []

    def run():
        try:
            outbox.relay_pending(batch_size=7)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outbox.relay_pending()
    # then
    assert errors == []
    firsts = [event_id for name, event_id in recorder.calls if name == "first"]
    assert sorted(firsts) == event_ids
    by_aggregate: dict[int, list[int]] = {}
    for event_id in firsts:
        by_aggregate.setdefault((event_id - event_ids[0]) % 30, []).append(event_id)
    assert all(seq == sorted(seq) for seq in by_aggregate.values())
    assert len(effects()) == 600


def test_dispatcher_delivers_right_after_commit_without_celery(recorder, tenant, monkeypatch):
    from backend import wiring
    from backend.core.config import settings

    monkeypatch.setattr(settings, "REDIS_URL", None)
    wiring.install()
    # when
    event_id = emit(tenant, uuid.uuid4())
    # then: delivered by the time the commit returned
    assert ("first", event_id) in recorder.calls
    with session_scope() as session:
        assert session.get(OutboxEvent, event_id).dispatched_at is not None


def test_handlers_registry_loads_the_default_handlers():
    names = list(outbox.handlers())
    assert names[:3] == ["notifications", "reminders", "follow_ups"]


def test_failure_on_the_fast_path_is_redone_handler_by_handler_without_duplicates(recorder, tenant):
    # given: a batch of three events; the second handler fails once (on the fast path)
    ids = [emit(tenant, uuid.uuid4()) for _ in range(3)]
    recorder.failing["second"] = 1
    # when
    result = outbox.relay_pending()
    # then: the whole batch was rolled back and redone carefully, so each effect exists once
    assert result.delivered == 3
    assert sorted(recorder.calls) == sorted(
        [(name, i) for i in ids for name in ("first", "second")]
    )
    with session_scope() as session:
        assert {e.attempts for e in session.exec(select(OutboxEvent))} == {1}


def test_handler_that_does_not_want_an_event_leaves_no_marker(tenant, monkeypatch):
    seen = []
    monkeypatch.setattr(
        outbox,
        "_handlers",
        {
            "picky": outbox.EventHandler(
                handle=lambda s, e: seen.append(e.id), wants=lambda e: e.type == "x.wanted"
            ),
        },
    )
    wanted = emit(tenant, uuid.uuid4(), kind="x.wanted")
    emit(tenant, uuid.uuid4(), kind="x.other")
    assert outbox.relay_pending().delivered == 2
    assert seen == [wanted]
    with session_scope() as session:
        assert [(m.event_id, m.handler) for m in session.exec(select(ProcessedEvent))] == [
            (wanted, "picky")
        ]
