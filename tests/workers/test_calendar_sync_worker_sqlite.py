"""Google Calendar sync on a real Celery worker and Redis over the embedded database (SQLite file).

The same worker command as in production, pointed at a SQLite file this
process writes too: bookings, moves and cancellations reach the fake Google
over HTTP, exactly once each.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from backend.core import db as core_db
from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.domain.appointment_rules import Status
from backend.integrations.google_calendar import fake_server
from backend.integrations.google_calendar.fake_server import DEFAULT_REFRESH_TOKEN, FakeGoogle
from backend.models import CalendarBusyBlock, DoctorCalendar
from backend.services.calendar_sync import connections
from backend.workers import celery_app as celery_module
from backend.workers.tasks import poll_calendar_task
from tests.conftest import _empty_tables
from tests.workers.conftest import REDIS_URL, WorkerProcess, use_broker, wait_for
from tests.workers.support import book, build_clinic, change_status, reschedule
from tests.workers.test_calendar_sync_worker import _google_env, free_slots, stored, synced

CALENDAR = "agenda.sqlite@example.com"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGoogle]:
    server = FakeGoogle().serve()
    yield server
    server.shutdown()


@pytest.fixture
def sqlite(engines: dict[str, Engine]) -> Iterator[Engine]:
    engine = engines["sqlite"]
    core_db.set_engine(engine)
    try:
        yield engine
    finally:
        core_db.set_engine(None)
        _empty_tables(engine)


@pytest.fixture(scope="module")
def sqlite_worker(engines, fake, tmp_path_factory) -> Iterator[WorkerProcess]:
    env = _google_env(fake)
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    process = WorkerProcess(
        broker_url=REDIS_URL,
        database_url=engines["sqlite"].url.render_as_string(hide_password=False),
        queue=f"vetassist-gcal-lite-{os.getpid()}-{uuid.uuid4().hex[:6]}",
        log=tmp_path_factory.mktemp("gcal-sqlite-worker") / "worker.log",
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
def synced_clinic(sqlite, fake, sqlite_worker, monkeypatch):
    fake.reset()
    for name, value in _google_env(fake).items():
        monkeypatch.setattr(settings, name, value)
    use_broker(monkeypatch, sqlite_worker.broker_url, sqlite_worker.queue)
    clinic = build_clinic()
    connections.connect(slug=clinic.tenant.slug, refresh_token=DEFAULT_REFRESH_TOKEN)
    connections.set_doctor_calendar(
        slug=clinic.tenant.slug, doctor_email=clinic.doctor.email, calendar_id=CALENDAR
    )
    yield clinic
    celery_module.configure(celery_module.DEFAULT_BROKER_URL, queue="vetassist")


def test_worker_on_sqlite_syncs_create_reschedule_cancel_and_emergency(synced_clinic, fake):
    # given
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
    # then
    events = {e["id"]: e for e in fake.events(CALENDAR)}
    assert set(events) == {moved.id.hex, emergency.id.hex}
    assert events[moved.id.hex]["extendedProperties"]["private"]["version"] == "2"
    assert events[emergency.id.hex]["summary"].startswith("🚨 EMERGENCIA · ")
    assert stored(moved).calendar_sync_ok is True
    inserts = [path for method, path in fake.calls if method == "POST" and path.endswith("/events")]
    assert len(inserts) == 3  # one insert per appointment, never a second event


def test_worker_on_sqlite_refreshes_an_expired_access_token(synced_clinic, fake):
    # given: every access token handed out so far is refused from now on
    (slot,) = free_slots(synced_clinic, 1)
    fake.expire_access_tokens()
    # when
    appointment = book(synced_clinic, slot)
    # then: the worker asked for a new token and wrote the event
    wait_for(lambda: synced(appointment), what="synced with a fresh access token")
    assert [e["id"] for e in fake.events(CALENDAR)] == [appointment.id.hex]


def test_worker_on_sqlite_recovers_from_410_mid_paging_with_a_full_read(
    synced_clinic, fake, monkeypatch
):
    # given: the calendar read once, then three events of the doctor's own
    calendar_id = _calendar_id(synced_clinic)
    poll_calendar_task.apply_async(args=[str(calendar_id)])
    wait_for(lambda: _row(calendar_id).sync_token, what="first read")
    first_full_read = _row(calendar_id).busy_resynced_at
    monkeypatch.setattr(fake_server, "DEFAULT_PAGE_SIZE", 2)
    start = (utcnow() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    for hour in range(3):
        fake.insert(
            CALENDAR,
            {
                "summary": "Curso de ecografía",
                "start": {"dateTime": (start + timedelta(hours=hour)).isoformat()},
                "end": {"dateTime": (start + timedelta(hours=hour, minutes=30)).isoformat()},
            },
        )
    # when: the token is refused on the second page of changes
    fake.delay_next(0)
    fake.fail_next(410)
    poll_calendar_task.apply_async(args=[str(calendar_id)])
    # then: the worker read the whole calendar again and stored every block once
    wait_for(lambda: len(_blocks()) == 3, what="three busy blocks after the full read")
    assert _row(calendar_id).busy_resynced_at > first_full_read
    assert fake.faults == []  # the 410 was answered


def _calendar_id(clinic) -> uuid.UUID:
    with session_scope(read_only=True) as session:
        return session.exec(
            select(DoctorCalendar.id).where(DoctorCalendar.doctor_id == clinic.doctor.id)
        ).one()


def _row(calendar_id: uuid.UUID) -> DoctorCalendar:
    with session_scope(read_only=True) as session:
        return session.get(DoctorCalendar, calendar_id)


def _blocks() -> list[CalendarBusyBlock]:
    with session_scope(read_only=True) as session:
        return list(session.exec(select(CalendarBusyBlock)).all())
