"""End to end on a real Celery worker and the real Redis: delivery, retries, a killed worker, an outage."""

from __future__ import annotations

import os
import signal
import time
import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import func, select

from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.models import (
    AuditLog,
    DeadLetter,
    Message,
    OutboxEvent,
    ProcessedEvent,
    Reminder,
)
from backend.services import events, outbox
from backend.services.scheduling import availability
from backend.workers import celery_app as celery_module
from backend.workers import tasks
from tests.workers.conftest import TEMPLATE, BeatProcess, WorkerProcess, use_broker, wait_for
from tests.workers.support import RECEPTION, book, build_clinic, outbound_to


def next_slot(clinic, days_ahead: int = 3):
    """A free slot a few days from now (the worker runs on the real clock)."""
    with session_scope(read_only=True) as session:
        start_day = (utcnow() + timedelta(days=days_ahead)).date()
        slots = availability.find_free_slots(
            session,
            tenant=clinic.tenant,
            doctors=[clinic.doctor],
            start_day=start_day,
            now=utcnow(),
            limit=1,
        )
    return slots[0].start


def emit(clinic, kind: str, **payload) -> int:
    with session_scope(write=True) as session:
        event = events.emit(
            session,
            tenant_id=clinic.tenant.id,
            type=kind,
            aggregate_id=uuid.uuid4(),
            payload={"action": "test", **payload},
        )
    return event.id


def event_row(event_id: int) -> OutboxEvent:
    with session_scope(read_only=True) as session:
        return session.get(OutboxEvent, event_id)


def effects(label: str) -> int:
    with session_scope(read_only=True) as session:
        return session.exec(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == f"effect:{label}")
        ).one()


def dispatched(event_id: int) -> bool:
    return event_row(event_id).dispatched_at is not None


def test_worker_delivers_a_booking_to_every_handler(pg, celery_mode):
    # given
    clinic = build_clinic()
    start = next_slot(clinic)
    # when: booked from the portal; the commit enqueues the relay
    appointment = book(clinic, start, actor=RECEPTION)
    # then: the worker delivered the event, the notice went out, reminders exist
    wait_for(
        lambda: [m for m in outbound_to(clinic.client.phone) if m.status == "sent"],
        what="notice sent",
    )
    with session_scope(read_only=True) as session:
        event = session.exec(select(OutboxEvent)).one()
        handled = session.exec(
            select(ProcessedEvent.handler).where(ProcessedEvent.event_id == event.id)
        ).all()
        reminders = session.exec(
            select(Reminder).where(Reminder.appointment_id == appointment.id)
        ).all()
    assert event.dispatched_at is not None and event.attempts == 1
    assert set(handled) == {"notifications", "reminders"}  # follow-ups want completions only
    assert sorted(r.offset_hours for r in reminders) == [2, 24]
    (notice,) = outbound_to(clinic.client.phone)
    assert "quedó agendada" in notice.body and notice.template_sid == TEMPLATE


def test_worker_retries_a_failing_handler_with_backoff(pg, celery_mode):
    clinic = build_clinic()
    event_id = emit(clinic, "test.flaky")
    wait_for(lambda: dispatched(event_id), what="flaky event delivered")
    row = event_row(event_id)
    assert row.attempts == 3
    assert row.last_error is None
    assert effects("flaky") == 1


def test_worker_dead_letters_an_event_that_never_goes_through(pg, celery_mode):
    clinic = build_clinic()
    event_id = emit(clinic, "test.poison")
    wait_for(lambda: dispatched(event_id), timeout=60, what="poisoned event closed")
    with session_scope(read_only=True) as session:
        (letter,) = session.exec(select(DeadLetter).where(DeadLetter.event_id == event_id)).all()
    assert (letter.handler, letter.attempts) == ("test_poison", outbox.MAX_ATTEMPTS)
    assert "always refuses" in letter.error


