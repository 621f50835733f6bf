"""Calendar editing: drag to move or stretch (confirmed in words, with or without the
client's WhatsApp notice), keyboard shortcuts and the address, the list and team-week
views, rescheduling from the appointment's own date, and booking for a pet."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlmodel import col, select

from backend.core.db import session_scope
from backend.domain.appointment_rules import Source
from backend.models import Appointment, OutboxEvent, Pet
from backend.services.actors import SYSTEM
from backend.services.scheduling import booking
from tests.portal.conftest import FRIDAY_9AM, FRIDAY_10AM, call, substate, toast_text
from vetassist_app.states.appointment_state import (
    NEW_PET,
    AppointmentState,
    NewAppointmentState,
)
from vetassist_app.states.calendar_move_state import CalendarMoveState
from vetassist_app.states.calendar_state import CalendarState, build_calendar

FRIDAY = date(2027, 1, 29)


def drop(clinic, *, minutes=0, day=FRIDAY, doctor=None, resize=False) -> str:
    return json.dumps(
        {
            "id": str(clinic.appointment.id),
            "minutes": minutes,
            "day": day.isoformat(),
            "doctor": str(doctor) if doctor else "",
            "resize": resize,
        }
    )


def stored(clinic) -> Appointment:
    with session_scope() as session:
        return session.get(Appointment, clinic.appointment.id)


def last_event(clinic) -> OutboxEvent:
    with session_scope() as session:
        return session.exec(
            select(OutboxEvent)
            .where(OutboxEvent.aggregate_id == clinic.appointment.id)
            .order_by(col(OutboxEvent.id).desc())
        ).first()


def settles_blocks(result) -> bool:
    return "vaCalendar.settle()" in toast_text(result)


def test_drop_on_a_colleagues_column_asks_in_words_then_moves_to_that_doctor(
    clinic, root_state
) -> None:
    # given: the manager drags Friday 9:00 one hour down, into the colleague's column
    state = substate(root_state, CalendarMoveState, clinic.manager.token)
    call(state, "propose", drop(clinic, minutes=60, doctor=clinic.colleague.user.id))

    # then: the confirmation says what will happen, with the notice on
    assert state.dialog_open and state.notify
    assert state.summary == (
        "Mover la cita de Luna (Camila Rodríguez) del viernes 29 de enero 9:00 a 10:00 "
        "con Dr. Beto Mejía (antes con Dra. Ana Ruiz)"
    )
    assert stored(clinic).start_at == FRIDAY_9AM  # nothing changed before confirming

    # when
    result = call(state, "confirm")

    # then
    moved = stored(clinic)
    assert (moved.doctor_id, moved.start_at) == (clinic.colleague.user.id, FRIDAY_10AM)
    assert moved.end_at - moved.start_at == clinic.appointment.end_at - clinic.appointment.start_at
    assert not state.dialog_open
    assert "Cita movida" in toast_text(result) and settles_blocks(result)
    assert last_event(clinic).payload["notify_client"] is True


def test_confirm_with_notice_unchecked_marks_the_change_as_not_to_tell(clinic, root_state) -> None:
    state = substate(root_state, CalendarMoveState, clinic.doctor.token)
    call(state, "propose", drop(clinic, minutes=90))

    call(state, "set_notify", False)
    result = call(state, "confirm")

    assert stored(clinic).start_at == FRIDAY_9AM + timedelta(minutes=90)
    assert last_event(clinic).payload["notify_client"] is False
    assert "avisaremos" not in toast_text(result)


def test_drop_on_a_taken_time_explains_and_puts_the_block_back(clinic, root_state) -> None:
    # given: the doctor already has 10:00
    with session_scope(write=True) as session:
        booking.create(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=clinic.doctor.user.id,
                client_id=clinic.client.id,
                start_at=FRIDAY_10AM,
                source=Source.API,
            ),
        )
    state = substate(root_state, CalendarMoveState, clinic.doctor.token)
    call(state, "propose", drop(clinic, minutes=60))

    # when
    result = call(state, "confirm")

    # then
    assert stored(clinic).start_at == FRIDAY_9AM
    assert "Ese horario acaba de ser ocupado" in toast_text(result)
    assert settles_blocks(result) and not state.dialog_open
    assert any(getattr(e, "fn", None) is CalendarState.reload.fn for e in result)  # redrawn


def test_confirm_after_someone_else_changed_it_is_refused_as_stale(clinic, root_state) -> None:
    state = substate(root_state, CalendarMoveState, clinic.doctor.token)
    call(state, "propose", drop(clinic, minutes=60))
    with session_scope(write=True) as session:  # meanwhile, the assistant confirms it
        booking.confirm(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            appointment_id=clinic.appointment.id,
            expected_version=None,
        )

    result = call(state, "confirm")

    assert stored(clinic).start_at == FRIDAY_9AM
    assert "Otra persona modificó esta cita" in toast_text(result)
    assert settles_blocks(result)


def test_stretching_the_bottom_edge_changes_only_the_end(clinic, root_state) -> None:
    state = substate(root_state, CalendarMoveState, clinic.doctor.token)
    before = stored(clinic)

    call(state, "propose", drop(clinic, minutes=30, resize=True))
    assert state.summary.startswith(
        "Cambiar la duración de la cita de Luna (Camila Rodríguez) del viernes 29 de enero:"
    )
    call(state, "confirm")

    after = stored(clinic)
    assert after.start_at == before.start_at
    assert after.end_at == before.end_at + timedelta(minutes=30)


def test_dropping_where_it_was_asks_nothing(clinic, root_state) -> None:
    state = substate(root_state, CalendarMoveState, clinic.doctor.token)

    result = call(state, "propose", drop(clinic, minutes=0))

    assert not state.dialog_open and settles_blocks(result)


def test_a_malformed_drop_is_refused_politely(clinic, root_state) -> None:
    state = substate(root_state, CalendarMoveState, clinic.doctor.token)

    result = call(state, "propose", "{not json")

    assert not state.dialog_open
    assert "Revisa la fecha y la hora" in toast_text(result) and settles_blocks(result)


def test_cancelling_the_confirmation_changes_nothing(clinic, root_state) -> None:
    state = substate(root_state, CalendarMoveState, clinic.doctor.token)
    call(state, "propose", drop(clinic, minutes=60))

    result = call(state, "set_dialog_open", False)
    call(state, "confirm")  # a stray click after closing

    assert stored(clinic).start_at == FRIDAY_9AM
    assert settles_blocks(result)


def test_support_cannot_move_appointments(clinic, root_state) -> None:
    state = substate(root_state, CalendarMoveState, clinic.support.token)

    call(state, "propose", drop(clinic, minutes=60))

    assert not state.dialog_open
    assert stored(clinic).start_at == FRIDAY_9AM


def test_shortcuts_change_the_view_and_the_address(clinic, root_state) -> None:
    state = substate(root_state, CalendarState, clinic.doctor.token)
    state.anchor = FRIDAY.isoformat()
    call(state, "reload")

    result = call(state, "shortcut", "d")
    assert state.view == "dia"
    assert f"/agenda?vista=dia&fecha=2027-01-29&doctor={clinic.doctor.user.id}" in toast_text(
        result
    )

    call(state, "shortcut", "ArrowRight")
    assert state.anchor == "2027-01-30"
    result = call(state, "shortcut", "l")
    assert state.view == "lista"
    assert "/agenda?vista=lista&fecha=2027-01-30" in toast_text(result)
    call(state, "shortcut", "t")
    assert state.anchor == "2027-01-28"
    assert call(state, "shortcut", "x") is None


def test_list_view_groups_the_weeks_appointments_by_day(clinic) -> None:
    data = build_calendar(
        clinic.manager.viewer,
        view="lista",
        anchor=FRIDAY,
        doctor_id=None,
        now=datetime(2027, 1, 28, 15, 0, tzinfo=FRIDAY_9AM.tzinfo),
    )

    assert [d.day_iso for d in data.list_days][:1] == ["2027-01-25"]
    assert len(data.list_days) == 7
    friday = next(d for d in data.list_days if d.day_iso == "2027-01-29")
    assert friday.count_label == "1 cita"
    (row,) = friday.rows
    assert (row.time_label, row.pet, row.client, row.doctor) == (
        "09:00–09:30",
        "Luna",
        "Camila Rodríguez",
        "Dra. Ana Ruiz",
    )
    assert data.columns == [] and data.total == 1


def test_team_week_puts_each_doctor_side_by_side_in_each_day(clinic) -> None:
    with session_scope(write=True) as session:
        booking.create(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=clinic.colleague.user.id,
                client_id=clinic.client.id,
                start_at=FRIDAY_9AM,
                source=Source.API,
            ),
        )

    data = build_calendar(
        clinic.manager.viewer, view="semana-equipo", anchor=FRIDAY, doctor_id=None
    )

    assert len(data.columns) == 7 and data.subtitle == "Todo el equipo"
    friday = next(c for c in data.columns if c.day_iso == "2027-01-29")
    assert friday.count_label == "2 citas"
    lefts = sorted(b.left for b in friday.blocks)
    assert lefts == ["calc(0.000% + 2px)", "calc(50.000% + 2px)"]
    assert all(b.accent for b in friday.blocks)


def test_reschedule_opens_on_the_appointments_own_date(clinic, root_state) -> None:
    state = substate(root_state, AppointmentState, clinic.doctor.token)
    call(state, "open_appointment", str(clinic.appointment.id))

    call(state, "set_mode", "reschedule")

    assert state.reschedule_day == "2027-01-29"  # not today (Thursday the 28th)


def test_booking_for_an_existing_pet_or_a_new_one_with_species(clinic, root_state) -> None:
    state = substate(root_state, NewAppointmentState, clinic.doctor.token)
    call(state, "start", str(clinic.doctor.user.id), "2027-01-29T16:00:00+00:00")
    call(state, "lookup", "3001112233")
    assert (state.pets, state.pet_choice) == (["Luna"], "Luna")

    call(state, "submit", {"phone": "3001112233", "reason": "Control"})

    call(state, "start", str(clinic.doctor.user.id), "2027-01-29T18:00:00+00:00")
    call(state, "lookup", "3001112233")
    call(state, "set_pet_choice", NEW_PET)
    call(
        state,
        "submit",
        {"phone": "3001112233", "pet_name": "Max", "species": "perro", "reason": "Vacuna"},
    )

    with session_scope() as session:
        booked = session.exec(
            select(Appointment).where(Appointment.tenant_id == clinic.tenant.id)
        ).all()
        pets = {p.id: p for p in session.exec(select(Pet)).all()}
    reasons = {a.reason: pets[a.pet_id] for a in booked if a.pet_id in pets}
    assert reasons["Control"].name == "Luna"
    assert (reasons["Vacuna"].name, reasons["Vacuna"].species) == ("Max", "perro")
