"""Google Calendar sync on a real Celery worker and Redis, writing to the fake Google over HTTP."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlmodel import select

from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.domain.appointment_rules import Status
from backend.integrations.google_calendar.fake_server import DEFAULT_REFRESH_TOKEN, FakeGoogle
from backend.models import Appointment, CalendarBusyBlock, DoctorCalendar
from backend.services.calendar_sync import connections, push
from backend.services.calendar_sync.inbound import poll_doctor_calendar
from backend.services.scheduling import availability
from backend.workers import celery_app as celery_module
from backend.workers.locks import exclusive
from backend.workers.tasks import (
    poll_calendar_task,
    renew_calendar_channels_task,
    sync_calendar_task,
)
from tests.live_api import LiveApi
from tests.workers.conftest import REDIS_URL, WorkerProcess, use_broker, wait_for
from tests.workers.support import book, build_clinic, change_status, reschedule

CALENDAR = "agenda@example.com"
SECRETS_KEY = Fernet.generate_key().decode()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGoogle]:
    server = FakeGoogle().serve()
    yield server
    server.shutdown()


def _google_env(fake: FakeGoogle) -> dict[str, str]:
    return {
        "SECRETS_KEY": SECRETS_KEY,
        "GOOGLE_CLIENT_ID": "client-id",
        "GOOGLE_CLIENT_SECRET": "client-secret",
        "GOOGLE_API_BASE_URL": fake.base_url,
        "GOOGLE_TOKEN_URI": fake.token_uri,
    }


@pytest.fixture(scope="module")
def api() -> Iterator[LiveApi]:
    """Our webhooks on a local port, where the fake Google posts its push notifications."""
    server = LiveApi().start()
    yield server
    server.stop()


def _push_url(api: LiveApi) -> str:
    return f"{api.url}/webhooks/google/calendar"


@pytest.fixture(scope="module")
def google_worker(engines, fake, api, tmp_path_factory) -> Iterator[WorkerProcess]:
    """A worker of its own (its own queue) whose environment turns calendar sync and push on."""
    env = {**_google_env(fake), "GOOGLE_PUSH_URL": _push_url(api)}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    process = WorkerProcess(
        broker_url=REDIS_URL,
        database_url=engines["postgres"].url.render_as_string(hide_password=False),
        queue=f"vetassist-gcal-{os.getpid()}-{uuid.uuid4().hex[:6]}",
        log=tmp_path_factory.mktemp("gcal-worker") / "worker.log",
    )
    try:
        process.start()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    yield process
    process.stop()


@pytest.fixture
def synced_clinic(pg, fake, google_worker, monkeypatch):
    fake.reset()
    for name, value in _google_env(fake).items():
        monkeypatch.setattr(settings, name, value)
    use_broker(monkeypatch, google_worker.broker_url, google_worker.queue)
    clinic = build_clinic()
    connections.connect(slug=clinic.tenant.slug, refresh_token=DEFAULT_REFRESH_TOKEN)
    connections.set_doctor_calendar(
        slug=clinic.tenant.slug, doctor_email=clinic.doctor.email, calendar_id=CALENDAR
    )
    yield clinic
    celery_module.configure(celery_module.DEFAULT_BROKER_URL, queue="vetassist")


def free_slots(clinic, count: int):
    with session_scope(read_only=True) as session:
        slots = availability.find_free_slots(
            session,
            tenant=clinic.tenant,
            doctors=[clinic.doctor],
            start_day=(utcnow() + timedelta(days=3)).date(),
            now=utcnow(),
            limit=40,
        )
    return [s.start for s in slots[::4][:count]]


def stored(appointment) -> Appointment:
    with session_scope(read_only=True) as session:
        return session.get(Appointment, appointment.id)


def synced(appointment) -> bool:
    row = stored(appointment)
    return row.calendar_synced_version == row.version


def test_worker_syncs_create_reschedule_cancel_and_emergency(synced_clinic, fake):
    clinic = synced_clinic
    first, second, third, later = free_slots(clinic, 4)
    # when
    moved = book(clinic, first)
    cancelled = book(clinic, second)
    emergency = book(clinic, third, priority="emergency")
    wait_for(lambda: all(synced(a) for a in (moved, cancelled, emergency)), what="three synced")
    reschedule(clinic, moved, later)
    change_status(clinic, cancelled, Status.CANCELLED)
    wait_for(lambda: synced(moved) and synced(cancelled), what="changes synced")
    # then: one event per live appointment, at its current time
    events = {e["id"]: e for e in fake.events(CALENDAR)}
    assert set(events) == {moved.id.hex, emergency.id.hex}
    assert events[moved.id.hex]["extendedProperties"]["private"]["version"] == "2"
    assert events[emergency.id.hex]["summary"].startswith("🚨 EMERGENCIA · ")
    assert stored(moved).calendar_sync_ok is True


def test_worker_retries_503_with_backoff_until_synced(synced_clinic, fake):
    clinic = synced_clinic
    (slot,) = free_slots(clinic, 1)
    fake.fail_next(503, count=2)
    appointment = book(clinic, slot)
    wait_for(lambda: synced(appointment), timeout=60, what="synced after retries")
    assert fake.faults == []  # both 503s were answered, then the retry went through
    assert [e["id"] for e in fake.events(CALENDAR)] == [appointment.id.hex]
    assert stored(appointment).calendar_sync_ok is True


def test_last_retry_records_the_failure(pg, fake, monkeypatch):
    # given: calendar sync on in this process, and Google failing
    fake.reset()
    for name, value in _google_env(fake).items():
        monkeypatch.setattr(settings, name, value)
    clinic = build_clinic()
    connections.connect(slug=clinic.tenant.slug, refresh_token=DEFAULT_REFRESH_TOKEN)
    connections.set_doctor_calendar(
        slug=clinic.tenant.slug, doctor_email=clinic.doctor.email, calendar_id=CALENDAR
    )
    (slot,) = free_slots(clinic, 1)
    appointment = book(clinic, slot)
    fake.fail_next(503)
    # when: the task's last retry (called directly, as Celery would)
    result = sync_calendar_task.apply(args=[str(appointment.id)], retries=5)
    # then
    assert result.get() == "failed"
    row = stored(appointment)
    assert row.calendar_sync_ok is False and "503" in row.calendar_sync_error


def test_a_move_made_in_google_is_applied_and_its_echo_changes_nothing(synced_clinic, fake):
    clinic = synced_clinic
    first, later = free_slots(clinic, 2)
    appointment = book(clinic, first)
    wait_for(lambda: synced(appointment), what="booked and synced")
    calendar_id = _calendar_of(clinic)
    poll_doctor_calendar(calendar_id)
    # when: the doctor drags the event to a later free time in Google
    length = stored(appointment).end_at - stored(appointment).start_at
    fake.patch(
        CALENDAR,
        appointment.id.hex,
        {
            "start": {"dateTime": later.isoformat()},
            "end": {"dateTime": (later + length).isoformat()},
        },
    )
    poll_doctor_calendar(calendar_id)
    # then: moved here, and the worker writes the new version back at the same time
    assert stored(appointment).start_at == later
    wait_for(lambda: synced(appointment), what="the move written back")
    event = fake.get(CALENDAR, appointment.id.hex)
    assert event["extendedProperties"]["private"]["version"] == "2"
    poll_doctor_calendar(calendar_id)  # the echo
    row = stored(appointment)
    assert (row.version, row.start_at, row.calendar_review_reason) == (2, later, None)


def _calendar_of(clinic) -> uuid.UUID:
    with session_scope(read_only=True) as session:
        return session.exec(
            select(DoctorCalendar.id).where(DoctorCalendar.doctor_id == clinic.doctor.id)
        ).one()


def _channel_of(clinic) -> DoctorCalendar:
    with session_scope(read_only=True) as session:
        return session.exec(
            select(DoctorCalendar).where(DoctorCalendar.doctor_id == clinic.doctor.id)
        ).one()


def _busy_blocks() -> list[CalendarBusyBlock]:
    with session_scope(read_only=True) as session:
        return list(session.exec(select(CalendarBusyBlock)).all())


def test_change_in_google_reaches_busy_blocks_through_push_on_the_worker(
    synced_clinic, fake, api, monkeypatch
):
    # given: a channel posting to our webhook, and the calendar read once
    monkeypatch.setattr(settings, "GOOGLE_PUSH_URL", _push_url(api))
    calendar_id = _calendar_of(synced_clinic)
    assert push.open_channel(calendar_id) is push.ChannelOutcome.OPENED
    poll_doctor_calendar(calendar_id)
    fake.push.wait_idle()
    # when: the doctor blocks two hours in Google (webhook -> POLL_CALENDAR on the worker)
    start = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    event = fake.insert(
        CALENDAR,
        {
            "summary": "Cirugía personal",
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": (start + timedelta(hours=2)).isoformat()},
        },
    )
    # then: no beat runs here, so only the notification can have brought it (the lag is
    # measured in bench/bench_calendar_inbound.py)
    stored_blocks = wait_for(_busy_blocks, what="the busy block read by the worker")
    assert [(b.google_event_id, b.start_at) for b in stored_blocks] == [(event["id"], start)]
    assert fake.push.notifications()[-1].status == 200


def test_channel_renewal_by_the_sweep_on_the_worker(synced_clinic, fake, api, monkeypatch):
    # given: a channel that expires in 12 hours
    monkeypatch.setattr(settings, "GOOGLE_PUSH_URL", _push_url(api))
    calendar_id = _calendar_of(synced_clinic)
    push.open_channel(calendar_id)
    old = _channel_of(synced_clinic)
    with session_scope(write=True) as session:
        row = session.get(DoctorCalendar, calendar_id)
        row.channel_expires_at = utcnow() + timedelta(hours=12)
        session.add(row)
    # when: beat's "calendar-channels" pass runs on the worker
    renew_calendar_channels_task.apply_async()
    # then: a new channel saved, the old one stopped in Google
    wait_for(
        lambda: _channel_of(synced_clinic).channel_id != old.channel_id,
        what="the channel renewed",
    )
    new = _channel_of(synced_clinic)
    wait_for(lambda: old.channel_id not in fake.channels, what="the old channel stopped")
    assert set(fake.channels) == {new.channel_id}
    assert new.channel_expires_at > utcnow() + timedelta(days=6)


def test_poll_task_waits_while_another_poll_of_the_calendar_runs(pg, fake, monkeypatch):
    # given: a connected calendar whose poll lock someone else holds
    fake.reset()
    for name, value in _google_env(fake).items():
        monkeypatch.setattr(settings, name, value)
    clinic = build_clinic()
    connections.connect(slug=clinic.tenant.slug, refresh_token=DEFAULT_REFRESH_TOKEN)
    connections.set_doctor_calendar(
        slug=clinic.tenant.slug, doctor_email=clinic.doctor.email, calendar_id=CALENDAR
    )
    calendar_id = str(_calendar_of(clinic))
    # when: the task runs (eagerly: its retries too) while the lock is held, then after
    with exclusive(f"calendar-poll:{calendar_id}", timeout_s=60):
        waiting = poll_calendar_task.apply(args=[calendar_id])
    reads_while_held = len(fake.calls)
    polled = poll_calendar_task.apply(args=[calendar_id])
    # then
    assert not waiting.successful() and reads_while_held == 0  # retried, never read Google
    assert polled.get() == "updated" and len(fake.calls) == 1