def test_worker_killed_mid_task_effect_happens_exactly_once(pg, celery_mode, tmp_path):
    # given: a handler that writes its effect and then hangs on its first delivery
    clinic = build_clinic()
    flag = tmp_path / "hold.pid"
    event_id = emit(clinic, "test.hold", flag=str(flag))
    pid = int(wait_for(lambda: flag.exists() and flag.read_text(), what="handler started"))
    # when: the pool process running it is SIGKILLed mid-task
    os.kill(pid, signal.SIGKILL)
    # then: the task is handed out again (reject on worker lost), the lease runs out, and the
    # event is delivered; the effect of the killed attempt was rolled back with its transaction
    wait_for(lambda: dispatched(event_id), timeout=60, what="event delivered after the kill")
    assert effects("hold") == 1
    with session_scope(read_only=True) as session:
        markers = session.exec(
            select(ProcessedEvent).where(
                ProcessedEvent.event_id == event_id, ProcessedEvent.handler == "test_hold"
            )
        ).all()
    assert len(markers) == 1
    assert event_row(event_id).attempts == 2
    assert "SIGKILL" in celery_mode.log_text() or "WorkerLostError" in celery_mode.log_text()


def test_whole_worker_killed_and_replaced_delivers_once(pg, celery_mode, tmp_path):
    # given: the worker dies (main process and pool) while a handler is mid-way
    clinic = build_clinic()
    flag = tmp_path / "hold.pid"
    event_id = emit(clinic, "test.hold", flag=str(flag))
    wait_for(lambda: flag.exists() and flag.read_text(), what="handler started")
    celery_mode.kill()
    assert not dispatched(event_id)
    # when: a new worker starts and beat's next outbox sweep arrives (after the 2 s test lease)
    celery_mode.start()
    tasks.relay_outbox_task.apply_async(countdown=3)
    # then
    wait_for(lambda: dispatched(event_id), timeout=60, what="event delivered by the new worker")
    assert effects("hold") == 1


def test_inbound_message_is_handled_by_the_worker_which_sends_the_reply_itself(
    pg, celery_mode, monkeypatch
):
    from backend.api.main import create_app

    monkeypatch.setattr(settings, "TWILIO_VALIDATE_SIGNATURE", False)
    clinic = build_clinic()
    http = TestClient(create_app())
    seen = len(celery_mode.log.read_text(errors="replace"))
    response = http.post(
        "/webhooks/whatsapp",
        data={
            "MessageSid": "SM" + uuid.uuid4().hex,
            "From": f"whatsapp:{clinic.client.phone}",
            "To": f"whatsapp:{clinic.tenant.whatsapp_numbers[0]}",
            "Body": "Hola, necesito una cita para Luna",
        },
    )
    assert response.status_code == 200
    wait_for(
        lambda: [m for m in outbound_to(clinic.client.phone) if m.status == "sent"],
        what="reply sent",
    )
    # the task that answered sent its reply: no delivery task went through the queue
    log = celery_mode.log.read_text(errors="replace")[seen:]
    assert f"{tasks.process_inbound_task.name}[" in log  # "Task …[id] received"
    assert f"{tasks.deliver_message_task.name}[" not in log


