"""Google Calendar sync on a real Celery worker and Redis, writing to the fake Google over HTTP."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet

from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.domain.appointment_rules import Status
from backend.integrations.google_calendar.fake_server import DEFAULT_REFRESH_TOKEN, FakeGoogle
from backend.models import Appointment
from backend.services.calendar_sync import connections
from backend.services.scheduling import availability
from backend.workers import celery_app as celery_module
from backend.workers.tasks import sync_calendar_task
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
def google_worker(engines, fake, tmp_path_factory) -> Iterator[WorkerProcess]:
    """A worker of its own (its own queue) whose environment turns calendar sync on."""
    env = _google_env(fake)
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
