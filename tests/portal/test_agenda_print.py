"""The agenda's print view and CSV export, as the portal's handlers serve them."""

from __future__ import annotations

import base64
from datetime import date

from tests.portal.conftest import at_url, call, events_of, substate
from vetassist_app.states.calendar_state import CalendarState
from vetassist_app.states.print_state import PrintState

FRIDAY = date(2027, 1, 29)


def test_the_print_view_shows_the_doctors_day_from_the_url(clinic, root_state) -> None:
    state = substate(root_state, PrintState, clinic.support.token)
    doctor = clinic.doctor.user
    at_url(state, f"/agenda/imprimir?doctor={doctor.id}&fecha={FRIDAY.isoformat()}")
    call(state, "open_page")
    [sheet] = state.sheets
    assert (sheet.doctor, sheet.day_label, sheet.count_label) == (
        doctor.full_name,
        "Viernes 29 de enero de 2027",
        "1 cita",
    )
    [row] = sheet.rows
    assert row.time == "09:00 – 09:30" and row.client == clinic.client.name
    assert row.pet.startswith(clinic.pet.name)


def test_the_print_view_of_the_team_has_a_sheet_per_doctor(clinic, root_state) -> None:
    state = substate(root_state, PrintState, clinic.manager.token)
    at_url(state, f"/agenda/imprimir?doctor=todos&fecha={FRIDAY.isoformat()}")
    call(state, "open_page")
    assert sorted(s.doctor for s in state.sheets) == sorted(
        [clinic.doctor.user.full_name, clinic.colleague.user.full_name]
    )
    assert sorted(s.count_label for s in state.sheets) == ["0 citas", "1 cita"]


def test_the_print_view_refuses_a_doctor_of_another_clinic(clinic, other_clinic, root_state):
    state = substate(root_state, PrintState, clinic.manager.token)
    at_url(state, f"/agenda/imprimir?doctor={other_clinic.doctor.user.id}&fecha=2027-01-29")
    events = events_of(call(state, "open_page"))
    assert state.sheets == []
    assert events  # a toast explains, nothing of the other clinic is shown


def test_the_calendar_exports_the_week_on_screen_as_csv(clinic, root_state) -> None:
    state = substate(root_state, CalendarState, clinic.doctor.token)
    state.view, state.anchor = "semana", FRIDAY.isoformat()
    call(state, "reload")
    [download] = [e for e in events_of(call(state, "export_csv")) if e is not None]
    args = {str(name): value._var_value for name, value in download.args}
    assert args["filename"] == "agenda-2027-01-25-2027-01-31.csv"
    prefix = "data:text/csv;base64,"
    assert args["url"].startswith(prefix)
    text = base64.b64decode(args["url"][len(prefix) :]).decode("utf-8-sig")
    [header, row] = text.splitlines()
    assert header.startswith("Fecha,Inicio,Fin,Veterinario,Cliente")
    assert row.startswith(f"2027-01-29,09:00,09:30,{clinic.doctor.user.full_name},")
    assert clinic.client.name in row
    assert state.print_href == f"/agenda/imprimir?doctor={clinic.doctor.user.id}&fecha=2027-01-29"
