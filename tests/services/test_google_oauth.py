"""Connecting a clinic to Google from Settings (OAuth web flow), disconnecting it, and
choosing each doctor's calendar, against the local fake of Google with the real SDKs."""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlmodel import select

from backend.core.clock import clock
from backend.core.config import settings
from backend.core.db import session_scope
from backend.core.secrets import decrypt, encrypt
from backend.domain.appointment_rules import Status
from backend.domain.errors import NotFound, ValidationFailed
from backend.integrations.google_calendar.fake_server import ACCOUNT_EMAIL, FakeGoogle
from backend.integrations.google_calendar.gateway import ConnectionBroken
from backend.integrations.google_calendar.google_client import GoogleCalendarGateway
from backend.models import (
    Appointment,
    CalendarBusyBlock,
    DoctorCalendar,
    GoogleConnection,
    StaffUser,
)
from backend.services.actors import Actor
from backend.services.calendar_sync import oauth
from backend.services.calendar_sync.inbound import poll_doctor_calendar
from backend.services.calendar_sync.oauth import GoogleConnectFailed
from tests.google_fake import use_fake_google
from tests.workers.support import MONDAY_9, book, build_clinic, change_status, relay

CONSULTAS = "c_consultas@group.calendar.google.com"
MANAGER_ACTOR = Actor(type="user", id="m1", label="Gerente")


@pytest.fixture(scope="module")
def fake():
    server = FakeGoogle().serve()
    server.client_id = "client-id"
    yield server
    server.shutdown()


@pytest.fixture
def google(fake, monkeypatch):
    use_fake_google(monkeypatch, fake)
    monkeypatch.setattr(settings, "PUBLIC_BASE_URL", "http://localhost:3000")
    return fake


def add_staff(clinic, role: str, email: str) -> StaffUser:
    with session_scope(write=True) as session:
        user = StaffUser(
            tenant_id=clinic.tenant.id,
            email=email,
            password_hash="x",
            full_name=f"{role.title()} Prueba",
            role=role,
        )
        session.add(user)
        return user


@pytest.fixture
def clinic(db, frozen_clock, google):
    built = build_clinic()
    built.manager = add_staff(built, "manager", "gerente@patitas.example.com")
    return built


