"""Sessions and roles: every page load and every handler checks them on the server."""

from __future__ import annotations

import inspect
from datetime import timedelta
from typing import Any

import pytest

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.services.clinics import auth
from tests.portal.conftest import PASSWORD, at_url, call, redirected_to, substate
from vetassist_app import routes
from vetassist_app.states import pulse_state
from vetassist_app.states.access import AccessDenied, NotLoggedIn, require_user
from vetassist_app.states.analytics_state import AnalyticsState
from vetassist_app.states.appointment_state import AppointmentState, NewAppointmentState
from vetassist_app.states.calendar_state import CalendarState
from vetassist_app.states.chat_state import ChatState
from vetassist_app.states.client_state import ClientState
from vetassist_app.states.clinic_calendar_state import ClinicCalendarState
from vetassist_app.states.emergency_state import EmergencyState
from vetassist_app.states.followup_state import FollowUpState
from vetassist_app.states.pet_state import PetState
from vetassist_app.states.pulse_state import PulseState
from vetassist_app.states.sandbox_state import SandboxState
from vetassist_app.states.session_state import LoginState, SessionState
from vetassist_app.states.settings_state import SettingsState
from vetassist_app.states.staff_state import StaffState

PORTAL_STATES = [
    AnalyticsState,
    AppointmentState,
    CalendarState,
    ChatState,
    ClientState,
    EmergencyState,
    FollowUpState,
    NewAppointmentState,
    PetState,
    PulseState,
    SandboxState,
    SessionState,
    SettingsState,
    StaffState,
    ClinicCalendarState,
]

# Handlers that only move UI state (open a dialog, switch a tab) and read or
# write nothing on the server; every other handler must check the session.
UI_ONLY = {
    ("AppointmentState", "set_dialog_open"),
    ("NewAppointmentState", "set_dialog_open"),
    ("EmergencyState", "start_resolve"),
    ("EmergencyState", "set_resolve_open"),
    ("SettingsState", "set_tab"),
    ("SettingsState", "hide_secret"),
    ("SettingsState", "add_period"),  # time-picker rows, saved (and checked) with the form
    ("SettingsState", "remove_period"),
    ("StaffState", "hide_link"),
    ("PulseState", "first_beat"),  # no session: nothing to show, no redirect needed
    ("AppointmentState", "set_reschedule_day"),  # chains load_slots, which checks
    ("AppointmentState", "set_reschedule_doctor"),
    ("ChatState", "set_draft"),  # the inbox's reply box and canned-reply form fields
    ("ChatState", "toggle_note"),
    ("ChatState", "use_canned"),
    ("ChatState", "edit_canned"),
    ("ChatState", "new_canned"),
    ("ChatState", "set_canned_shortcut"),
    ("ChatState", "set_canned_title"),
    ("ChatState", "set_canned_body"),
    ("NewAppointmentState", "set_service"),  # the booking form's fields; `create` checks
    ("NewAppointmentState", "set_pet_choice"),
    ("AppointmentState", "set_confirm_open"),  # closing a confirmation does nothing else
    ("ClientState", "open_dialog"),  # the client page's dialogs; their forms check
    ("ClientState", "set_dialog_open"),
    ("ClientState", "choose_duplicate"),  # a row of the merge search; `merge` checks
    ("PetState", "set_editing"),  # the pet page's dialogs; their forms check
    ("PetState", "start_vaccine"),
    ("PetState", "set_vaccine_open"),
}


def _example(parameter: inspect.Parameter) -> Any:
    annotation = str(parameter.annotation)
    if "dict" in annotation:
        return {}
    if "bool" in annotation:
        return True
    return "00000000-0000-0000-0000-000000000000"


def _handlers() -> list[tuple[type, str]]:
    """Handlers written in the portal's states (not Reflex's own), minus the UI-only ones."""
    found = []
    for state_cls in PORTAL_STATES:
        for name, handler in state_cls.event_handlers.items():
            if handler.is_background or (state_cls.__name__, name) in UI_ONLY:
                continue
            if getattr(handler.fn, "__qualname__", "").split(".")[0] != state_cls.__name__:
                continue  # inherited or generated: checked where it is written
            found.append((state_cls, name))
    return found


def test_require_user_returns_viewer_of_token(clinic) -> None:
    # when
    viewer = require_user(clinic.doctor.token, routes.CLINICAL)

    # then
    assert viewer.user_id == clinic.doctor.user.id
    assert viewer.tenant_id == clinic.tenant.id
    assert viewer.role == "doctor"
    assert viewer.timezone == "America/Bogota"


@pytest.mark.parametrize("token", ["", "not-a-token", None])
def test_require_user_refuses_unknown_token(clinic, token) -> None:
    with pytest.raises(NotLoggedIn):
        require_user(token)


