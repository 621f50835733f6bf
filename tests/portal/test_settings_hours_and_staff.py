"""Settings: hours edited with time pickers, and the team (invite, deactivate) by role."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from backend.core.db import session_scope
from backend.domain.errors import ValidationFailed
from backend.integrations.alerts import MemoryTransport, set_alert_transport
from backend.models import StaffUser, Tenant
from tests.portal.conftest import at_url, call, substate, toast_text
from vetassist_app.states.activation_state import ActivationState
from vetassist_app.states.calendar_state import build_calendar
from vetassist_app.states.clinic_calendar_state import ClinicCalendarState
from vetassist_app.states.settings_state import SettingsState, save_clinic, spans_from_form
from vetassist_app.states.staff_state import StaffState

FRIDAY = date(2027, 1, 29)


def test_spans_from_form_reads_time_pickers_of_one_day() -> None:
    form = {
        "day_1_b2_start": "14:00",
        "day_1_b2_end": "00:00",
        "day_1_a1_start": "08:00",
        "day_1_a1_end": "12:30",
        "day_1_c3_start": "",
        "day_1_c3_end": "",
        "day_2_x_start": "09:00",
        "day_2_x_end": "10:00",
    }

    assert sorted(spans_from_form(form, 1)) == [["08:00", "12:30"], ["14:00", "24:00"]]
    assert spans_from_form(form, 3) == []


def test_spans_from_form_refuses_a_period_without_end() -> None:
    with pytest.raises(ValidationFailed):
        spans_from_form({"day_0_a_start": "08:00", "day_0_a_end": ""}, 0)


def test_save_clinic_stores_picked_hours(clinic) -> None:
    form = {"name": "Clínica Patitas", "phone": "", "address": "", "reminders": "24"}
    form.update({"day_0_a_start": "14:00", "day_0_a_end": "18:00"})
    form.update({"day_0_b_start": "08:00", "day_0_b_end": "12:00"})

    save_clinic(clinic.manager.viewer, form)

    with session_scope() as session:
        tenant = session.get(Tenant, clinic.tenant.id)
    assert tenant.business_hours == {"0": [["08:00", "12:00"], ["14:00", "18:00"]]}


def test_overlapping_periods_are_explained_with_the_weekday(clinic, root_state) -> None:
    state = substate(root_state, SettingsState, clinic.manager.token)
    form = {"name": "Clínica Patitas", "phone": "", "address": "", "reminders": "24"}
    form.update({"day_1_a_start": "08:00", "day_1_a_end": "12:00"})
    form.update({"day_1_b_start": "11:00", "day_1_b_end": "13:00"})

    result = call(state, "save_clinic", form)

    assert "Revisa los horarios del martes: dos periodos se cruzan." in toast_text(result)


def test_add_and_remove_period_edit_one_day_of_one_week(clinic, root_state) -> None:
    state = substate(root_state, SettingsState, clinic.manager.token)
    call(state, "open_page")
    doctor = state.doctors[0]
    monday = doctor.days[0]
    assert [(p.start, p.end) for p in monday.periods] == [("08:00", "18:00")]

    call(state, "add_period", doctor.id, "0")
    added = state.doctors[0].days[0].periods
    assert [(p.start, p.end) for p in added] == [("08:00", "18:00"), ("19:00", "21:00")]
    assert len(state.doctors[1].days[0].periods) == 1  # the other doctor is untouched

    call(state, "remove_period", doctor.id, "0", added[0].id)
    assert [p.id for p in state.doctors[0].days[0].periods] == [added[1].id]

    call(state, "add_period", "clinic", "6")
    assert [(p.start, p.end) for p in state.business_hours[6].periods] == [("08:00", "12:00")]


def test_only_management_may_invite(clinic, root_state) -> None:
    set_alert_transport(MemoryTransport())
    try:
        state = substate(root_state, StaffState, clinic.support.token)
        form = {"full_name": "Dr. Luis Pardo", "email": "luis@patitas.co", "role": "doctor"}

        refused = call(state, "invite", form)

        assert "Tu rol no tiene permiso" in toast_text(refused)
        with session_scope() as session:
            assert (
                session.exec(select(StaffUser).where(StaffUser.email == "luis@patitas.co")).first()
                is None
            )
        manager_state = substate(root_state, StaffState, clinic.manager.token)
        call(manager_state, "invite", form)
        assert manager_state.link.startswith("http://localhost:3000/activar/")
        assert any(
            m.email == "luis@patitas.co" and m.status == "pendiente" for m in manager_state.members
        )
    finally:
        set_alert_transport(None)


def test_invite_with_a_taken_email_is_explained_in_spanish(clinic, root_state) -> None:
    state = substate(root_state, StaffState, clinic.manager.token)
    form = {"full_name": "Otra Ana", "email": clinic.doctor.user.email, "role": "doctor"}

    result = call(state, "invite", form)

    assert "Ya hay una persona con ese correo" in toast_text(result)


def test_activation_page_with_unknown_link_says_so(root_state, db) -> None:
    state = substate(root_state, ActivationState)
    at_url(state, "/activar/no-existe/")
    call(state, "open_link")

    assert state.status == "invalid"


def test_holiday_added_in_settings_closes_the_calendar_day(clinic, root_state) -> None:
    state = substate(root_state, ClinicCalendarState, clinic.manager.token)
    doctor_id = str(clinic.doctor.user.id)

    result = call(
        state, "add_closure", {"first_day": "2027-01-29", "last_day": "", "reason": "Festivo"}
    )

    assert "Cierre registrado" in toast_text(result)
    assert [(c.days, c.hours, c.reason) for c in state.closures] == [
        ("Viernes 29 de enero de 2027", "Todo el día", "Festivo")
    ]
    [column] = build_calendar(
        clinic.manager.viewer, view="dia", anchor=FRIDAY, doctor_id=doctor_id
    ).columns
    assert column.free == []
    assert "Clínica cerrada" in [s.label for s in column.shades]


def test_on_call_shift_from_the_form_is_listed_in_spanish(clinic, root_state) -> None:
    state = substate(root_state, ClinicCalendarState, clinic.manager.token)
    form = {"doctor_id": str(clinic.doctor.user.id), "day": "6", "start": "00:00", "end": "00:00"}

    call(state, "add_shift", form)
    refused = call(state, "add_shift", {**form, "start": "10:00", "end": "12:00"})

    assert [(s.day, s.hours, s.doctor) for s in state.shifts] == [
        ("Cada domingo", "00:00–24:00", "Dra. Ana Ruiz")
    ]
    assert "no se cruza con otra guardia" in toast_text(refused)