def consent(url: str) -> dict[str, str]:
    """The fake consent page, consented: the callback's query Google sends the browser to."""
    answer = httpx.get(url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == "http://localhost:3000" + (
        oauth.CALLBACK_PATH
    )
    return dict(parse_qsl(back.query))


def connect(clinic) -> GoogleConnection:
    back = consent(oauth.authorization_url(clinic.tenant.id, clinic.manager.id))
    return oauth.complete_authorization(back["state"], back["code"], staff_id=clinic.manager.id)


def connection_of(clinic) -> GoogleConnection:
    with session_scope(read_only=True) as session:
        return session.exec(
            select(GoogleConnection).where(GoogleConnection.tenant_id == clinic.tenant.id)
        ).one()


def refused(reason: str, run) -> GoogleConnectFailed:
    with pytest.raises(GoogleConnectFailed) as caught:
        run()
    assert caught.value.reason == reason
    return caught.value


def gateway(fake, refresh_token: str) -> GoogleCalendarGateway:
    return GoogleCalendarGateway(
        refresh_token=refresh_token,
        client_id="client-id",
        client_secret="client-secret",
        base_url=fake.base_url,
        token_uri=fake.token_uri,
        timeout_s=2,
    )


def live_ids(fake, calendar: str) -> set[str]:
    return {e["id"] for e in fake.events(calendar)}


def test_authorization_url_asks_for_offline_calendar_access_with_pkce(clinic, google):
    url = urlsplit(oauth.authorization_url(clinic.tenant.id, clinic.manager.id))
    query = dict(parse_qsl(url.query))
    assert f"{url.scheme}://{url.netloc}{url.path}" == google.auth_uri
    assert query["redirect_uri"] == "http://localhost:3000/oauth/google/callback"
    assert query["scope"] == "https://www.googleapis.com/auth/calendar"
    assert (query["access_type"], query["prompt"]) == ("offline", "consent")
    assert query["include_granted_scopes"] == "true"
    assert query["code_challenge_method"] == "S256" and query["code_challenge"]
    assert "code_verifier" not in url.query
    assert b"code_verifier" not in query["state"].encode()  # encrypted, not readable


def test_connecting_through_google_stores_the_token_encrypted_and_sync_works(clinic, google):
    # when
    connection = connect(clinic)
    # then
    stored = connection_of(clinic)
    assert stored.status == "connected" and stored.account_email == ACCOUNT_EMAIL
    assert connection.id == stored.id
    token = decrypt(stored.refresh_token_encrypted)
    assert token.startswith("1//fake-") and token not in stored.refresh_token_encrypted
    assert token in google.refresh_tokens
    # and the clinic's appointments go to the chosen calendar
    oauth.choose_calendar(clinic.tenant.id, clinic.doctor.id, CONSULTAS)
    appointment = book(clinic)
    relay()
    assert live_ids(google, CONSULTAS) == {appointment.id.hex}


def test_finishing_as_another_staff_member_is_refused(clinic, google):
    other = add_staff(clinic, "manager", "otro@patitas.example.com")
    back = consent(oauth.authorization_url(clinic.tenant.id, clinic.manager.id))
    refused(
        "otra-sesion",
        lambda: oauth.complete_authorization(back["state"], back["code"], staff_id=other.id),
    )
    with session_scope(read_only=True) as session:
        assert session.exec(select(GoogleConnection)).first() is None


def test_a_doctor_can_neither_start_nor_finish_the_connection(clinic, google):
    refused("sin-permiso", lambda: oauth.authorization_url(clinic.tenant.id, clinic.doctor.id))
    back = consent(oauth.authorization_url(clinic.tenant.id, clinic.manager.id))
    with session_scope(write=True) as session:
        manager = session.get(StaffUser, clinic.manager.id)
        manager.role = "doctor"  # demoted while on Google's page
        session.add(manager)
    refused(
        "sin-permiso",
        lambda: oauth.complete_authorization(
            back["state"], back["code"], staff_id=clinic.manager.id
        ),
    )


def test_a_state_older_than_ten_minutes_is_refused(clinic, google):
    back = consent(oauth.authorization_url(clinic.tenant.id, clinic.manager.id))
    clock.advance(timedelta(minutes=11))
    refused(
        "vencido",
        lambda: oauth.complete_authorization(
            back["state"], back["code"], staff_id=clinic.manager.id
        ),
    )


def test_a_tampered_or_forged_state_is_refused(clinic, google):
    back = consent(oauth.authorization_url(clinic.tenant.id, clinic.manager.id))
    state = back["state"]
    tampered = state[:40] + ("A" if state[40] != "A" else "B") + state[41:]
    forged = Fernet(Fernet.generate_key()).encrypt(
        f'{{"tenant": "{clinic.tenant.id}", "staff": "{clinic.manager.id}", '
        f'"code_verifier": "x", "issued": "{clock.now().isoformat()}"}}'.encode()
    )
    for bad in (tampered, forged.decode(), "no-es-un-estado", encrypt("[]")):
        refused(
            "invalido",
            lambda bad=bad: oauth.complete_authorization(
                bad, back["code"], staff_id=clinic.manager.id
            ),
        )


def test_a_code_from_another_consent_fails_the_pkce_check(clinic, google):
    first = consent(oauth.authorization_url(clinic.tenant.id, clinic.manager.id))
    second = consent(oauth.authorization_url(clinic.tenant.id, clinic.manager.id))
    refused(
        "google",
        lambda: oauth.complete_authorization(
            first["state"], second["code"], staff_id=clinic.manager.id
        ),
    )


def test_no_refresh_token_tells_them_to_remove_access_and_connect_again(clinic, google):
    google.withhold_next_refresh_token()
    error = refused("sin-token", lambda: connect(clinic))
    assert "quitar el acceso de VetAssist" in error.message
    with session_scope(read_only=True) as session:
        assert session.exec(select(GoogleConnection)).first() is None


def test_cancelling_on_googles_page_sends_back_access_denied(clinic, google):
    google.deny_next_consent()
    back = consent(oauth.authorization_url(clinic.tenant.id, clinic.manager.id))
    assert back["error"] == "access_denied" and "code" not in back and back["state"]


def test_disconnect_revokes_the_token_and_deletes_the_busy_blocks(clinic, google):
    # given: connected, a calendar chosen, a busy block read and an appointment written
    connect(clinic)
    token = decrypt(connection_of(clinic).refresh_token_encrypted)
    oauth.choose_calendar(clinic.tenant.id, clinic.doctor.id, CONSULTAS)
    google.insert(
        CONSULTAS,
        {
            "summary": "Congreso",
            "start": {"dateTime": (MONDAY_9 + timedelta(hours=3)).isoformat()},
            "end": {"dateTime": (MONDAY_9 + timedelta(hours=4)).isoformat()},
        },
    )
    appointment = book(clinic)
    relay()
    with session_scope(read_only=True) as session:
        row = session.exec(select(DoctorCalendar)).one()
    poll_doctor_calendar(row.id)
    with session_scope(read_only=True) as session:
        assert len(session.exec(select(CalendarBusyBlock)).all()) == 1
    # when
    assert oauth.disconnect(clinic.tenant.id, MANAGER_ACTOR) is True
    # then
    assert token in google.revoked
    with pytest.raises(ConnectionBroken):
        gateway(google, token).list_calendars()
    stored = connection_of(clinic)
    assert (stored.status, stored.refresh_token_encrypted) == ("disconnected", "")
    with session_scope(read_only=True) as session:
        assert session.exec(select(CalendarBusyBlock)).all() == []
        row = session.exec(select(DoctorCalendar)).one()
        assert (row.calendar_id, row.sync_token) == (CONSULTAS, None)
    assert appointment.id.hex in live_ids(google, CONSULTAS)  # events left alone
    assert oauth.disconnect(clinic.tenant.id, MANAGER_ACTOR) is False


def test_disconnect_still_disconnects_when_google_does_not_answer_the_revoke(
    clinic, google, monkeypatch
):
    connect(clinic)
    monkeypatch.setattr(settings, "GOOGLE_REVOKE_URI", "http://127.0.0.1:9/revoke")
    assert oauth.disconnect(clinic.tenant.id, MANAGER_ACTOR) is True
    assert connection_of(clinic).status == "disconnected"


def test_reconnecting_after_a_disconnect_syncs_again(clinic, google):
    connect(clinic)
    oauth.choose_calendar(clinic.tenant.id, clinic.doctor.id, CONSULTAS)
    oauth.disconnect(clinic.tenant.id, MANAGER_ACTOR)
    appointment = book(clinic)
    relay()
    assert live_ids(google, CONSULTAS) == set()
    connect(clinic)
    change_status(clinic, appointment, Status.CONFIRMED)
    relay()
    assert live_ids(google, CONSULTAS) == {appointment.id.hex}


def test_calendars_of_lists_the_writable_ones_primary_first(clinic, google):
    refused("sin-conexion", lambda: oauth.calendars_of(clinic.tenant.id))
    connect(clinic)
    google.add_calendar("c_cirugias@group.calendar.google.com", "Cirugías", "writer")
    listed = oauth.calendars_of(clinic.tenant.id)
    assert [(c.id, c.summary, c.primary) for c in listed] == [
        (ACCOUNT_EMAIL, ACCOUNT_EMAIL, True),
        ("c_cirugias@group.calendar.google.com", "Cirugías", False),
        (CONSULTAS, "Consultas", False),
    ]  # the read-only holiday calendar is not offered


def test_calendars_of_a_revoked_account_marks_the_connection_broken(clinic, google):
    connect(clinic)
    google.revoke(decrypt(connection_of(clinic).refresh_token_encrypted))
    refused("sin-conexion", lambda: oauth.calendars_of(clinic.tenant.id))
    assert connection_of(clinic).status == "broken"


def test_another_calendar_moves_the_doctors_future_appointments(clinic, google):
    # given: two appointments written to the primary calendar, one of them cancelled
    connect(clinic)
    oauth.choose_calendar(clinic.tenant.id, clinic.doctor.id, ACCOUNT_EMAIL)
    kept = book(clinic)
    cancelled = book(clinic, MONDAY_9 + timedelta(hours=2))
    relay()
    change_status(clinic, cancelled, Status.CANCELLED)
    relay()
    assert live_ids(google, ACCOUNT_EMAIL) == {kept.id.hex}
    # when
    oauth.choose_calendar(clinic.tenant.id, clinic.doctor.id, CONSULTAS)
    # then
    assert live_ids(google, CONSULTAS) == {kept.id.hex}
    assert live_ids(google, ACCOUNT_EMAIL) == set()
    with session_scope(read_only=True) as session:
        moved = session.get(Appointment, kept.id)
        assert (moved.calendar_synced_to, moved.calendar_sync_ok) == (CONSULTAS, True)
        row = session.exec(select(DoctorCalendar)).one()
        assert (row.calendar_id, row.sync_token) == (CONSULTAS, None)


def test_no_calendar_stops_syncing_the_doctor_and_takes_out_their_events(clinic, google):
    connect(clinic)
    oauth.choose_calendar(clinic.tenant.id, clinic.doctor.id, CONSULTAS)
    appointment = book(clinic)
    relay()
    with session_scope(write=True) as session:
        session.add(
            CalendarBusyBlock(
                tenant_id=clinic.tenant.id,
                doctor_id=clinic.doctor.id,
                google_event_id="propio",
                start_at=MONDAY_9 + timedelta(hours=3),
                end_at=MONDAY_9 + timedelta(hours=4),
            )
        )
    # when
    assert oauth.choose_calendar(clinic.tenant.id, clinic.doctor.id, None) is None
    # then
    assert live_ids(google, CONSULTAS) == set()
    with session_scope(read_only=True) as session:
        assert session.exec(select(DoctorCalendar)).all() == []
        assert session.exec(select(CalendarBusyBlock)).all() == []
        assert session.get(Appointment, appointment.id).calendar_synced_to is None


def test_choosing_a_calendar_for_another_clinics_doctor_is_refused(clinic, google):
    with pytest.raises(NotFound):
        oauth.choose_calendar(uuid.uuid4(), clinic.doctor.id, CONSULTAS)
    with pytest.raises(ValidationFailed):
        oauth.choose_calendar(clinic.tenant.id, clinic.doctor.id, "  ")