def test_require_user_refuses_expired_session(clinic) -> None:
    # given
    clock.advance(timedelta(hours=13))

    # then
    with pytest.raises(NotLoggedIn):
        require_user(clinic.doctor.token)


def test_require_user_refuses_logged_out_session(clinic) -> None:
    # given
    with session_scope(write=True) as session:
        auth.revoke_session(session, clinic.doctor.token)

    # then
    with pytest.raises(NotLoggedIn):
        require_user(clinic.doctor.token)


def test_require_user_refuses_wrong_role(clinic) -> None:
    with pytest.raises(AccessDenied):
        require_user(clinic.support.token, routes.CLINICAL)
    with pytest.raises(AccessDenied):
        require_user(clinic.doctor.token, routes.MANAGEMENT)


def test_require_user_refuses_idle_session_and_background_beats_do_not_count(clinic) -> None:
    # given: a page action, then only background refreshes
    require_user(clinic.doctor.token)
    clock.advance(timedelta(minutes=25))
    require_user(clinic.doctor.token, touch=False)

    # when
    clock.advance(timedelta(minutes=6))

    # then
    with pytest.raises(NotLoggedIn):
        require_user(clinic.doctor.token)


def test_require_user_refuses_the_raw_token(clinic) -> None:
    """The portal only ever sees the token's digest: the token itself opens nothing."""
    with session_scope(write=True) as session:
        result = auth.login(session, email=clinic.manager.user.email, password=PASSWORD)
    assert result is not None

    with pytest.raises(NotLoggedIn):
        require_user(result[1])
    assert require_user(auth.session_key(result[1])).role == "manager"


def test_open_login_explains_a_refusal_in_spanish(clinic, root_state) -> None:
    login = substate(root_state, LoginState)

    at_url(login, "/login?error=throttled&minutes=7")
    assert call(login, "open_login") is None
    assert login.error == "Demasiados intentos. Espera 7 minutos."

    at_url(login, "/login?error=invalid")
    call(login, "open_login")
    assert login.error == "Correo o contraseña incorrectos."

    at_url(login, "/login")
    call(login, "open_login")
    assert login.error == ""


def test_open_login_sends_a_logged_in_user_home(clinic, root_state) -> None:
    login = substate(root_state, LoginState, clinic.support.token)

    assert redirected_to(call(login, "open_login")) == routes.CHATS
    assert login.user_name == "Sergio Soporte"


def test_pulse_sends_an_idle_tab_to_login(clinic, root_state, monkeypatch) -> None:
    # given: an open tab nobody touched for 31 minutes
    monkeypatch.setattr(pulse_state, "PULSE_SECONDS", 0)
    pulse = substate(root_state, PulseState, clinic.doctor.token)
    pulse._remember(clinic.doctor.viewer)
    clock.advance(timedelta(minutes=31))

    # when
    events = call(pulse, "watch")

    # then
    assert [redirected_to(e) for e in events] == [routes.LOGIN]
    assert pulse.user_name == ""


def test_check_page_redirects_anonymous_to_login(clinic, root_state) -> None:
    state = substate(root_state, SessionState, "")

    assert redirected_to(call(state, "check_page", routes.AGENDA)) == routes.LOGIN


def test_check_page_keeps_doctor_out_of_settings(clinic, root_state) -> None:
    state = substate(root_state, SessionState, clinic.doctor.token)

    assert redirected_to(call(state, "check_page", routes.SETTINGS)) == routes.AGENDA
    assert redirected_to(call(state, "check_page", routes.AGENDA)) is None
    assert state.user_role == "doctor"


def test_check_page_lets_manager_into_settings(clinic, root_state) -> None:
    state = substate(root_state, SessionState, clinic.manager.token)

    assert redirected_to(call(state, "check_page", routes.SETTINGS)) is None
    assert routes.SETTINGS in state.nav_routes


@pytest.mark.parametrize(
    ("state_cls", "handler"),
    [pytest.param(c, h, id=f"{c.__name__}.{h}") for c, h in _handlers()],
)
def test_every_handler_sends_an_anonymous_caller_to_login(
    clinic, root_state, state_cls, handler
) -> None:
    """A forged event without a live session changes nothing and ends at the login page."""
    state = substate(root_state, state_cls, "forged-token")
    fn = state_cls.event_handlers[handler].fn
    params = list(inspect.signature(fn).parameters.values())[1:]

    result = call(state, handler, *[_example(p) for p in params])

    assert redirected_to(result) == routes.LOGIN


def test_ui_only_handlers_exist() -> None:
    """The exemption list names real handlers (a renamed handler must be re-checked)."""
    names = {(c.__name__, h) for c in PORTAL_STATES for h in c.event_handlers}
    assert UI_ONLY <= names
