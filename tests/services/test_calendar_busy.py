"""Busy time read back from the doctor's Google Calendar (the fake) blocks slots and bookings.

At Thursday 28 January 2027, 3:20 PM in Bogotá, with the doctor working 9-12
and 14-18, the assistant offers 1. Hoy 4:30 PM, 2. Mañana 9:00 AM,
3. Mañana 2:00 PM. The poll runs in-process against the fake.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from backend.api.main import app
from backend.core.clock import clock
from backend.core.db import session_scope
from backend.integrations.google_calendar import fake_server
from backend.integrations.google_calendar.fake_server import DEFAULT_REFRESH_TOKEN, FakeGoogle
from backend.integrations.llm import set_interpreter
from backend.integrations.whatsapp import SandboxChannel, set_channel
from backend.models import Alert, CalendarBusyBlock, DoctorCalendar, GoogleConnection, Tenant
from backend.services.calendar_sync import connections
from backend.services.calendar_sync.inbound import (
    PollOutcome,
    poll_connected_calendars,
    poll_doctor_calendar,
)
from backend.services.scheduling import availability, calendar_view
from backend.workers.sweeps import SWEEPS_BY_NAME
from tests.chat import Chat, add_client, configure_webhook, make_clinic, weekday_periods
from tests.factories import make_client, make_doctor
from tests.google_fake import use_fake_google

CALENDAR = "ana@patitas.example.com"
PERIODS = weekday_periods("09:00", "12:00") + weekday_periods("14:00", "18:00")
THURSDAY_3_20_PM = datetime(2027, 1, 28, 20, 20, tzinfo=UTC)  # 15:20 in Bogotá
FRIDAY = date(2027, 1, 29)
FRIDAY_9 = datetime(2027, 1, 29, 14, 0, tzinfo=UTC)  # 9:00 in Bogotá


@pytest.fixture(scope="module")
def fake():
    server = FakeGoogle().serve()
    yield server
    server.shutdown()


@pytest.fixture
def google(fake, monkeypatch):
    use_fake_google(monkeypatch, fake)
    return fake


@pytest.fixture
def now():
    clock.freeze(THURSDAY_3_20_PM)
    try:
        yield THURSDAY_3_20_PM
    finally:
        clock.unfreeze()


@pytest.fixture
def clinic(db, now, google):
    built = make_clinic(periods=PERIODS)
    connections.connect(slug=built.tenant.slug, refresh_token=DEFAULT_REFRESH_TOKEN)
    connections.set_doctor_calendar(
        slug=built.tenant.slug, doctor_email=built.doctor.email, calendar_id=CALENDAR
    )
    return built


@pytest.fixture
def http():
    client = TestClient(app, raise_server_exceptions=False)
    yield client
    client.close()


def add_event(fake, start: datetime, end: datetime, **extra) -> dict:
    body = {
        "summary": "Reunión del colegio veterinario",
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": end.isoformat()},
        **extra,
    }
    return fake.insert(CALENDAR, body)


def calendar_row(doctor_id: uuid.UUID) -> DoctorCalendar:
    with session_scope(read_only=True) as session:
        return session.exec(
            select(DoctorCalendar).where(DoctorCalendar.doctor_id == doctor_id)
        ).one()


def poll(clinic) -> PollOutcome:
    return poll_doctor_calendar(calendar_row(clinic.doctor.id).id)


def blocks() -> list[CalendarBusyBlock]:
    with session_scope(read_only=True) as session:
        return list(
            session.exec(select(CalendarBusyBlock).order_by(CalendarBusyBlock.start_at)).all()
        )


def free_starts(clinic, day: date = FRIDAY) -> list[str]:
    slots = availability.free_slots(
        tenant=clinic.tenant, day=day, doctor_id=clinic.doctor.id, limit=None
    )
    return [(s.start - timedelta(hours=5)).strftime("%H:%M") for s in slots]  # Bogotá, UTC-5


def test_own_event_blocks_its_slots_in_availability(clinic, google):
    assert "09:00" in free_starts(clinic)
    add_event(google, FRIDAY_9, FRIDAY_9 + timedelta(hours=1))
    assert poll(clinic) == PollOutcome.UPDATED
    starts = free_starts(clinic)
    assert "09:00" not in starts and "09:30" not in starts
    assert "10:00" in starts and "14:00" in starts
    (block,) = blocks()
    assert (block.start_at, block.end_at, block.all_day) == (
        FRIDAY_9,
        FRIDAY_9 + timedelta(hours=1),
        False,
    )


@pytest.fixture
def assistant_channel(monkeypatch):
    configure_webhook(monkeypatch)
    set_channel(SandboxChannel())
    set_interpreter(None)
    yield
    set_channel(None)
    set_interpreter(None)


def test_assistant_does_not_offer_a_time_blocked_in_google(clinic, google, http, assistant_channel):
    add_event(google, FRIDAY_9, FRIDAY_9 + timedelta(hours=1))
    poll(clinic)
    chat = Chat(http=http, phone="+573001112233")
    add_client(clinic.tenant, chat.phone, "Camila Rodríguez")
    chat.send("Hola, quiero una cita")
    [offer] = chat.send("Control general de mi perro")
    assert "1. Hoy 4:30 PM" in offer
    assert "Mañana 9:00 AM" not in offer and "Mañana 9:30 AM" not in offer
    assert "3. " in offer


def test_transparent_event_does_not_block_and_frees_a_block_when_it_turns_free(clinic, google):
    event = add_event(google, FRIDAY_9, FRIDAY_9 + timedelta(hours=1), transparency="transparent")
    poll(clinic)
    assert blocks() == [] and "09:00" in free_starts(clinic)
    google.patch(CALENDAR, event["id"], {"transparency": "opaque"})
    poll(clinic)
    assert len(blocks()) == 1
    google.patch(CALENDAR, event["id"], {"transparency": "transparent"})
    poll(clinic)
    assert blocks() == [] and "09:00" in free_starts(clinic)


def test_deleted_event_frees_its_slots(clinic, google):
    event = add_event(google, FRIDAY_9, FRIDAY_9 + timedelta(hours=1))
    poll(clinic)
    google.delete(CALENDAR, event["id"])
    assert poll(clinic) == PollOutcome.UPDATED
    assert blocks() == [] and "09:00" in free_starts(clinic)


def test_our_own_appointment_events_are_not_busy_blocks(clinic, google):
    add_event(
        google,
        FRIDAY_9,
        FRIDAY_9 + timedelta(hours=1),
        extendedProperties={"private": {"appointmentId": str(uuid.uuid4())}},
    )
    poll(clinic)
    assert blocks() == []


def test_all_day_event_blocks_the_local_days_in_a_dst_zone(clinic, google):
    with session_scope(write=True) as session:
        tenant = session.get(Tenant, clinic.tenant.id)
        tenant.timezone = "America/Santiago"
        session.add(tenant)
    # Friday 29 January (summer time, UTC-3), and 3-4 April 2027 across the end of DST
    google.insert(CALENDAR, {"start": {"date": "2027-01-29"}, "end": {"date": "2027-01-30"}})
    google.insert(CALENDAR, {"start": {"date": "2027-04-03"}, "end": {"date": "2027-04-05"}})
    poll(clinic)
    friday, easter = blocks()
    assert (friday.start_at, friday.end_at, friday.all_day) == (
        datetime(2027, 1, 29, 3, 0, tzinfo=UTC),
        datetime(2027, 1, 30, 3, 0, tzinfo=UTC),
        True,
    )
    assert (easter.start_at, easter.end_at) == (
        datetime(2027, 4, 3, 3, 0, tzinfo=UTC),
        datetime(2027, 4, 5, 4, 0, tzinfo=UTC),  # Sunday's midnight is at UTC-4 again
    )
    with session_scope(read_only=True) as session:
        tenant = session.get(Tenant, clinic.tenant.id)
    assert availability.free_slots(tenant=tenant, day=FRIDAY, doctor_id=clinic.doctor.id) == []
    assert availability.free_slots(tenant=tenant, day=date(2027, 2, 1), doctor_id=clinic.doctor.id)


def test_each_occurrence_of_a_recurring_event_blocks_its_slot(clinic, google):
    # given: every Friday 9:00-10:00, three times (the fake expands it, as Google does)
    series = add_event(
        google,
        FRIDAY_9,
        FRIDAY_9 + timedelta(hours=1),
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"],
    )
    # when
    poll(clinic)
    # then
    assert [b.start_at for b in blocks()] == [FRIDAY_9 + timedelta(weeks=w) for w in range(3)]
    for week in range(3):
        assert "09:00" not in free_starts(clinic, FRIDAY + timedelta(weeks=week))
    assert "09:00" in free_starts(clinic, FRIDAY + timedelta(weeks=3))
    # and deleting the series frees every occurrence
    google.delete(CALENDAR, series["id"])
    poll(clinic)
    assert blocks() == []


def test_expired_sync_token_replaces_the_busy_blocks_with_a_full_read(clinic, google):
    kept = add_event(google, FRIDAY_9, FRIDAY_9 + timedelta(hours=1))
    poll(clinic)
    with session_scope(write=True) as session:  # a block Google no longer has
        session.add(
            CalendarBusyBlock(
                tenant_id=clinic.tenant.id,
                doctor_id=clinic.doctor.id,
                google_event_id="gone0001",
                start_at=FRIDAY_9 + timedelta(hours=2),
                end_at=FRIDAY_9 + timedelta(hours=3),
            )
        )
    google.expire_sync_tokens()
    added = add_event(google, FRIDAY_9 + timedelta(hours=5), FRIDAY_9 + timedelta(hours=6))
    old_token = calendar_row(clinic.doctor.id).sync_token
    assert poll(clinic) == PollOutcome.RESYNCED
    assert {b.google_event_id for b in blocks()} == {kept["id"], added["id"]}
    assert calendar_row(clinic.doctor.id).sync_token not in (None, old_token)


def test_failure_on_the_second_page_records_nothing(clinic, google, monkeypatch):
    poll(clinic)
    old_token = calendar_row(clinic.doctor.id).sync_token
    monkeypatch.setattr(fake_server, "DEFAULT_PAGE_SIZE", 2)
    for hour in range(3):
        add_event(
            google, FRIDAY_9 + timedelta(hours=hour), FRIDAY_9 + timedelta(hours=hour, minutes=30)
        )
    google.calls.clear()
    google.delay_next(0)  # page 1 answers
    google.fail_next(500)  # page 2 fails
    assert poll(clinic) == PollOutcome.RETRY
    assert len(google.calls) == 1  # only the first page was answered
    assert blocks() == []
    assert calendar_row(clinic.doctor.id).sync_token == old_token
    assert poll(clinic) == PollOutcome.UPDATED
    assert len(blocks()) == 3


def test_revoked_token_breaks_the_connection_with_one_alert(clinic, google):
    google.revoke(DEFAULT_REFRESH_TOKEN)
    assert poll(clinic) == PollOutcome.BROKEN
    assert poll(clinic) == PollOutcome.SKIPPED
    with session_scope(read_only=True) as session:
        connection = session.exec(select(GoogleConnection)).one()
        raised = session.exec(select(Alert).where(Alert.kind == "calendar_connection")).all()
    assert connection.status == connections.BROKEN and len(raised) == 1


def book_over_the_block(clinic, http, **extra):
    with session_scope(write=True) as session:
        client = make_client(session, clinic.tenant)
        client_id = client.id
    return http.post(
        "/api/v1/appointments",
        headers={"Authorization": f"Bearer {clinic.key}"},
        json={
            "doctorId": str(clinic.doctor.id),
            "clientId": str(client_id),
            "startAt": "2027-01-29T09:30:00-05:00",
            **extra,
        },
    )


def test_booking_over_a_busy_block_is_refused_with_409(clinic, google, http):
    add_event(google, FRIDAY_9, FRIDAY_9 + timedelta(hours=1))
    poll(clinic)
    response = book_over_the_block(clinic, http)
    assert response.status_code == 409, response.text
    assert response.json()["error"] == {
        "code": "doctor_busy",
        "message": "El médico tiene ese horario ocupado en su Google Calendar",
        "field": "startAt",
    }


def test_emergency_may_overlap_a_busy_block(clinic, google, http):
    add_event(google, FRIDAY_9, FRIDAY_9 + timedelta(hours=1))
    poll(clinic)
    response = book_over_the_block(clinic, http, priority="emergency")
    assert response.status_code == 201, response.text


def test_poll_sweep_is_bounded_and_takes_the_least_recently_polled_first(clinic, google):
    for name in ("Dr. Bravo", "Dr. Castro"):
        with session_scope(write=True) as session:
            doctor = make_doctor(session, clinic.tenant, name=name, periods=PERIODS)
            email = doctor.email
        connections.set_doctor_calendar(
            slug=clinic.tenant.slug, doctor_email=email, calendar_id=f"{email}.cal"
        )
    assert poll_connected_calendars(limit=2) == 2
    with session_scope(read_only=True) as session:
        rows = session.exec(select(DoctorCalendar)).all()
    assert sorted(r.busy_polled_at is None for r in rows) == [False, False, True]
    assert SWEEPS_BY_NAME["calendar-busy"]() == 3
    with session_scope(read_only=True) as session:
        rows = session.exec(select(DoctorCalendar)).all()
    assert all(r.busy_polled_at is not None for r in rows)


def test_calendar_period_carries_the_google_busy_time_for_the_portal(clinic, google):
    add_event(google, FRIDAY_9, FRIDAY_9 + timedelta(hours=1))
    poll(clinic)
    period = calendar_view.period(tenant_id=clinic.tenant.id, days=[FRIDAY])
    assert [(i.start, i.end) for i in period.google_busy[clinic.doctor.id]] == [
        (FRIDAY_9, FRIDAY_9 + timedelta(hours=1))
    ]


def test_an_occurrence_beyond_what_anyone_can_book_is_not_stored(clinic, google, now):
    add_event(google, now + timedelta(days=500), now + timedelta(days=500, hours=1))
    add_event(google, now + timedelta(days=10), now + timedelta(days=10, hours=1))
    poll(clinic)
    assert [b.start_at for b in blocks()] == [now + timedelta(days=10)]


def test_the_whole_calendar_is_read_again_every_week(clinic, google, now):
    add_event(google, now + timedelta(days=10), now + timedelta(days=10, hours=1))
    assert poll(clinic) == PollOutcome.UPDATED
    with session_scope(write=True) as session:  # blocks lost or drifted somehow
        for block in session.exec(select(CalendarBusyBlock)):
            session.delete(block)
    assert poll(clinic) == PollOutcome.UPDATED and blocks() == []  # nothing changed in Google

    clock.freeze(now + timedelta(days=8))
    assert poll(clinic) == PollOutcome.RESYNCED
    assert [b.start_at for b in blocks()] == [now + timedelta(days=10)]
    assert calendar_row(clinic.doctor.id).busy_resynced_at == now + timedelta(days=8)


def test_a_poll_finishing_after_a_disconnect_writes_no_busy_time_back(clinic, google, monkeypatch):
    # given: the clinic is disconnected while a poll is reading Google
    from backend.services.actors import Actor
    from backend.services.calendar_sync import inbound, oauth

    add_event(google, FRIDAY_9, FRIDAY_9 + timedelta(hours=1))
    original = inbound._read_all

    def read_then_disconnect(*args, **kwargs):
        answer = original(*args, **kwargs)
        oauth.disconnect(clinic.tenant.id, Actor(type="user", id="m1", label="Gerente"))
        return answer

    monkeypatch.setattr(inbound, "_read_all", read_then_disconnect)
    # when
    poll(clinic)
    # then: nothing it read blocks the disconnected clinic's slots
    assert blocks() == []
    assert "09:00" in free_starts(clinic)
