"""A change made in Google that waits for a person, as the portal shows it: the amber badge,
the panel's box with its two choices, and Settings' "Para revisar" list."""

from __future__ import annotations

from datetime import timedelta

from backend.core.db import session_scope
from backend.domain.calendar_sync_badge import REVIEW
from backend.models import Appointment
from tests.portal.conftest import FRIDAY_9AM, call, substate, toast_text
from tests.portal.test_calendar_sync_badge import FRIDAY
from vetassist_app.states.appointment_state import AppointmentState, load_appointment
from vetassist_app.states.calendar_review_state import CalendarReviewState
from vetassist_app.states.calendar_state import build_calendar

REASON = (
    "Movida en Google Calendar al viernes 29 de enero 11:00 AM, pero ese horario ya está ocupado"
)
ELEVEN = FRIDAY_9AM + timedelta(hours=2)


def _flag(appointment_id, *, start=ELEVEN, reason=REASON) -> None:
    with session_scope(write=True) as session:
        appointment = session.get(Appointment, appointment_id)
        appointment.calendar_review_reason = reason
        appointment.calendar_review_at = FRIDAY_9AM
        appointment.calendar_review_start = start
        appointment.calendar_review_end = start + timedelta(minutes=30) if start else None
        appointment.calendar_sync_ok = True
        appointment.calendar_synced_version = appointment.version
        session.add(appointment)


def _current(appointment_id) -> Appointment:
    with session_scope(read_only=True) as session:
        return session.get(Appointment, appointment_id)


def test_block_and_panel_show_the_review_with_googles_time(clinic) -> None:
    _flag(clinic.appointment.id)
    data = build_calendar(clinic.doctor.viewer, view="dia", anchor=FRIDAY, doctor_id=None)
    (block,) = [b for column in data.columns for b in column.blocks]
    assert (block.sync_state, block.review_reason, block.sync_failed) == (REVIEW, REASON, False)
    detail = load_appointment(clinic.doctor.viewer, str(clinic.appointment.id))
    assert (detail.sync_state, detail.review_reason) == (REVIEW, REASON)
    assert detail.review_proposal == "Viernes 29 de enero de 2027, 11:00 – 11:30"


def test_use_google_time_moves_the_appointment_and_clears_the_review(clinic, root_state) -> None:
    _flag(clinic.appointment.id)
    state = substate(root_state, AppointmentState, clinic.doctor.token)
    call(state, "open_appointment", str(clinic.appointment.id))
    result = call(state, "use_google_time")
    assert "hora de Google" in toast_text(result)
    moved = _current(clinic.appointment.id)
    assert moved.start_at == ELEVEN and moved.calendar_review_reason is None
    assert state.detail.sync_state != REVIEW


def test_use_google_time_refused_says_why_and_keeps_the_review(clinic, root_state) -> None:
    _flag(clinic.appointment.id, start=FRIDAY_9AM + timedelta(hours=12))  # 21:00, closed
    state = substate(root_state, AppointmentState, clinic.doctor.token)
    call(state, "open_appointment", str(clinic.appointment.id))
    result = call(state, "use_google_time")
    assert "fuera del horario de trabajo" in toast_text(result)
    assert _current(clinic.appointment.id).calendar_review_reason == REASON


def test_keep_vetassist_time_clears_the_review(clinic, root_state) -> None:
    _flag(clinic.appointment.id, start=None, reason="Eliminada en Google Calendar")
    state = substate(root_state, AppointmentState, clinic.doctor.token)
    call(state, "open_appointment", str(clinic.appointment.id))
    assert state.detail.review_proposal == ""
    call(state, "keep_vetassist_time")
    kept = _current(clinic.appointment.id)
    assert kept.calendar_review_reason is None and kept.start_at == FRIDAY_9AM


def test_settings_lists_reviews_for_the_manager(clinic, root_state) -> None:
    _flag(clinic.appointment.id)
    state = substate(root_state, CalendarReviewState, clinic.manager.token)
    call(state, "load")
    (line,) = state.reviews
    assert (line.doctor, line.client, line.reason) == ("Dra. Ana Ruiz", "Camila Rodríguez", REASON)
    assert line.id == str(clinic.appointment.id)


def test_a_doctor_cannot_read_the_review_list(clinic, root_state) -> None:
    _flag(clinic.appointment.id)
    state = substate(root_state, CalendarReviewState, clinic.doctor.token)
    call(state, "load")
    assert state.reviews == []
