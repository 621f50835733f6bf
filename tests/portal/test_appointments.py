"""Appointment actions from the portal: all through the booking service, versioned,
scoped to the viewer's clinic and role."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlmodel import select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.domain.appointment_rules import Status
from backend.domain.errors import IllegalTransition, NotFound, StaleVersion, ValidationFailed
from backend.models import Appointment, AuditLog, Client, Pet
from backend.services.actors import SYSTEM
from backend.services.scheduling import booking
from tests.portal.conftest import (
    FRIDAY_10AM,
    at_url,
    call,
    events_of,
    logged_in_again,
    redirected_to,
    substate,
    toast_text,
)
from vetassist_app import routes
from vetassist_app.states.appointment_state import (
    AppointmentState,
    NewAppointmentState,
    NewBooking,
    change_status,
    create_booking,
    find_client,
    load_appointment,
    reschedule,
    reschedule_options,
    save_notes,
)
from vetassist_app.states.calendar_state import CalendarState

FRIDAY = date(2027, 1, 29)


def _stored(appointment_id) -> Appointment:
    with session_scope() as session:
        return session.get(Appointment, uuid.UUID(str(appointment_id)))


def test_load_appointment_shows_details_and_allowed_actions(clinic) -> None:
    detail = load_appointment(clinic.support.viewer, str(clinic.appointment.id))

    assert detail.client_name == "Camila Rodríguez"
    assert detail.client_phone == "+57 300 111 2233"
    assert detail.pet == "🐱 Luna"
    assert detail.time_label == "09:00 – 09:30"
    assert detail.day_label == "Viernes 29 de enero de 2027"
    assert detail.source_label == "WhatsApp"
    assert (detail.can_confirm, detail.can_reschedule, detail.can_cancel) == (True, True, True)
    assert [h.text for h in detail.history] == ["Cita creada"]


def test_load_appointment_of_another_clinic_is_not_found(clinic, other_clinic) -> None:
    with pytest.raises(NotFound):
        load_appointment(clinic.manager.viewer, str(other_clinic.appointment.id))
    with pytest.raises(NotFound):
        load_appointment(clinic.manager.viewer, "not-a-uuid")


def test_change_status_confirms_with_viewer_in_audit(clinic) -> None:
    change_status(clinic.doctor.viewer, str(clinic.appointment.id), 1, Status.CONFIRMED)

    stored = _stored(clinic.appointment.id)
    assert (stored.status, stored.version) == ("confirmed", 2)
    with session_scope() as session:
        audit = session.exec(select(AuditLog).where(AuditLog.action == "confirm")).one()
    assert (audit.actor_type, audit.actor_label) == ("user", "Dra. Ana Ruiz")


def test_change_status_with_stale_version_is_refused(clinic) -> None:
    change_status(clinic.doctor.viewer, str(clinic.appointment.id), 1, Status.CONFIRMED)

    with pytest.raises(StaleVersion):
        change_status(clinic.colleague.viewer, str(clinic.appointment.id), 1, Status.CANCELLED)
    assert _stored(clinic.appointment.id).status == "confirmed"


def test_change_status_cancels_with_reason_and_completes_with_procedure(clinic) -> None:
    change_status(
        clinic.doctor.viewer, str(clinic.appointment.id), 1, Status.CANCELLED, reason="Viaje"
    )
    stored = _stored(clinic.appointment.id)
    assert (stored.status, stored.cancel_reason) == ("cancelled", "Viaje")
    with pytest.raises(IllegalTransition):
        change_status(
            clinic.doctor.viewer,
            str(clinic.appointment.id),
            2,
            Status.COMPLETED,
            procedure_type="surgery",
        )


def test_change_status_complete_needs_procedure_type(clinic) -> None:
    clock.freeze(clinic.appointment.end_at)  # a visit is completed once it started
    doctor = logged_in_again(clinic.doctor)
    with pytest.raises(ValidationFailed):
        change_status(doctor.viewer, str(clinic.appointment.id), 1, Status.COMPLETED)

    change_status(
        doctor.viewer,
        str(clinic.appointment.id),
        1,
        Status.COMPLETED,
        procedure_type="vaccination",
    )
    stored = _stored(clinic.appointment.id)
    assert (stored.status, stored.procedure_type) == ("completed", "vaccination")


def test_change_status_on_another_clinics_appointment_is_not_found(clinic, other_clinic) -> None:
    with pytest.raises(NotFound):
        change_status(clinic.manager.viewer, str(other_clinic.appointment.id), 1, Status.CANCELLED)
    assert _stored(other_clinic.appointment.id).status == "pending"


def test_reschedule_moves_to_a_free_slot(clinic) -> None:
    options = reschedule_options(clinic.doctor.viewer, str(clinic.doctor.user.id), FRIDAY)
    target = next(o for o in options if o.label == "11:00")

    reschedule(clinic.doctor.viewer, str(clinic.appointment.id), 1, target.key)

    stored = _stored(clinic.appointment.id)
    assert stored.start_at.isoformat() == "2027-01-29T16:00:00+00:00"
    assert stored.version == 2


def test_reschedule_to_a_slot_taken_meanwhile_is_refused(clinic) -> None:
    options = reschedule_options(clinic.doctor.viewer, str(clinic.doctor.user.id), FRIDAY)
    target = next(o for o in options if o.label == "10:00")
    with session_scope(write=True) as session:  # the assistant books it first
        booking.create(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=clinic.doctor.user.id, client_id=clinic.client.id, start_at=FRIDAY_10AM
            ),
        )

    with pytest.raises(Exception) as raised:
        reschedule(clinic.doctor.viewer, str(clinic.appointment.id), 1, target.key)
    assert raised.value.code == "slot_taken"


def test_reschedule_to_colleague_moves_doctor(clinic) -> None:
    options = reschedule_options(clinic.doctor.viewer, str(clinic.colleague.user.id), FRIDAY)

    reschedule(clinic.doctor.viewer, str(clinic.appointment.id), 1, options[0].key)

    assert _stored(clinic.appointment.id).doctor_id == clinic.colleague.user.id


def test_reschedule_options_for_another_clinics_doctor_are_refused(clinic, other_clinic) -> None:
    with pytest.raises(NotFound):
        reschedule_options(clinic.manager.viewer, str(other_clinic.doctor.user.id), FRIDAY)


def test_save_notes_keeps_version_check(clinic) -> None:
    save_notes(clinic.doctor.viewer, str(clinic.appointment.id), 1, "Traer carné de vacunas")

    assert _stored(clinic.appointment.id).notes == "Traer carné de vacunas"
    with pytest.raises(StaleVersion):
        save_notes(clinic.doctor.viewer, str(clinic.appointment.id), 1, "otra")


def test_create_booking_creates_client_and_pet_by_phone(clinic) -> None:
    # given
    assert not find_client(clinic.doctor.viewer, "310 555 0000").found

    # when
    appointment_id = create_booking(
        clinic.doctor.viewer,
        NewBooking(
            doctor_id=str(clinic.doctor.user.id),
            start_iso="2027-01-29T16:00:00+00:00",
            phone="310 555 0000",
            client_name="Pedro Pérez",
            pet_name="Toby",
            species="perro",
            reason="Control",
            confirmed=True,
        ),
    )

    # then
    match = find_client(clinic.doctor.viewer, "+573105550000")
    assert match.found and match.name == "Pedro Pérez" and match.pets == ["Toby"]
    stored = _stored(appointment_id)
    assert (stored.status, stored.source, stored.reason) == ("confirmed", "portal", "Control")
    with session_scope() as session:
        pet = session.get(Pet, stored.pet_id)
        client = session.get(Client, stored.client_id)
    assert (pet.name, client.tenant_id) == ("Toby", clinic.tenant.id)


def test_create_booking_for_existing_client_reuses_it(clinic) -> None:
    match = find_client(clinic.doctor.viewer, "3001112233")
    assert match.found and match.pets == ["Luna"]

    appointment_id = create_booking(
        clinic.doctor.viewer,
        NewBooking(
            doctor_id=str(clinic.doctor.user.id),
            start_iso="2027-01-29T16:00:00+00:00",
            phone="3001112233",
            client_name="",
            pet_name="luna",
            species="",
            reason="",
            confirmed=False,
        ),
    )

    stored = _stored(appointment_id)
    assert (stored.client_id, stored.pet_id) == (clinic.client.id, clinic.pet.id)


# ------------------------------------------------------------ through the handlers


def test_confirm_handler_updates_dialog_and_redraws_calendar(clinic, root_state) -> None:
    # given: the doctor's Friday on the calendar, the appointment's panel open
    calendar = substate(root_state, CalendarState, clinic.doctor.token)
    calendar.view, calendar.anchor = "dia", "2027-01-29"
    call(calendar, "reload")
    state = substate(root_state, AppointmentState, clinic.doctor.token)
    call(state, "open_appointment", str(clinic.appointment.id))
    assert state.dialog_open and state.detail.status == "pending"

    # when
    result = call(state, "confirm")

    # then
    assert state.detail.status == "confirmed"
    assert state.detail.version == 2
    assert "Cita confirmada" in toast_text(result)
    assert _stored(clinic.appointment.id).status == "confirmed"
    # and the calendar behind the panel redraws the block when it runs the event it got
    handlers = [getattr(event, "handler", event).fn for event in events_of(result)]
    (redraw,) = [fn for fn in handlers if fn.__qualname__.startswith("CalendarState.")]
    call(calendar, redraw.__name__)
    (block,) = [b for column in calendar.columns for b in column.blocks]
    assert (block.id, block.status) == (str(clinic.appointment.id), "confirmed")


def test_confirm_handler_after_someone_else_changed_it_reloads_and_explains(
    clinic, root_state
) -> None:
    # given: the dialog shows version 1
    state = substate(root_state, AppointmentState, clinic.doctor.token)
    call(state, "open_appointment", str(clinic.appointment.id))
    with session_scope(write=True) as session:
        booking.cancel(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            appointment_id=clinic.appointment.id,
            expected_version=1,
        )

    # when
    result = call(state, "confirm")

    # then
    assert "Otra persona modificó esta cita" in toast_text(result)
    assert state.detail.status == "cancelled"  # reloaded
    assert _stored(clinic.appointment.id).status == "cancelled"


def test_support_cannot_change_appointments(clinic, root_state) -> None:
    state = substate(root_state, AppointmentState, clinic.support.token)
    call(state, "open_appointment", str(clinic.appointment.id))

    result = call(state, "confirm")

    assert "permiso" in toast_text(result)
    assert _stored(clinic.appointment.id).status == "pending"


def test_open_page_of_foreign_appointment_shows_not_found(clinic, other_clinic, root_state) -> None:
    # given: the own clinic's URL works
    state = substate(root_state, AppointmentState, clinic.manager.token)
    at_url(state, f"/citas/{clinic.appointment.id}")
    call(state, "open_page")
    assert not state.missing and state.detail.id == str(clinic.appointment.id)

    # when: the URL is edited to name another clinic's appointment
    at_url(state, f"/citas/{other_clinic.appointment.id}")
    call(state, "open_page")

    # then
    assert state.missing
    assert state.detail.id == ""


def test_forged_action_on_foreign_appointment_changes_nothing(
    clinic, other_clinic, root_state
) -> None:
    # given: a forged event carrying another clinic's appointment in the panel state
    state = substate(root_state, AppointmentState, clinic.manager.token)
    state.detail.id = str(other_clinic.appointment.id)
    state.detail.version = 1

    # when
    result = call(state, "submit_cancel", {"reason": "x"})

    # then
    assert "No encontramos" in toast_text(result)
    assert _stored(other_clinic.appointment.id).status == "pending"


def test_new_appointment_handler_books_from_empty_slot(clinic, root_state) -> None:
    state = substate(root_state, NewAppointmentState, clinic.doctor.token)
    call(state, "start", str(clinic.doctor.user.id), "2027-01-29T16:00:00+00:00")
    assert state.dialog_open and state.when_label == "Viernes 29 de enero de 2027, 11:00"

    call(state, "lookup", "3001112233")
    assert state.client_found and state.client_name == "Camila Rodríguez"
    result = call(
        state,
        "submit",
        {"phone": "3001112233", "pet_name": "Luna", "reason": "Control", "confirmed": True},
    )

    assert not state.dialog_open
    assert "Cita creada" in toast_text(result)
    with session_scope() as session:
        count = len(
            session.exec(select(Appointment).where(Appointment.tenant_id == clinic.tenant.id)).all()
        )
    assert count == 2


def test_new_appointment_for_anonymous_goes_to_login(clinic, root_state) -> None:
    state = substate(root_state, NewAppointmentState, "")

    assert (
        redirected_to(call(state, "start", str(clinic.doctor.user.id), "2027-01-29T16:00:00+00:00"))
        == routes.LOGIN
    )
