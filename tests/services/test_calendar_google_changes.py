"""Our own events moved or deleted in Google Calendar (the fake): applied through booking, or
left for a person with the reason and Google's proposed time.

The clinic is in Bogotá (UTC-5), the doctor works 8:00-18:00 on weekdays, the clock is
frozen on Thursday 28 January 2027; the appointment is on Monday 1 February at 9:00.
The real SDK talks to the in-process fake; jobs run in-process after commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from backend.api.main import app
from backend.core.config import settings
from backend.core.db import session_scope
from backend.domain.appointment_rules import Status
from backend.integrations.google_calendar.fake_server import DEFAULT_REFRESH_TOKEN, FakeGoogle
from backend.integrations.whatsapp import SandboxChannel, set_channel
from backend.models import Alert, Appointment, AuditLog, CalendarBusyBlock, DoctorCalendar
from backend.services.calendar_sync import connections, google_changes
from backend.services.calendar_sync.google_changes import GoogleTimeRefused
from backend.services.calendar_sync.inbound import poll_doctor_calendar
from tests.factories import make_api_key
from tests.google_fake import use_fake_google
from tests.workers.support import (
    MONDAY_9,
    RECEPTION,
    book,
    build_clinic,
    change_status,
    outbound_to,
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
    monkeypatch.setattr(
        settings, "WHATSAPP_TEMPLATE_CONTENT_SID", "HX0000000000000000000000000000test"
    )
    set_channel(SandboxChannel())
    yield fake
    set_channel(None)


def connected_clinic(**extra):
    built = build_clinic(**extra)
    connections.connect(slug=built.tenant.slug, refresh_token=DEFAULT_REFRESH_TOKEN)
    connections.set_doctor_calendar(
        slug=built.tenant.slug, doctor_email=built.doctor.email, calendar_id=CALENDAR
    )
    return built


@pytest.fixture
def clinic(db, frozen_clock, google):
    return connected_clinic()


@pytest.fixture
def synced(clinic, google):
    """An appointment on Monday 9:00 written to Google, and the calendar read once."""
    appointment = book(clinic)
    relay()
    poll(clinic)
    return appointment


def poll(clinic) -> None:
    with session_scope(read_only=True) as session:
        calendar_id = session.exec(
            select(DoctorCalendar.id).where(DoctorCalendar.doctor_id == clinic.doctor.id)
        ).one()
    poll_doctor_calendar(calendar_id)


def move_in_google(google, appointment, start: datetime, minutes: int = 30) -> None:
    google.patch(
        CALENDAR,
        appointment.id.hex,
        {
            "start": {"dateTime": start.isoformat(), "timeZone": "America/Bogota"},
            "end": {
                "dateTime": (start + timedelta(minutes=minutes)).isoformat(),
                "timeZone": "America/Bogota",
            },
        },
    )


def current(appointment) -> Appointment:
    with session_scope(read_only=True) as session:
        return session.get(Appointment, appointment.id)


def google_start(google, appointment) -> datetime | None:
    event = google.get(CALENDAR, appointment.id.hex)
    if event["status"] == "cancelled":
        return None
    return datetime.fromisoformat(event["start"]["dateTime"])


def notices(clinic) -> list[str]:
    return [m.body for m in outbound_to(clinic.client.phone) if "cambió" in m.body]


def review_alerts() -> list[Alert]:
    with session_scope(read_only=True) as session:
        return list(
            session.exec(select(Alert).where(Alert.kind == google_changes.ALERT_KIND)).all()
        )


def last_audit(appointment) -> AuditLog:
    with session_scope(read_only=True) as session:
        return session.exec(
            select(AuditLog)
            .where(AuditLog.appointment_id == appointment.id)
            .order_by(col(AuditLog.id).desc())
        ).first()


ELEVEN = MONDAY_9 + timedelta(hours=2)  # Monday 11:00 in Bogotá
EVENING = MONDAY_9 + timedelta(hours=11)  # Monday 20:00, after the doctor's hours


def test_move_in_google_to_a_free_time_is_applied_as_google_and_the_client_told(
    clinic, google, synced
):
    # when
    move_in_google(google, synced, ELEVEN)
    poll(clinic)
    relay()
    # then
    moved = current(synced)
    assert moved.start_at == ELEVEN and moved.end_at == ELEVEN + timedelta(minutes=30)
    assert moved.version == 2 and moved.calendar_review_reason is None
    audit = last_audit(synced)
    assert (audit.action, audit.actor_type, audit.actor_label) == (
        "reschedule",
        "google",
        "Google Calendar",
    )
    (notice,) = notices(clinic)
    assert "ahora es el lunes 1 de febrero a las 11:00 AM" in notice
    # the outbound sync wrote the new version at the same time
    event = google.get(CALENDAR, synced.id.hex)
    assert event["extendedProperties"]["private"]["version"] == "2"
    assert event["start"]["dateTime"] == "2027-02-01T11:00:00-05:00"


def test_our_write_coming_back_changes_nothing(clinic, google, synced):
    move_in_google(google, synced, ELEVEN)
    poll(clinic)
    relay()
    # when: the outbound patch comes back, twice
    poll(clinic)
    relay()
    poll(clinic)
    relay()
    # then
    assert current(synced).version == 2
    assert len(notices(clinic)) == 1
    assert review_alerts() == []


def test_move_outside_hours_is_flagged_with_reason_and_proposal(clinic, google, synced):
    move_in_google(google, synced, EVENING)
    poll(clinic)
    relay()
    flagged = current(synced)
    assert flagged.start_at == MONDAY_9 and flagged.version == 1
    assert flagged.calendar_review_reason == (
        "Movida en Google Calendar al lunes 1 de febrero 8:00 PM, "
        "pero está fuera del horario de trabajo del médico"
    )
    assert flagged.calendar_review_start == EVENING
    assert flagged.calendar_review_end == EVENING + timedelta(minutes=30)
    assert flagged.calendar_review_at is not None
    # the event stays where the doctor put it; the client is not told anything
    assert google_start(google, synced) == EVENING
    assert notices(clinic) == []
    (alert,) = review_alerts()
    assert alert.subject_id == synced.id and "fuera del horario" in alert.body


def test_move_onto_a_taken_time_is_flagged(clinic, google, synced):
    book(clinic, ELEVEN)
    relay()
    move_in_google(google, synced, ELEVEN)
    poll(clinic)
    flagged = current(synced)
    assert flagged.start_at == MONDAY_9
    assert flagged.calendar_review_reason.endswith("pero ese horario ya está ocupado")
    assert "lunes 1 de febrero 11:00 AM" in flagged.calendar_review_reason


def test_move_onto_the_doctors_busy_time_in_google_is_flagged(clinic, google, synced):
    google.insert(
        CALENDAR,
        {
            "summary": "Congreso",
            "start": {"dateTime": ELEVEN.isoformat()},
            "end": {"dateTime": (ELEVEN + timedelta(hours=1)).isoformat()},
        },
    )
    move_in_google(google, synced, ELEVEN)
    poll(clinic)  # the busy block is stored first, then our event is reconciled
    flagged = current(synced)
    assert flagged.start_at == MONDAY_9
    assert flagged.calendar_review_reason.endswith(
        "el médico tiene ese horario ocupado en su Google Calendar"
    )
    with session_scope(read_only=True) as session:
        assert len(session.exec(select(CalendarBusyBlock)).all()) == 1


def test_delete_in_google_is_flagged_and_the_appointment_stays_live(clinic, google, synced):
    google.delete(CALENDAR, synced.id.hex)
    poll(clinic)
    flagged = current(synced)
    assert flagged.status == Status.PENDING and flagged.version == 1
    assert flagged.calendar_review_reason == "Eliminada en Google Calendar"
    assert flagged.calendar_review_start is None
    assert len(review_alerts()) == 1


def test_event_made_all_day_in_google_is_flagged(clinic, google, synced):
    google.patch(
        CALENDAR,
        synced.id.hex,
        {"start": {"date": "2027-02-01"}, "end": {"date": "2027-02-02"}},
    )
    poll(clinic)
    flagged = current(synced)
    assert flagged.start_at == MONDAY_9
    assert flagged.calendar_review_reason == google_changes.NO_TIME_REASON
    # deleted afterwards: the review now says so
    google.delete(CALENDAR, synced.id.hex)
    poll(clinic)
    assert current(synced).calendar_review_reason == google_changes.DELETED_REASON
    assert len(review_alerts()) == 1


def test_deleted_event_sent_with_its_id_only_is_recognised(clinic, google, synced):
    item = {"id": synced.id.hex, "status": "cancelled"}
    outcome = google_changes.reconcile(tenant_id=clinic.tenant.id, calendar_id=CALENDAR, item=item)
    assert outcome is google_changes.ChangeOutcome.FLAGGED
    assert current(synced).calendar_review_reason == "Eliminada en Google Calendar"


def test_a_local_change_waiting_wins_over_googles_time(clinic, google, synced):
    # given: moved in Google, and meanwhile moved in VetAssist (not yet written)
    move_in_google(google, synced, EVENING)
    local = reschedule(clinic, synced, MONDAY_9 + timedelta(hours=3))
    # when
    poll(clinic)
    # then: Google's time is ignored, and the outbound sync overwrites it
    assert current(synced).calendar_review_reason is None
    assert current(synced).start_at == local.start_at
    relay()
    assert google_start(google, synced) == MONDAY_9 + timedelta(hours=3)
    poll(clinic)
    assert current(synced).version == local.version
    assert review_alerts() == []


def test_the_same_proposal_again_changes_nothing_and_alerts_once(clinic, google, synced):
    move_in_google(google, synced, EVENING)
    poll(clinic)
    first = current(synced)
    google.patch(CALENDAR, synced.id.hex, {"summary": "editado por la doctora"})
    poll(clinic)
    assert current(synced).calendar_review_at == first.calendar_review_at
    # a new refused proposal updates the review, still one alert
    move_in_google(google, synced, EVENING + timedelta(hours=1))
    poll(clinic)
    assert current(synced).calendar_review_start == EVENING + timedelta(hours=1)
    assert len(review_alerts()) == 1


def test_keep_ours_writes_vetassists_time_back_to_google(clinic, google, synced):
    move_in_google(google, synced, EVENING)
    poll(clinic)
    # when
    assert google_changes.keep_ours(
        tenant_id=clinic.tenant.id, appointment_id=synced.id, actor=RECEPTION
    )
    # then
    assert google_start(google, synced) == MONDAY_9
    kept = current(synced)
    assert kept.calendar_review_reason is None and kept.calendar_sync_ok is True
    poll(clinic)
    assert current(synced).calendar_review_reason is None and current(synced).version == 1


def test_keep_ours_recreates_an_event_deleted_in_google(clinic, google, synced):
    google.delete(CALENDAR, synced.id.hex)
    poll(clinic)
    assert google_changes.keep_ours(
        tenant_id=clinic.tenant.id, appointment_id=synced.id, actor=RECEPTION
    )
    assert google_start(google, synced) == MONDAY_9
    poll(clinic)
    assert current(synced).calendar_review_reason is None


def test_use_google_time_applies_the_proposal_once_it_is_free(clinic, google, synced):
    other = book(clinic, ELEVEN)
    relay()
    move_in_google(google, synced, ELEVEN)
    poll(clinic)
    # refused while taken: a Spanish reason, the review stays
    with pytest.raises(GoogleTimeRefused, match="ese horario ya está ocupado"):
        google_changes.use_google_time(
            tenant_id=clinic.tenant.id, appointment_id=synced.id, actor=RECEPTION
        )
    assert current(synced).calendar_review_reason is not None
    # when: the other appointment is cancelled
    change_status(clinic, other, Status.CANCELLED)
    google_changes.use_google_time(
        tenant_id=clinic.tenant.id, appointment_id=synced.id, actor=RECEPTION
    )
    relay()
    # then
    moved = current(synced)
    assert moved.start_at == ELEVEN and moved.calendar_review_reason is None
    assert last_audit(synced).actor_type == "user"
    assert len(notices(clinic)) == 1
    poll(clinic)
    assert current(synced).version == moved.version


def test_use_google_time_of_a_deleted_event_is_refused(clinic, google, synced):
    google.delete(CALENDAR, synced.id.hex)
    poll(clinic)
    with pytest.raises(GoogleTimeRefused, match="no propone otra hora"):
        google_changes.use_google_time(
            tenant_id=clinic.tenant.id, appointment_id=synced.id, actor=RECEPTION
        )


def test_cancelling_clears_the_review(clinic, google, synced):
    google.delete(CALENDAR, synced.id.hex)
    poll(clinic)
    change_status(clinic, synced, Status.CANCELLED)
    relay()
    cancelled = current(synced)
    assert cancelled.calendar_review_reason is None and cancelled.status == Status.CANCELLED
    poll(clinic)
    assert current(synced).calendar_review_reason is None


def test_a_failing_event_does_not_lose_the_poll_nor_the_others(clinic, google, synced, monkeypatch):
    second = book(clinic, MONDAY_9 + timedelta(hours=4))
    relay()
    poll(clinic)
    real = google_changes.reconcile
    calls: list[str] = []

    def failing_for_the_first(**kwargs):
        calls.append(kwargs["item"]["id"])
        if kwargs["item"]["id"] == synced.id.hex:
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(google_changes, "reconcile", failing_for_the_first)
    move_in_google(google, synced, ELEVEN)
    move_in_google(google, second, MONDAY_9 + timedelta(hours=5))
    poll(clinic)
    assert len(calls) == 2
    assert current(synced).start_at == MONDAY_9
    assert current(second).start_at == MONDAY_9 + timedelta(hours=5)
    with session_scope(read_only=True) as session:
        calendar = session.exec(select(DoctorCalendar)).one()
    assert calendar.busy_polled_at is not None


def test_reason_is_written_in_the_clinics_zone_with_summer_time(db, frozen_clock, google):
    # Santiago is UTC-3 in February (summer time)
    clinic = connected_clinic(timezone="America/Santiago")
    appointment = book(clinic, datetime.fromisoformat("2027-02-01T09:00:00-03:00"))
    relay()
    google.patch(
        CALENDAR,
        appointment.id.hex,
        {
            "start": {"dateTime": "2027-02-01T21:00:00-03:00"},
            "end": {"dateTime": "2027-02-01T21:30:00-03:00"},
        },
    )
    poll(clinic)
    assert current(appointment).calendar_review_reason == (
        "Movida en Google Calendar al lunes 1 de febrero 9:00 PM, "
        "pero está fuera del horario de trabajo del médico"
    )


def test_the_api_shows_the_review_on_the_appointment(clinic, google, synced):
    with session_scope(write=True) as session:
        key = make_api_key(session, clinic.tenant)
    move_in_google(google, synced, EVENING)
    poll(clinic)
    http = TestClient(app, raise_server_exceptions=False)
    try:
        answer = http.get(
            f"/api/v1/appointments/{synced.id}", headers={"Authorization": f"Bearer {key}"}
        )
    finally:
        http.close()
    assert answer.status_code == 200
    assert answer.json()["calendarReview"] == {
        "reason": current(synced).calendar_review_reason,
        "proposedStartAt": "2027-02-02T01:00:00Z",
        "proposedEndAt": "2027-02-02T01:30:00Z",
    }