def test_redis_outage_loses_nothing(pg, engines, private_redis, monkeypatch, tmp_path):
    from backend.api.main import create_app

    # given: a worker and a beat on a private Redis, and this process publishing to it
    queue = f"outage-{uuid.uuid4().hex[:6]}"
    database_url = engines["postgres"].url.render_as_string(hide_password=False)
    worker = WorkerProcess(
        broker_url=private_redis.url,
        database_url=database_url,
        queue=queue,
        log=tmp_path / "worker.log",
        concurrency=1,
    )
    worker.start()
    beat = BeatProcess(
        broker_url=private_redis.url, database_url=database_url, queue=queue, workdir=tmp_path
    )
    try:
        use_broker(monkeypatch, private_redis.url, queue)
        monkeypatch.setattr(settings, "TWILIO_VALIDATE_SIGNATURE", False)
        clinic = build_clinic()
        start = next_slot(clinic)
        http = TestClient(create_app())
        # when: Redis goes away
        private_redis.stop()
        began = time.monotonic()
        response = http.post(
            "/webhooks/whatsapp",
            data={
                "MessageSid": "SM" + uuid.uuid4().hex,
                "From": f"whatsapp:{clinic.client.phone}",
                "To": f"whatsapp:{clinic.tenant.whatsapp_numbers[0]}",
                "Body": "Hola, necesito una cita para Luna",
            },
        )
        answered_in = time.monotonic() - began
        booked = book(clinic, start, actor=RECEPTION)
        # then: the webhook answered at once and the message is stored, unanswered for now
        assert response.status_code == 200
        assert answered_in < 5
        with session_scope(read_only=True) as session:
            inbound = session.exec(select(Message).where(Message.direction == "inbound")).one()
            event = session.exec(select(OutboxEvent)).one()
        assert inbound.processed_at is None
        assert event.dispatched_at is None
        # when: Redis is back (empty: nothing it held survived)
        private_redis.start()
        # then: beat's sweeps resubmit the message and relay the event; all is handled once
        wait_for(
            lambda: _processed(inbound.id), timeout=60, what="inbound answered after the outage"
        )
        wait_for(lambda: dispatched(event.id), timeout=60, what="event delivered after the outage")
        replies = wait_for(
            lambda: [
                m
                for m in outbound_to(clinic.client.phone)
                if m.status == "sent" and m.conversation_id == _processed(inbound.id)
            ],
            timeout=60,
            what="reply sent",
        )
        assert replies
        notices = [m for m in outbound_to(clinic.client.phone) if "quedó agendada" in m.body]
        wait_for(
            lambda: all(m.status == "sent" for m in outbound_to(clinic.client.phone)),
            timeout=60,
            what="every queued message sent",
        )
        assert len(notices) == 1
        with session_scope(read_only=True) as session:
            assert session.exec(select(Reminder).where(Reminder.appointment_id == booked.id)).all()
    finally:
        beat.stop()
        worker.stop()
        celery_module.configure(celery_module.DEFAULT_BROKER_URL, queue="vetassist")


def _processed(message_id):
    with session_scope(read_only=True) as session:
        message = session.get(Message, message_id)
        return message.conversation_id if message.processed_at is not None else None


def test_a_burst_of_commits_queues_one_relay_run_not_one_each(pg, celery_mode, monkeypatch):
    # given: every relay run published is counted
    published: list[object] = []
    original = tasks.relay_outbox_task.apply_async

    def counting(*args, **kwargs):
        published.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(tasks.relay_outbox_task, "apply_async", counting)
    clinic = build_clinic()
    # when: twenty bookings committed back to back
    starts: list = []
    with session_scope(read_only=True) as session:
        for days in range(3, 12):
            found = availability.find_free_slots(
                session,
                tenant=clinic.tenant,
                doctors=[clinic.doctor],
                start_day=(utcnow() + timedelta(days=days)).date(),
                now=utcnow(),
                limit=20,
            )
            starts += [slot.start for slot in found]
    spaced: list = []
    for start in sorted(set(starts)):
        if not spaced or start >= spaced[-1] + timedelta(hours=1):
            spaced.append(start)
    booked = [book(clinic, start) for start in spaced[:20]]
    # then: all are delivered once, by far fewer relay runs than commits
    wait_for(
        lambda: all(dispatched_for(appointment.id) for appointment in booked),
        what="twenty events delivered",
    )
    with session_scope(read_only=True) as session:
        attempts = session.exec(select(OutboxEvent.attempts)).all()
    assert attempts == [1] * 20
    assert 1 <= len(published) < 20
    wait_for(  # the notices too, so nothing is still running when the test ends
        lambda: len([m for m in outbound_to(clinic.client.phone) if m.status == "sent"]) == 20,
        what="twenty notices sent",
    )


def dispatched_for(appointment_id) -> bool:
    with session_scope(read_only=True) as session:
        event = session.exec(
            select(OutboxEvent).where(OutboxEvent.aggregate_id == appointment_id)
        ).one()
    return event.dispatched_at is not None
