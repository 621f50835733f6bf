"""The periodic sweeps: each does its work once, twice in a row changes nothing, one runner at a time."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import timedelta

import pytest
from sqlmodel import col, select

from backend.core.clock import clock
from backend.core.config import settings
from backend.core.db import session_scope
from backend.integrations.whatsapp import SandboxChannel, set_channel
from backend.models import Conversation, FollowUp, Message, OutboxEvent, Reminder, SlotHold
from backend.services.assistant.inbound import InboundMessage
from backend.services.chats import messaging
from backend.workers import celery_app as celery_module
from backend.workers import inprocess, sweeps
from backend.workers.locks import exclusive
from tests.factories import receive
from tests.workers.conftest import REDIS_URL
from tests.workers.support import MONDAY_9, book, build_clinic, change_status

TEMPLATE = "HX0000000000000000000000000000test"


def run_in_own_loop(coroutine):  # type: ignore[no-untyped-def]
    """asyncio.run in a fresh thread: the browser tests keep an event loop running in this one."""
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome.get("value")


@pytest.fixture
def clinic(db, frozen_clock, monkeypatch):
    monkeypatch.setattr(settings, "REDIS_URL", None)
    monkeypatch.setattr(settings, "WHATSAPP_TEMPLATE_CONTENT_SID", TEMPLATE)
    set_channel(SandboxChannel())
    yield build_clinic()
    set_channel(None)


def test_every_sweep_does_its_work_once_and_twice_in_a_row_changes_nothing(clinic):
    # given: work waiting for each sweep
    surgery = book(clinic)
    clock.freeze(surgery.end_at + timedelta(minutes=5))
    change_status(clinic, surgery, "completed", procedure_type="vaccination")
    later = book(clinic, MONDAY_9 + timedelta(days=2, hours=1))  # its 24-hour reminder will be due
    with session_scope(write=True) as session:
        conversation = Conversation(
            tenant_id=clinic.tenant.id,
            client_phone="+573005550000",
            state="ASK_REASON",
            timeout_at=MONDAY_9 + timedelta(days=1),
        )
        session.add(conversation)
        session.flush()
        session.add(
            SlotHold(
                tenant_id=clinic.tenant.id,
                doctor_id=clinic.doctor.id,
                conversation_id=conversation.id,
                start_at=MONDAY_9,
                end_at=MONDAY_9 + timedelta(minutes=30),
                expires_at=MONDAY_9 + timedelta(hours=1),
            )
        )
        messaging.queue_text(session, tenant=clinic.tenant, to_phone="+573005551111", body="cola")
        session.info.clear()  # as if the process died before submitting it
    clock.freeze(later.start_at - timedelta(hours=24, minutes=1))
    inbound_id = receive(
        InboundMessage(
            tenant_id=clinic.tenant.id,
            from_phone="+573005552222",
            to_phone=clinic.tenant.whatsapp_numbers[0],
            body="hola",
            provider_sid="SMsweep",
        )
    )  # stored; its submission was lost
    clock.freeze(later.start_at - timedelta(hours=24))
    # when
    first = inprocess.run_all_sweeps()
    second = inprocess.run_all_sweeps()
    # then: each sweep found its work the first time and nothing the second
    assert first["outbox-relay"] == 3  # booked, completed, booked
    assert first["due-reminders"] >= 1
    assert first["due-follow-ups"] == 1
    assert first["conversation-timeouts"] >= 1
    assert first["slot-holds"] == 1
    assert first["resubmit-messages"] == 2
    assert all(count == 0 for count in second.values()), second
    with session_scope(read_only=True) as session:
        assert all(e.dispatched_at for e in session.exec(select(OutboxEvent)))
        assert session.exec(select(FollowUp)).one().status == "sent"
        assert session.get(Message, inbound_id).processed_at is not None
        assert session.exec(select(Message).where(Message.body == "cola")).one().status == "sent"
        assert session.exec(select(SlotHold)).all() == []
        sent = session.exec(select(Reminder).where(Reminder.status == "sent")).all()
        assert [r.appointment_id for r in sent] == [later.id]
        assert session.get(Conversation, conversation.id).state == "REMINDER"


def test_resubmission_waits_for_the_normal_path_first(clinic):
    inbound_id = receive(
        InboundMessage(
            tenant_id=clinic.tenant.id,
            from_phone="+573005552222",
            to_phone=clinic.tenant.whatsapp_numbers[0],
            body="hola",
            provider_sid="SMx",
        )
    )
    assert sweeps.resubmit_pending_messages() == 0  # younger than RESUBMIT_AFTER
    clock.advance(sweeps.RESUBMIT_AFTER)
    assert sweeps.resubmit_pending_messages() == 1
    with session_scope(read_only=True) as session:
        assert session.get(Message, inbound_id).processed_at is not None


def test_expired_slot_holds_are_removed_and_live_ones_kept(clinic):
    with session_scope(write=True) as session:
        conversation = Conversation(
            tenant_id=clinic.tenant.id, client_phone="+573005550000", state="OFFER_SLOTS"
        )
        session.add(conversation)
        session.flush()
        for minutes in (-1, 0, 5):
            session.add(
                SlotHold(
                    tenant_id=clinic.tenant.id,
                    doctor_id=clinic.doctor.id,
                    conversation_id=conversation.id,
                    start_at=MONDAY_9,
                    end_at=MONDAY_9 + timedelta(minutes=30),
                    expires_at=clock.now() + timedelta(minutes=minutes),
                )
            )
    assert sweeps.expire_slot_holds() == 2
    assert sweeps.expire_slot_holds() == 0
    with session_scope(read_only=True) as session:
        (kept,) = session.exec(select(SlotHold)).all()
    assert kept.expires_at == clock.now() + timedelta(minutes=5)


def test_local_lock_lets_one_runner_at_a_time(monkeypatch):
    monkeypatch.setattr(settings, "REDIS_URL", None)
    with exclusive("sweep-a", timeout_s=10) as first:
        with (
            exclusive("sweep-a", timeout_s=10) as second,
            exclusive("sweep-b", timeout_s=10) as other,
        ):
            assert (first, second, other) == (True, False, True)
    with exclusive("sweep-a", timeout_s=10) as again:
        assert again


@pytest.fixture
def redis_namespace(monkeypatch):
    namespace = f"locktest-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(settings, "REDIS_URL", REDIS_URL)
    celery_module.configure(REDIS_URL, queue=namespace)
    from backend.workers import locks

    locks.redis_client.cache_clear()
    yield namespace
    celery_module.configure(celery_module.DEFAULT_BROKER_URL, queue="vetassist")
    client = locks.redis_client(REDIS_URL)
    for name in client.scan_iter(match=f"{namespace}*", count=500):
        client.delete(name)


def test_redis_lock_lets_one_runner_at_a_time_across_threads(redis_namespace):
    held: list[bool] = []
    inside = threading.Event()
    release = threading.Event()

    def first_runner():
        with exclusive("due-reminders", timeout_s=10) as ok:
            held.append(ok)
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=first_runner)
    thread.start()
    inside.wait(10)
    with exclusive("due-reminders", timeout_s=10) as second:
        held.append(second)
    release.set()
    thread.join()
    with exclusive("due-reminders", timeout_s=10) as third:
        held.append(third)
    assert held == [True, False, True]


def test_sweep_is_skipped_while_another_runner_holds_its_lock(redis_namespace, monkeypatch):
    calls = []
    sweep = sweeps.Sweep("probe", timedelta(seconds=15), lambda: calls.append(1) or 1, "unused")
    with exclusive("probe", timeout_s=10):
        assert sweep() is None
    assert sweep() == 1
    assert calls == [1]


def test_lock_of_a_dead_runner_expires(redis_namespace):
    from backend.workers.celery_app import key
    from backend.workers.locks import broker_redis

    broker_redis().set(key("lock:orphan"), "someone", px=50)  # a runner that died holding it
    with exclusive("orphan", timeout_s=10) as first:
        assert not first
    import time

    deadline = time.monotonic() + 5
    while broker_redis().exists(key("lock:orphan")) and time.monotonic() < deadline:
        time.sleep(0.01)
    with exclusive("orphan", timeout_s=10) as later:
        assert later


def test_periodic_loop_runs_every_sweep(monkeypatch):
    monkeypatch.setattr(settings, "REDIS_URL", None)
    seen: set[str] = set()
    everything = threading.Event()

    def probe(name):
        def run():
            seen.add(name)
            if len(seen) == 3:
                everything.set()
            return 0

        return run

    fake = tuple(
        sweeps.Sweep(n, timedelta(seconds=60), probe(n), "unused") for n in ("a", "b", "c")
    )
    monkeypatch.setattr(inprocess, "SWEEPS", fake)

    async def main():
        task = asyncio.create_task(inprocess.run_periodic_sweeps())
        await asyncio.to_thread(everything.wait, 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run_in_own_loop(main())
    assert seen == {"a", "b", "c"}


def test_periodic_loop_leaves_sweeps_to_beat_with_celery(monkeypatch):
    monkeypatch.setattr(settings, "REDIS_URL", REDIS_URL)
    called = []
    monkeypatch.setattr(
        inprocess,
        "SWEEPS",
        (sweeps.Sweep("a", timedelta(seconds=1), lambda: called.append(1) or 0, "unused"),),
    )
    run_in_own_loop(asyncio.wait_for(inprocess.run_periodic_sweeps(), timeout=5))
    assert called == []


def test_failing_sweep_does_not_stop_the_others():
    def broken():
        raise RuntimeError("boom")

    assert (
        inprocess.run_sweep(sweeps.Sweep("broken", timedelta(seconds=1), broken, "unused")) is None
    )


def test_inprocess_relay_absorbs_nested_calls(monkeypatch):
    from backend.services import outbox

    calls = []

    def fake_relay():
        calls.append(1)
        inprocess.relay_now()  # a handler's own commit dispatching again
        return outbox.RelayResult()

    monkeypatch.setattr(outbox, "relay_pending", fake_relay)
    inprocess.relay_now()
    assert calls == [1]


def test_message_rows_left_by_a_dead_process_are_found(clinic):
    # the resubmission sweep reads stored rows only: nothing in memory is needed
    with session_scope(write=True) as session:
        messaging.queue_text(
            session, tenant=clinic.tenant, to_phone="+573005551111", body="huérfano"
        )
        session.info.clear()
    clock.advance(sweeps.RESUBMIT_AFTER)
    assert sweeps.resubmit_pending_messages() == 1
    with session_scope(read_only=True) as session:
        assert (
            session.exec(select(Message).where(col(Message.body) == "huérfano")).one().status
            == "sent"
        )


def run_as_worker(task, *args):
    """Runs a task body as a worker would (not eager, not called directly)."""
    task.push_request(
        id=f"t-{uuid.uuid4().hex[:8]}",
        args=list(args),
        kwargs={},
        called_directly=False,
        is_eager=False,
    )
    try:
        return task(*args)
    finally:
        task.pop_request()


def test_message_that_keeps_killing_workers_is_given_up_not_resubmitted(
    clinic, redis_namespace, monkeypatch
):
    from backend.workers import tasks
    from backend.workers.celery_app import key
    from backend.workers.locks import broker_redis

    monkeypatch.setattr(settings, "REDIS_URL", REDIS_URL)
    message_id = receive(
        InboundMessage(
            tenant_id=clinic.tenant.id,
            from_phone="+573005552222",
            to_phone=clinic.tenant.whatsapp_numbers[0],
            body="hola",
            provider_sid="SMk",
        )
    )
    # given: three earlier runs for this message started and never finished (their workers died)
    broker_redis().set(key(f"starts:inbound:{message_id}"), tasks.MAX_WORKER_LOSSES)
    called = []
    monkeypatch.setattr(
        "backend.services.assistant.inbound.process_inbound_message", lambda mid: called.append(mid)
    )
    # when
    run_as_worker(tasks.process_inbound_task, str(message_id))
    # then: not handed to the assistant again, and out of the resubmission sweep's reach
    assert called == []
    with session_scope(read_only=True) as session:
        message = session.get(Message, message_id)
    assert message.processed_at is not None and message.status == "error"
    clock.advance(sweeps.RESUBMIT_AFTER)
    assert sweeps.resubmit_pending_messages() == 0


def test_a_normal_run_leaves_no_loss_behind(clinic, redis_namespace, monkeypatch):
    from backend.workers import tasks
    from backend.workers.celery_app import key
    from backend.workers.locks import broker_redis

    monkeypatch.setattr(settings, "REDIS_URL", REDIS_URL)
    message_id = receive(
        InboundMessage(
            tenant_id=clinic.tenant.id,
            from_phone="+573005552222",
            to_phone=clinic.tenant.whatsapp_numbers[0],
            body="hola",
            provider_sid="SMn",
        )
    )
    run_as_worker(tasks.process_inbound_task, str(message_id))
    assert broker_redis().get(key(f"starts:inbound:{message_id}")) is None
    with session_scope(read_only=True) as session:
        assert session.get(Message, message_id).processed_at is not None
