"""Settings → Google Calendar as the manager reads it; other roles are refused."""

from __future__ import annotations

import pytest

from backend.core.config import settings
from backend.integrations.google_calendar.fake_server import ACCOUNT_EMAIL, FakeGoogle
from backend.services.calendar_sync import oauth
from tests.google_fake import use_fake_google
from tests.portal.conftest import at_url, call, events_of, redirected_to, substate, toast_text
from tests.services.test_google_oauth import CONSULTAS, consent
from vetassist_app.states.google_sync_state import NO_SYNC, GoogleSyncState
from vetassist_app.states.settings_state import SettingsState


def test_the_manager_sees_an_unconnected_clinic_and_its_doctors(clinic, root_state) -> None:
    state = substate(root_state, GoogleSyncState, clinic.manager.token)
    call(state, "load")
    assert (state.status_label, state.status_color) == ("Sin conectar", "gray")
    names = [d.name for d in state.doctors]
    assert clinic.doctor.user.full_name in names and clinic.colleague.user.full_name in names
    assert all(d.calendar == "Sin calendario" and d.busy_read == "Nunca" for d in state.doctors)
    assert all(d.counts == "0 fallidas · 0 pendientes" for d in state.doctors)
    assert state.failures == []
    toast = events_of(call(state, "retry_all"))
    assert toast  # "No hay citas fallidas que reintentar."


def test_a_doctor_cannot_read_the_clinics_google_settings(clinic, root_state) -> None:
    state = substate(root_state, GoogleSyncState, clinic.doctor.token)
    call(state, "load")
    assert state.doctors == []


# ---- connecting, each doctor's calendar, disconnecting (against the fake Google) -----


@pytest.fixture(scope="module")
def fake():
    server = FakeGoogle().serve()
    yield server
    server.shutdown()


@pytest.fixture
def google(fake, monkeypatch):
    use_fake_google(monkeypatch, fake)
    monkeypatch.setattr(settings, "PUBLIC_BASE_URL", "http://localhost:3000")
    return fake


def test_conectar_sends_the_manager_to_googles_consent_page(clinic, root_state, google) -> None:
    state = substate(root_state, GoogleSyncState, clinic.manager.token)
    call(state, "load")
    assert (state.can_connect, state.connected) == (True, False)
    url = redirected_to(call(state, "connect"))
    assert url is not None and url.startswith(google.auth_uri + "?")
    assert "redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Foauth%2Fgoogle%2Fcallback" in url


def test_a_doctor_cannot_connect_the_clinic(clinic, root_state, google) -> None:
    state = substate(root_state, GoogleSyncState, clinic.doctor.token)
    assert redirected_to(call(state, "connect")) is None


def test_the_callbacks_outcome_is_shown_in_spanish(clinic, root_state, google) -> None:
    state = substate(root_state, GoogleSyncState, clinic.manager.token)
    at_url(state, "/configuracion/?tab=google&google=error&motivo=cancelado")
    call(state, "load")
    assert (state.outcome, state.outcome_ok) == (oauth.MESSAGES["cancelado"], False)
    at_url(state, "/configuracion/?tab=google&google=conectado")
    call(state, "load")
    assert state.outcome_ok and "conectado" in state.outcome


def test_the_settings_link_from_google_opens_the_google_tab(clinic, root_state) -> None:
    state = substate(root_state, SettingsState, clinic.manager.token)
    at_url(state, "/configuracion/?tab=google&google=conectado")
    call(state, "open_page")
    assert state.tab == "google"


def test_a_connected_clinic_picks_each_doctors_calendar_and_disconnects(
    clinic, root_state, google
) -> None:
    # given: connected through the consent flow
    back = consent(oauth.authorization_url(clinic.tenant.id, clinic.manager.user.id))
    oauth.complete_authorization(back["state"], back["code"], staff_id=clinic.manager.user.id)
    state = substate(root_state, GoogleSyncState, clinic.manager.token)
    # when
    assert call(state, "load") is GoogleSyncState.load_calendars
    call(state, "load_calendars")
    # then: the writable calendars, primary first; nobody syncs yet
    assert [(c.id, c.label) for c in state.calendars] == [
        (ACCOUNT_EMAIL, f"{ACCOUNT_EMAIL} (principal)"),
        (CONSULTAS, "Consultas"),
    ]
    assert state.connected and state.account == ACCOUNT_EMAIL
    assert {d.choice for d in state.doctors} == {NO_SYNC}
    # when: a calendar for the doctor
    doctor_id = str(clinic.doctor.user.id)
    call(state, "save_calendar", {"doctor_id": doctor_id, "calendar_id": CONSULTAS})
    # then
    (line,) = [d for d in state.doctors if d.doctor_id == doctor_id]
    assert (line.choice, line.calendar) == (CONSULTAS, CONSULTAS)
    # when: no calendar again, then disconnect
    call(state, "save_calendar", {"doctor_id": doctor_id, "calendar_id": NO_SYNC})
    assert {d.choice for d in state.doctors} == {NO_SYNC}
    call(state, "disconnect")
    assert (state.status_label, state.connected, state.can_connect) == ("Desconectado", False, True)
    assert state.calendars == []


def test_a_doctor_of_another_clinic_cannot_be_given_a_calendar(
    clinic, other_clinic, root_state, google
) -> None:
    state = substate(root_state, GoogleSyncState, clinic.manager.token)
    other_doctor = str(other_clinic.doctor.user.id)
    result = call(state, "save_calendar", {"doctor_id": other_doctor, "calendar_id": CONSULTAS})
    assert "No encontramos ese registro en tu clínica." in toast_text(result)
