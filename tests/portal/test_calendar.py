"""The calendar's data: who sees what, where blocks sit, live reload, isolation."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.core.db import session_scope
from backend.domain.appointment_rules import Priority, Source
from backend.domain.errors import NotFound
from backend.models import Appointment
from backend.services.actors import SYSTEM
from backend.services.scheduling import booking, calendar_view
from tests.portal.conftest import FRIDAY_9AM, FRIDAY_10AM, THURSDAY_3PM, call, substate
from vetassist_app.states.calendar_state import CalendarState, build_calendar, lanes

THURSDAY = date(2027, 1, 28)
FRIDAY = date(2027, 1, 29)


def _book(session, clinic, start_at, **fields):
    """The doctor's appointment with the clinic's client at `start_at`, booked by the system."""
    return booking.create(
        session,
        tenant=clinic.tenant,
        actor=SYSTEM,
        data=booking.NewAppointment(
            doctor_id=clinic.doctor.user.id, client_id=clinic.client.id, start_at=start_at, **fields
        ),
    )


def _blocks(data):
    return [b for column in data.columns for b in column.blocks]


def test_build_calendar_week_of_doctor_shows_own_appointment_in_clinic_time(clinic) -> None:
    # when
    data = build_calendar(clinic.doctor.viewer, view="semana", anchor=THURSDAY, doctor_id=None)

    # then
    assert data.doctor_id == str(clinic.doctor.user.id)
    assert [c.title for c in data.columns] == [
        "Lun 25",
        "Mar 26",
        "Mié 27",
        "Jue 28",
        "Vie 29",
        "Sáb 30",
        "Dom 31",
    ]
    friday = data.columns[4]
    (block,) = friday.blocks
    assert block.id == str(clinic.appointment.id)
    assert block.time_label == "09:00"
    assert block.range_label == "09:00–09:30"
    assert (block.client, block.pet, block.reason) == (
        "Camila Rodríguez",
        "Luna",
        "Vacunación anual",
    )
    assert block.status == "pending"
    # the grid starts at 08:00, so 09:00 is 60 minutes down
    assert data.hours[0].label == "08:00"
    assert block.top == "90px"
    assert data.columns[3].is_today
    assert data.title == "25 – 31 ene 2027"


def test_build_calendar_team_day_has_a_column_per_doctor(clinic) -> None:
    data = build_calendar(clinic.manager.viewer, view="equipo", anchor=FRIDAY, doctor_id=None)

    assert [c.title for c in data.columns] == ["Dr. Beto Mejía", "Dra. Ana Ruiz"]
    assert [len(c.blocks) for c in data.columns] == [0, 1]
    assert data.subtitle == "Todo el equipo"


def test_build_calendar_lets_doctor_view_colleague(clinic) -> None:
    data = build_calendar(
        clinic.doctor.viewer, view="dia", anchor=FRIDAY, doctor_id=str(clinic.colleague.user.id)
    )

    assert data.doctor_id == str(clinic.colleague.user.id)
    assert data.subtitle == "Dr. Beto Mejía"
    assert _blocks(data) == []


def test_build_calendar_refuses_doctor_of_another_clinic(clinic, other_clinic) -> None:
    with pytest.raises(NotFound):
        build_calendar(
            clinic.manager.viewer,
            view="semana",
            anchor=FRIDAY,
            doctor_id=str(other_clinic.doctor.user.id),
        )


def test_build_calendar_never_shows_another_clinics_appointments(clinic, other_clinic) -> None:
    data = build_calendar(clinic.manager.viewer, view="equipo", anchor=FRIDAY, doctor_id=None)

    ids = {b.id for b in _blocks(data)}
    assert str(clinic.appointment.id) in ids
    assert str(other_clinic.appointment.id) not in ids


def test_build_calendar_offers_free_slots_to_editors_only(clinic) -> None:
    doctor_view = build_calendar(clinic.doctor.viewer, view="dia", anchor=FRIDAY, doctor_id=None)
    support_view = build_calendar(
        clinic.support.viewer, view="dia", anchor=FRIDAY, doctor_id=str(clinic.doctor.user.id)
    )

    free = doctor_view.columns[0].free
    assert free and free[0].label == "+ 08:00"
    # 09:00 is booked (and the 5-minute buffer blocks 08:30 and 09:30)
    assert "+ 09:00" not in {f.label for f in free}
    assert support_view.columns[0].free == []


def test_build_calendar_flags_sync_failure_and_emergency(clinic) -> None:
    # given
    with session_scope(write=True) as session:
        appointment = session.get(Appointment, clinic.appointment.id)
        appointment.calendar_sync_ok = False
        appointment.calendar_sync_error = "Google respondió 503"
        session.add(appointment)
        booking.create(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=clinic.doctor.user.id,
                client_id=clinic.client.id,
                start_at=FRIDAY_9AM + timedelta(minutes=10),
                priority=Priority.EMERGENCY,
                source=Source.WHATSAPP,
                reason="Convulsiones",
            ),
        )

    # when
    data = build_calendar(clinic.doctor.viewer, view="dia", anchor=FRIDAY, doctor_id=None)

    # then
    normal, emergency = sorted(_blocks(data), key=lambda b: b.time_label)
    assert normal.sync_failed and normal.sync_error == "Google respondió 503"
    assert emergency.emergency and not normal.emergency
    assert "va-tone-emergency" in emergency.css and "va-tone-emergency" not in normal.css
    # overlapping blocks sit side by side
    assert {normal.width, emergency.width} == {"calc(50.000% - 4px)"}
    assert normal.left != emergency.left
    assert data.sync_failures == 1 and data.emergencies == 1


def test_build_calendar_hides_cancelled_unless_asked(clinic) -> None:
    # given
    with session_scope(write=True) as session:
        booking.cancel(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            appointment_id=clinic.appointment.id,
            expected_version=1,
        )

    hidden = build_calendar(clinic.doctor.viewer, view="dia", anchor=FRIDAY, doctor_id=None)
    shown = build_calendar(
        clinic.doctor.viewer, view="dia", anchor=FRIDAY, doctor_id=None, show_cancelled=True
    )

    assert _blocks(hidden) == []
    (block,) = _blocks(shown)
    assert block.status == "cancelled" and "va-tone-cancelled" in block.css


def test_lanes_puts_overlapping_intervals_side_by_side() -> None:
    t = datetime(2027, 1, 29, 14, 0).astimezone()
    minutes = timedelta(minutes=1)
    spans = [
        (t, t + 30 * minutes),
        (t + 10 * minutes, t + 40 * minutes),
        (t + 60 * minutes, t + 90 * minutes),
    ]

    assert lanes(spans) == [(0, 2), (1, 2), (0, 1)]


def test_open_page_reads_view_from_url_and_reloads_on_change(clinic, root_state) -> None:
    # given
    state = substate(root_state, CalendarState, clinic.doctor.token)
    state.view = "dia"
    state.anchor = FRIDAY.isoformat()
    call(state, "reload")
    assert [len(c.blocks) for c in state.columns] == [1]

    # when: the assistant books another appointment meanwhile
    with session_scope(write=True) as session:
        _book(session, clinic, FRIDAY_10AM, source=Source.WHATSAPP)
    state.dirty_vars.clear()
    state._live(clinic.doctor.viewer)

    # then
    assert [len(c.blocks) for c in state.columns] == [2]
    assert "columns" in state.dirty_vars


def test_navigation_moves_by_week_and_day(clinic, root_state) -> None:
    state = substate(root_state, CalendarState, clinic.doctor.token)
    state.anchor = THURSDAY.isoformat()
    call(state, "set_view", "semana")

    call(state, "next")
    assert state.anchor == "2027-02-04"
    call(state, "open_column", str(clinic.doctor.user.id), "2027-02-05")
    assert (state.view, state.anchor) == ("dia", "2027-02-05")
    call(state, "previous")
    assert state.anchor == "2027-02-04"
    call(state, "today")
    assert state.anchor == THURSDAY.isoformat()


def test_live_skips_rebuild_for_changes_outside_the_view(clinic, root_state) -> None:
    # given: the colleague's Friday is on screen
    state = substate(root_state, CalendarState, clinic.doctor.token)
    state.view, state.anchor, state.doctor_id = (
        "dia",
        FRIDAY.isoformat(),
        str(clinic.colleague.user.id),
    )
    call(state, "reload")
    marker = state._marker

    # when: the doctor's own appointment (not shown) is confirmed
    with session_scope(write=True) as session:
        booking.confirm(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            appointment_id=clinic.appointment.id,
            expected_version=1,
        )
    state.dirty_vars.clear()
    state._live(clinic.colleague.viewer)

    # then: the marker moves on, nothing is rebuilt or sent
    assert state._marker > marker
    assert "columns" not in state.dirty_vars


def test_live_redraws_only_the_days_a_change_touches_and_matches_a_full_redraw(
    clinic, root_state, monkeypatch
) -> None:
    # given: the doctor's week is on screen
    state = substate(root_state, CalendarState, clinic.doctor.token)
    state.view, state.anchor = "semana", THURSDAY.isoformat()
    call(state, "reload")
    read_days = []
    period = calendar_view.period
    monkeypatch.setattr(
        calendar_view, "period", lambda **kw: read_days.append(kw["days"]) or period(**kw)
    )

    # when: a booking lands on Friday and Friday's 09:00 moves to Thursday 15:00
    with session_scope(write=True) as session:
        _book(session, clinic, FRIDAY_10AM, source=Source.WHATSAPP)
        booking.reschedule(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            appointment_id=clinic.appointment.id,
            start_at=THURSDAY_3PM,
            expected_version=1,
        )
    state._live(clinic.doctor.viewer)

    # then: only Thursday and Friday are read again, and the week is what drawing the
    # whole of it gives
    assert read_days == [[THURSDAY, FRIDAY]]
    monkeypatch.undo()
    full = build_calendar(clinic.doctor.viewer, view="semana", anchor=THURSDAY, doctor_id=None)
    assert state.columns == full.columns
    assert (
        (state.total, state.sync_failures, state.emergencies)
        == (2, 0, 0)
        == (
            full.total,
            full.sync_failures,
            full.emergencies,
        )
    )
    assert state._marker == full.marker


def test_live_redraws_everything_when_a_change_needs_more_hours(clinic, root_state) -> None:
    # given
    state = substate(root_state, CalendarState, clinic.doctor.token)
    state.view, state.anchor = "semana", THURSDAY.isoformat()
    call(state, "reload")
    first_hour = state._hours[0]

    # when: an emergency is squeezed in before the grid's first hour
    early = datetime.combine(FRIDAY, time(first_hour - 2), ZoneInfo("America/Bogota"))
    with session_scope(write=True) as session:
        _book(session, clinic, early, source=Source.PORTAL, priority=Priority.EMERGENCY)
    state._live(clinic.doctor.viewer)

    # then: the grid grows to show it, as a full redraw would
    full = build_calendar(clinic.doctor.viewer, view="semana", anchor=THURSDAY, doctor_id=None)
    assert state._hours[0] == first_hour - 2
    assert state.columns == full.columns
    assert state.emergencies == 1


def test_a_phone_opens_the_doctors_calendar_on_one_day(clinic, root_state) -> None:
    # given: the doctor's week, as the page opens without ?vista=
    state = substate(root_state, CalendarState, clinic.doctor.token)
    state.anchor = FRIDAY.isoformat()
    call(state, "reload")
    assert state.view == "semana"

    # when: the browser says how wide it is
    call(state, "fit_screen", 1280)
    wide = state.view
    call(state, "fit_screen", 390)

    # then: a computer keeps the week, a phone gets the day
    assert wide == "semana"
    assert state.view == "dia"
    assert [c.day_iso for c in state.columns] == [FRIDAY.isoformat()]
