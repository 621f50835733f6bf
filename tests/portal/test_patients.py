"""The portal's side of patient history and no-shows: the appointment panel offers
outcomes only from the start time on and an undo after them; the client page's reads."""

from __future__ import annotations

from datetime import timedelta

from backend.core.clock import clock
from backend.domain.appointment_rules import Status
from tests.portal.conftest import logged_in_again
from vetassist_app.states.appointment_state import change_status, load_appointment, undo_status
from vetassist_app.states.client_state import client_detail, search
from vetassist_app.states.pet_state import pet_page


def test_panel_offers_outcomes_only_from_the_start_time_on(clinic) -> None:
    before = load_appointment(clinic.doctor.viewer, str(clinic.appointment.id))
    clock.freeze(clinic.appointment.start_at)
    doctor = logged_in_again(clinic.doctor)
    after = load_appointment(doctor.viewer, str(clinic.appointment.id))

    assert (before.can_complete, before.can_no_show) == (False, False)
    assert (after.can_complete, after.can_no_show) == (True, True)
    assert before.pet_id == str(clinic.pet.id)


def test_no_show_shows_an_undo_and_the_clients_count_everywhere(clinic) -> None:
    clock.freeze(clinic.appointment.start_at + timedelta(minutes=15))
    doctor = logged_in_again(clinic.doctor)
    appointment_id = str(clinic.appointment.id)

    change_status(doctor.viewer, appointment_id, 1, Status.NO_SHOW)
    marked = load_appointment(doctor.viewer, appointment_id)
    row = next(r for r in search(doctor.viewer, "") if r.id == str(clinic.client.id))
    page = client_detail(doctor.viewer, str(clinic.client.id))

    assert (marked.status, marked.can_undo, marked.client_no_shows) == (
        "no_show",
        True,
        "1 inasistencia",
    )
    assert row.no_shows == page.no_shows == "1 inasistencia"

    undo_status(doctor.viewer, appointment_id, marked.version)
    restored = load_appointment(doctor.viewer, appointment_id)
    assert (restored.status, restored.can_undo, restored.client_no_shows) == ("pending", False, "")
    assert restored.history[-1].text == "Se deshizo el último cambio de estado"


def test_pet_page_shows_age_and_visits(clinic) -> None:
    page = pet_page(clinic.support.viewer, str(clinic.pet.id))

    assert (page.name, page.client_name) == ("Luna", "Camila Rodríguez")
    assert [v.reason for v in page.visits] == ["Vacunación anual"]
    assert page.visits[0].upcoming
