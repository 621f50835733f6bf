"""Outbound Google Calendar sync: appointments written to the doctor's calendar on the fake Google.

The real SDK talks to the in-process fake (`fake_server`); jobs run in-process
after the relay's commit, as in the embedded app.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlmodel import select

from backend.__main__ import main
from backend.core.clock import clock
from backend.core.config import Settings, settings
from backend.core.db import session_scope
from backend.domain.appointment_rules import Status
from backend.domain.errors import DomainError
from backend.integrations.google_calendar.fake_server import DEFAULT_REFRESH_TOKEN, FakeGoogle
from backend.integrations.google_calendar.google_client import GoogleCalendarGateway
from backend.models import Alert, Appointment, GoogleConnection
from backend.services.calendar_sync import connections, health
from backend.services.calendar_sync.outbound import (
    SyncOutcome,
    resubmit_unsynced,
    retry,
    sync_appointment,
)
from backend.services.scheduling import booking
from tests.factories import make_doctor, weekday_periods
from tests.google_fake import use_fake_google
from tests.workers.support import (
    MONDAY_9,
    RECEPTION,
    book,
    build_clinic,
    change_status,
    relay,
    reschedule,
)

CALENDAR = "dra.prueba@example.com"


@pytest.fixture(scope="module")
def fake():
    server = FakeGoogle().serve()
    yield server
    server.shutdown()


@pytest.fixture
def google(fake, monkeypatch):
    use_fake_google(monkeypatch, fake)
    return fake


def connect(clinic, calendar: str = CALENDAR, token: str = DEFAULT_REFRESH_TOKEN) -> None:
    connections.connect(slug=clinic.tenant.slug, refresh_token=token)
    connections.set_doctor_calendar(
        slug=clinic.tenant.slug, doctor_email=clinic.doctor.email, calendar_id=calendar
    )


@pytest.fixture
def clinic(db, frozen_clock, google):
    built = build_clinic()
    connect(built)
    return built


def current(appointment) -> Appointment:
    with session_scope(read_only=True) as session:
        return session.get(Appointment, appointment.id)


def alerts_of(kind: str) -> list[Alert]:
    with session_scope(read_only=True) as session:
        return list(session.exec(select(Alert).where(Alert.kind == kind)).all())


def live_events(fake, calendar: str = CALENDAR) -> dict[str, str]:
    return {e["id"]: e["start"]["dateTime"] for e in fake.events(calendar)}


def test_booking_writes_one_event_in_spanish_at_its_time(clinic, google):
    # when
    appointment = book(clinic, reason="vómito")
    relay()
    # then
    (event,) = google.events(CALENDAR)
    assert event["id"] == appointment.id.hex
    assert event["summary"] == "🐾 Luna (gato) · Camila Rodríguez"
    assert event["start"] == {"dateTime": "2027-02-01T09:00:00-05:00", "timeZone": "America/Bogota"}
    assert "Motivo: vómito" in event["description"]
    assert "Teléfono: +573001234567" in event["description"]
    assert f"/citas/{appointment.id}" in event["description"]
    assert event["extendedProperties"]["private"] == {
        "appointmentId": str(appointment.id),
        "clinicId": str(clinic.tenant.id),
        "version": "1",
    }
    synced = current(appointment)
    assert (synced.calendar_sync_ok, synced.calendar_synced_version) == (True, 1)
    assert synced.calendar_event_id == appointment.id.hex
    assert synced.calendar_synced_at is not None


def test_reschedule_moves_the_same_event(clinic, google):
    appointment = book(clinic)
    relay()
    moved = reschedule(clinic, appointment, MONDAY_9 + timedelta(hours=2))
    relay()
    assert live_events(google) == {appointment.id.hex: "2027-02-01T11:00:00-05:00"}
    assert current(appointment).calendar_synced_version == moved.version


def test_a_change_to_a_written_event_costs_one_patch(clinic, google):
    # given
    appointment = book(clinic)
    relay()
    google.calls.clear()
    # when
    reschedule(clinic, appointment, MONDAY_9 + timedelta(hours=1))
    relay()
    # then
    assert [method for method, _ in google.calls] == ["PATCH"]


def test_the_next_change_brings_back_an_event_deleted_in_google(clinic, google):
    # given: someone deleted the event in Google
    appointment = book(clinic)
    relay()
    google.delete(CALENDAR, appointment.id.hex)
    # when
    reschedule(clinic, appointment, MONDAY_9 + timedelta(hours=3))
    relay()
    # then
    assert live_events(google) == {appointment.id.hex: "2027-02-01T12:00:00-05:00"}


def test_cancel_deletes_the_event(clinic, google):
    appointment = book(clinic)
    relay()
    change_status(clinic, appointment, Status.CANCELLED)
    relay()
    assert live_events(google) == {}
    assert current(appointment).calendar_sync_ok is True


def test_cancel_before_any_sync_leaves_no_event(clinic, google):
    appointment = book(clinic)
    change_status(clinic, appointment, Status.CANCELLED)
    relay()
    assert live_events(google) == {}
    assert current(appointment).calendar_synced_version == current(appointment).version


def test_emergency_is_marked_in_the_summary(clinic, google):
    book(clinic, priority="emergency")
    relay()
    (event,) = google.events(CALENDAR)
    assert event["summary"].startswith("🚨 EMERGENCIA · 🐾 Luna")
    assert event["colorId"] == "11"


def test_insert_answering_409_becomes_a_patch(clinic, google):
    # given: the event already exists (an earlier insert whose answer was lost)
    appointment = book(clinic)
    gateway = GoogleCalendarGateway(
        refresh_token=DEFAULT_REFRESH_TOKEN,
        client_id="c",
        client_secret="s",
        base_url=google.base_url,
        token_uri=google.token_uri,
    )
    gateway.insert_event(
        CALENDAR,
        {
            "id": appointment.id.hex,
            "summary": "antiguo",
            "start": {"dateTime": "2027-02-01T07:00:00-05:00"},
            "end": {"dateTime": "2027-02-01T07:30:00-05:00"},
        },
    )
    # when
    relay()
    # then
    (event,) = google.events(CALENDAR)
    assert event["summary"] == "🐾 Luna (gato) · Camila Rodríguez"
    assert event["start"]["dateTime"] == "2027-02-01T09:00:00-05:00"


def second_doctor(clinic, *, calendar: str | None):
    with session_scope(write=True) as session:
        doctor = make_doctor(
            session, clinic.tenant, name="Dr. Segundo", periods=weekday_periods("08:00", "18:00")
        )
    if calendar is not None:
        connections.set_doctor_calendar(
            slug=clinic.tenant.slug, doctor_email=doctor.email, calendar_id=calendar
        )
    return doctor


def move_to(clinic, appointment, doctor) -> Appointment:
    with session_scope(write=True) as session:
        return booking.reschedule(
            session,
            tenant=clinic.tenant,
            actor=RECEPTION,
            appointment_id=appointment.id,
            start_at=MONDAY_9 + timedelta(hours=1),
            doctor_id=doctor.id,
            expected_version=current(appointment).version,
        )


def test_moving_to_another_doctor_moves_the_event_to_their_calendar(clinic, google):
    # given
    other = second_doctor(clinic, calendar="otro@example.com")
    appointment = book(clinic)
    relay()
    # when
    move_to(clinic, appointment, other)
    relay()
    # then: one live event, in the new doctor's calendar
    assert live_events(google) == {}
    assert live_events(google, "otro@example.com") == {
        appointment.id.hex: "2027-02-01T10:00:00-05:00"
    }
    assert current(appointment).calendar_synced_to == "otro@example.com"
    # and cancelling deletes it there
    change_status(clinic, appointment, Status.CANCELLED)
    relay()
    assert live_events(google, "otro@example.com") == {}


def test_moving_to_a_doctor_without_calendar_removes_the_event(clinic, google):
    other = second_doctor(clinic, calendar=None)
    appointment = book(clinic)
    relay()
    move_to(clinic, appointment, other)
    relay()
    assert live_events(google) == {}
    moved = current(appointment)
    assert moved.calendar_synced_to is None
    assert moved.calendar_synced_version == moved.version


def test_retryable_503_stays_pending_then_the_sweep_syncs_it(clinic, google):
    # given
    google.fail_next(503)
    appointment = book(clinic)
    relay()
    pending = current(appointment)
    assert pending.calendar_sync_ok is None and pending.calendar_synced_version is None
    assert "503" in pending.calendar_sync_error
    # when: the sweep a minute later
    clock.advance(timedelta(minutes=2))
    assert resubmit_unsynced() == 1
    # then
    assert live_events(google) == {appointment.id.hex: "2027-02-01T09:00:00-05:00"}
    assert current(appointment).calendar_sync_ok is True
    assert alerts_of("calendar_sync") == []
    assert resubmit_unsynced() == 0


def test_retryable_failure_on_the_last_attempt_is_recorded_with_one_alert(clinic, google):
    google.fail_next(429, count=2)
    appointment = book(clinic)
    assert sync_appointment(appointment.id, last_attempt=True) is SyncOutcome.FAILED
    assert sync_appointment(appointment.id, last_attempt=True) is SyncOutcome.FAILED
    failed = current(appointment)
    assert failed.calendar_sync_ok is False and "429" in failed.calendar_sync_error
    assert len(alerts_of("calendar_sync")) == 1


def test_non_retryable_400_is_recorded_at_once_with_one_alert(clinic, google):
    # when
    google.fail_next(400, count=2)
    appointment = book(clinic)
    relay()
    # then
    failed = current(appointment)
    assert failed.calendar_sync_ok is False
    assert failed.calendar_sync_error.startswith("Google respondió 400")
    (alert,) = alerts_of("calendar_sync")
    assert alert.subject_id == appointment.id
    assert "sigue vigente" in alert.body
    # a second failure of the same appointment raises no second alert
    assert sync_appointment(appointment.id) is SyncOutcome.FAILED
    assert len(alerts_of("calendar_sync")) == 1
    # and the sweep leaves failed ones alone
    clock.advance(timedelta(minutes=2))
    assert resubmit_unsynced() == 0


def test_retry_from_the_portal_syncs_a_failed_appointment(clinic, google):
    google.fail_next(400)
    appointment = book(clinic)
    relay()
    assert current(appointment).calendar_sync_ok is False
    assert retry(tenant_id=clinic.tenant.id, appointment_id=appointment.id) is True
    assert current(appointment).calendar_sync_ok is True
    assert live_events(google) == {appointment.id.hex: "2027-02-01T09:00:00-05:00"}


def test_invalid_grant_breaks_the_connection_with_one_alert(clinic, google):
    # given: the clinic's token is revoked in Google
    google.revoke(DEFAULT_REFRESH_TOKEN)
    first = book(clinic)
    relay()
    second = book(clinic, MONDAY_9 + timedelta(hours=1))
    relay()
    # then
    with session_scope(read_only=True) as session:
        connection = session.exec(select(GoogleConnection)).one()
    assert connection.status == "broken" and "invalid_grant" in connection.broken_reason
    assert len(alerts_of("calendar_connection")) == 1
    assert current(first).calendar_sync_ok is False
    assert current(second).calendar_sync_ok is None  # not even tried while broken
    assert alerts_of("calendar_sync") == []
    # when: reconnected with a good token, the sweep catches up
    connect(clinic, token=google.grant_refresh_token())
    clock.advance(timedelta(minutes=2))
    assert resubmit_unsynced() == 2
    assert set(live_events(google)) == {first.id.hex, second.id.hex}


def test_a_job_for_an_older_version_does_nothing(clinic, google):
    appointment = book(clinic)
    relay()
    reschedule(clinic, appointment, MONDAY_9 + timedelta(hours=3))
    relay()
    calls = len(google.calls)
    # when: the job submitted for version 1 arrives late
    assert sync_appointment(appointment.id) is SyncOutcome.UP_TO_DATE
    assert len(google.calls) == calls
    assert live_events(google) == {appointment.id.hex: "2027-02-01T12:00:00-05:00"}


def test_a_replayed_job_is_a_no_op(clinic, google):
    appointment = book(clinic)
    relay()
    calls = len(google.calls)
    assert sync_appointment(appointment.id) is SyncOutcome.UP_TO_DATE
    assert sync_appointment(appointment.id) is SyncOutcome.UP_TO_DATE
    assert len(google.calls) == calls
    assert len(google.events(CALENDAR)) == 1


def test_clinic_without_a_connection_is_not_synced(db, frozen_clock, google):
    clinic = build_clinic(slug="sin-google")
    appointment = book(clinic)
    relay()
    assert sync_appointment(appointment.id) is SyncOutcome.SKIPPED
    assert google.calls == []
    assert current(appointment).calendar_event_id is None


def test_refresh_token_is_stored_encrypted(clinic):
    with session_scope(read_only=True) as session:
        connection = session.exec(select(GoogleConnection)).one()
    assert DEFAULT_REFRESH_TOKEN not in connection.refresh_token_encrypted


# ---- the property -----------------------------------------------------------------

HOURS = st.integers(min_value=0, max_value=7)
STEP = st.one_of(
    st.tuples(st.just("book"), HOURS),
    st.tuples(st.just("reschedule"), st.integers(0, 5), HOURS),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
    st.tuples(st.just("move"), st.integers(0, 5), HOURS),  # to the other doctor
    st.tuples(st.just("replay"), st.integers(0, 5)),
    st.tuples(st.just("relay")),
    st.tuples(st.just("fault"), st.sampled_from([500, 503, 429, 403])),
    st.tuples(st.just("expire_tokens")),
)


@hsettings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, max_size=12))
def test_any_sequence_converges_to_one_event_per_live_appointment(db, frozen_clock, google, steps):
    # given: a clinic of its own per example, two doctors with a calendar each
    clock.freeze(frozen_clock)
    google.faults.clear()
    suffix = uuid.uuid4().hex[:8]
    clinic = build_clinic(
        slug=f"p{suffix}", whatsapp=f"+1415{int(suffix, 16) % 10**7:07d}", phone="+573001112233"
    )
    calendar = f"{suffix}@example.com"
    connect(clinic, calendar)
    other = second_doctor(clinic, calendar=f"{suffix}-b@example.com")
    calendars = {clinic.doctor.id: calendar, other.id: f"{suffix}-b@example.com"}
    booked: list[Appointment] = []
    # when
    for step in steps:
        try:
            if step[0] == "book":
                booked.append(book(clinic, MONDAY_9 + timedelta(hours=step[1])))
            elif step[0] == "reschedule" and booked:
                target = booked[step[1] % len(booked)]
                reschedule(clinic, target, MONDAY_9 + timedelta(hours=step[2], minutes=30))
            elif step[0] == "move" and booked:
                target = booked[step[1] % len(booked)]
                with session_scope(write=True) as session:
                    now = session.get(Appointment, target.id)
                    booking.reschedule(
                        session,
                        tenant=clinic.tenant,
                        actor=RECEPTION,
                        appointment_id=target.id,
                        start_at=MONDAY_9 + timedelta(hours=step[2], minutes=15),
                        doctor_id=other.id
                        if now.doctor_id == clinic.doctor.id
                        else clinic.doctor.id,
                        expected_version=now.version,
                    )
            elif step[0] == "cancel" and booked:
                change_status(clinic, booked[step[1] % len(booked)], Status.CANCELLED)
            elif step[0] == "replay" and booked:
                sync_appointment(booked[step[1] % len(booked)].id)
            elif step[0] == "relay":
                relay()
            elif step[0] == "fault":
                google.fail_next(step[1], reason="rateLimitExceeded" if step[1] == 403 else None)
            elif step[0] == "expire_tokens":
                google.expire_access_tokens()
        except DomainError:
            pass  # a slot taken or an appointment already cancelled: not this test's subject
    # then: drained (the relay, then the sweep a minute later, until nothing is pending)
    relay()
    for _ in range(10):
        clock.advance(timedelta(minutes=1, seconds=5))
        if resubmit_unsynced() == 0:
            break
    with session_scope(read_only=True) as session:
        rows = [session.get(Appointment, a.id) for a in booked]
    expected = {
        (calendars[a.doctor_id], a.id.hex, a.start_at) for a in rows if a.status != "cancelled"
    }
    shown = {
        (cal, event_id, datetime.fromisoformat(start))
        for cal in calendars.values()
        for event_id, start in live_events(google, cal).items()
    }
    assert shown == expected
    for a in rows:
        assert a.calendar_synced_version == a.version


# ---- operator commands ------------------------------------------------------------


def test_cli_connects_a_clinic_and_sets_a_doctor_calendar(db, frozen_clock, google):
    # given
    clinic = build_clinic(slug="cli")
    # when
    main(["connect-google", "--tenant", "cli", "--refresh-token", DEFAULT_REFRESH_TOKEN])
    main(
        ["set-doctor-calendar", "--tenant", "cli", "--doctor", clinic.doctor.email]
        + ["--calendar", CALENDAR]
    )
    appointment = book(clinic)
    relay()
    # then
    assert set(live_events(google)) == {appointment.id.hex}


def test_cli_refuses_an_unknown_doctor(db, frozen_clock, google):
    build_clinic(slug="cli")
    with pytest.raises(SystemExit) as exc:
        main(
            ["set-doctor-calendar", "--tenant", "cli", "--doctor", "nadie@example.com"]
            + ["--calendar", CALENDAR]
        )
    assert exc.value.code == "error: no staff member 'nadie@example.com' in 'cli'"


def test_cli_refuses_to_connect_without_secrets_key(db, frozen_clock, google, monkeypatch):
    build_clinic(slug="cli")
    monkeypatch.setattr(settings, "SECRETS_KEY", None)
    with pytest.raises(SystemExit) as exc:
        main(["connect-google", "--tenant", "cli", "--refresh-token", "x"])
    assert "SECRETS_KEY" in str(exc.value.code)


def test_settings_refuse_sync_on_without_secrets_key():
    with pytest.raises(ValueError, match="SECRETS_KEY"):
        Settings(GOOGLE_CLIENT_ID="id", GOOGLE_CLIENT_SECRET="s", SECRETS_KEY=None)


def test_nothing_syncs_while_the_install_has_no_google_client(clinic, google, monkeypatch):
    # given: a connected clinic, but GOOGLE_CLIENT_ID removed from the install
    monkeypatch.setattr(settings, "GOOGLE_CLIENT_ID", None)
    appointment = book(clinic)
    relay()
    # then
    assert sync_appointment(appointment.id) is SyncOutcome.SKIPPED
    assert retry(tenant_id=clinic.tenant.id, appointment_id=appointment.id) is False
    assert google.calls == []
    assert current(appointment).calendar_event_id is None


def test_sync_health_shows_the_connection_each_calendar_and_what_failed(clinic, google):
    google.fail_next(400)
    failed = book(clinic, reason="vómito")
    relay()
    fine = book(clinic, start=MONDAY_9 + timedelta(hours=2))
    relay()

    found = health.sync_health(clinic.tenant.id)
    assert (found.enabled, found.status) == (True, "connected")
    [doctor] = found.doctors
    assert (doctor.calendar_id, doctor.failed, doctor.pending) == (CALENDAR, 1, 0)
    [failure] = found.failures
    assert failure.appointment_id == failed.id and failure.error.startswith("Google respondió 400")

    assert health.retry_all_failed(clinic.tenant.id) == 1
    assert current(failed).calendar_sync_ok is True
    assert set(live_events(google)) == {failed.id.hex, fine.id.hex}
    assert health.sync_health(clinic.tenant.id).failures == []
    assert health.retry_all_failed(clinic.tenant.id) == 0


def test_sync_health_of_a_clinic_never_connected(db, frozen_clock, google):
    built = build_clinic()
    found = health.sync_health(built.tenant.id)
    assert found.status == "none" and found.failures == []
    assert [d.calendar_id for d in found.doctors] == [None]
