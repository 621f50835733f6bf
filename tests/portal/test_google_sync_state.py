"""Settings → Google Calendar as the manager reads it; other roles are refused."""

from __future__ import annotations

from tests.portal.conftest import call, events_of, substate
from vetassist_app.states.google_sync_state import GoogleSyncState


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
