"""The Google Calendar badge on the calendar and the appointment panel, and its retry action."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.fernet import Fernet

from backend.core.config import settings
from backend.core.db import session_scope
from backend.domain.calendar_sync_badge import FAILED, OFF, OK, PENDING, sync_state
from backend.integrations.google_calendar.fake_server import DEFAULT_REFRESH_TOKEN, FakeGoogle
from backend.models import Appointment
from backend.services.calendar_sync import connections
from tests.portal.conftest import call, substate, toast_text
from vetassist_app.states.appointment_state import AppointmentState, load_appointment
from vetassist_app.states.calendar_state import build_calendar

FRIDAY = date(2027, 1, 29)


@pytest.mark.parametrize(
    ("sync_ok", "event_id", "synced", "version", "expected"),
    [
        (None, None, None, 1, OFF),
        (None, "abc", None, 1, PENDING),
        (True, "abc", 1, 2, PENDING),  # moved since the last sync
        (True, "abc", 2, 2, OK),
        (None, None, 2, 2, OK),
        (False, "abc", 1, 2, FAILED),
        (True, None, None, 1, OK),  # synced before versions were recorded
    ],
)
def test_sync_state_of_each_case(sync_ok, event_id, synced, version, expected) -> None:
    assert (
        sync_state(sync_ok=sync_ok, event_id=event_id, synced_version=synced, version=version)
        == expected
    )


def _set(appointment_id, **fields) -> None:
    with session_scope(write=True) as session:
        appointment = session.get(Appointment, appointment_id)
        for name, value in fields.items():
            setattr(appointment, name, value)
        session.add(appointment)


def _block(clinic):
    data = build_calendar(clinic.doctor.viewer, view="dia", anchor=FRIDAY, doctor_id=None)
    (block,) = [b for column in data.columns for b in column.blocks]
    return block


def test_calendar_block_and_panel_show_pending_then_synced(clinic) -> None:
    # given: a sync submitted, not yet done
    _set(clinic.appointment.id, calendar_event_id=clinic.appointment.id.hex)
    assert _block(clinic).sync_state == PENDING
    assert load_appointment(clinic.doctor.viewer, str(clinic.appointment.id)).sync_state == PENDING
    # when: Google shows the current version
    _set(clinic.appointment.id, calendar_sync_ok=True, calendar_synced_version=1)
    # then
    assert _block(clinic).sync_state == OK
    assert load_appointment(clinic.doctor.viewer, str(clinic.appointment.id)).sync_state == OK


def test_calendar_block_without_a_connection_shows_no_badge(clinic) -> None:
    block = _block(clinic)
    assert block.sync_state == OFF and not block.sync_failed


@pytest.fixture
def fake_google(monkeypatch):
    server = FakeGoogle().serve()
    monkeypatch.setattr(settings, "SECRETS_KEY", Fernet.generate_key().decode())
    monkeypatch.setattr(settings, "GOOGLE_CLIENT_ID", "client-id")
    monkeypatch.setattr(settings, "GOOGLE_CLIENT_SECRET", "client-secret")
    monkeypatch.setattr(settings, "GOOGLE_API_BASE_URL", server.base_url)
    monkeypatch.setattr(settings, "GOOGLE_TOKEN_URI", server.token_uri)
    yield server
    server.shutdown()


def test_retry_handler_syncs_a_failed_appointment(clinic, root_state, fake_google) -> None:
    # given: a connected clinic whose appointment failed to sync
    connections.connect(slug=clinic.tenant.slug, refresh_token=DEFAULT_REFRESH_TOKEN)
    connections.set_doctor_calendar(
        slug=clinic.tenant.slug, doctor_email=clinic.doctor.user.email, calendar_id="agenda"
    )
    _set(clinic.appointment.id, calendar_sync_ok=False, calendar_sync_error="Google respondió 400")
    state = substate(root_state, AppointmentState, clinic.doctor.token)
    call(state, "open_appointment", str(clinic.appointment.id))
    assert state.detail.sync_state == FAILED
    # when
    result = call(state, "retry_sync")
    # then
    assert "reintentada" in toast_text(result)
    assert state.detail.sync_state == OK
    assert [e["id"] for e in fake_google.events("agenda")] == [clinic.appointment.id.hex]


def test_retry_handler_without_a_connection_says_so(clinic, root_state) -> None:
    state = substate(root_state, AppointmentState, clinic.doctor.token)
    call(state, "open_appointment", str(clinic.appointment.id))
    result = call(state, "retry_sync")
    assert "no tiene un Google Calendar conectado" in toast_text(result)
