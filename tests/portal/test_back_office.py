"""Follow-ups, clients and pets, settings and analytics pages' logic."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlmodel import select

from backend.core.clock import clock, utcnow
from backend.core.db import session_scope
from backend.domain.errors import NotFound, ValidationFailed
from backend.models import (
    ApiKey,
    Appointment,
    DoctorSchedule,
    EscalationContact,
    FollowUp,
    FollowUpProtocol,
    Tenant,
    TimeOff,
)
from backend.services.actors import SYSTEM
from backend.services.clinics import auth
from backend.services.outreach import followups
from backend.services.scheduling import booking
from tests.portal.conftest import call, substate, toast_text
from vetassist_app.states.analytics_state import week_dashboard
from vetassist_app.states.calendar_state import build_calendar
from vetassist_app.states.client_state import client_detail, search
from vetassist_app.states.followup_state import FollowUpState, cancel, list_rows, tab_counts
from vetassist_app.states.settings_state import (
    SettingsState,
    add_time_off,
    create_api_key,
    load_settings,
    parse_spans,
    remove_time_off,
    revoke_api_key,
    save_clinic,
    save_contact,
    save_doctor,
    save_protocol,
)

FRIDAY = date(2027, 1, 29)


def _complete_with_follow_ups(clinic) -> list[FollowUp]:
    now = utcnow()
    clock.freeze(clinic.appointment.end_at)  # a visit is completed once it started
    try:
        with session_scope(write=True) as session:
            appointment = booking.complete(
                session,
                tenant=clinic.tenant,
                actor=SYSTEM,
                appointment_id=clinic.appointment.id,
                expected_version=1,
                procedure_type="surgery",
            )
            return followups.schedule_follow_ups(session, appointment, now=now)
    finally:
        clock.freeze(now)  # back before the staff's sessions go idle


# ------------------------------------------------------------------- follow-ups


def test_follow_ups_are_listed_by_tab_with_pet_and_message(clinic) -> None:
    _complete_with_follow_ups(clinic)

    rows = list_rows(clinic.doctor.viewer, "pending")
    counts = {c.key: c.count for c in tab_counts(clinic.doctor.viewer)}

    assert counts["pending"] == 4 and counts["all"] == 4 and counts["escalated"] == 0
    first = rows[0]
    assert (first.pet, first.client, first.procedure, first.step) == (
        "🐱 Luna",
        "Camila Rodríguez",
        "Cirugía",
        "n.º 1",
    )
    assert "Luna" in first.message and "{pet_name}" not in first.message
    assert first.can_cancel


def test_cancel_follow_up_and_isolation(clinic, other_clinic) -> None:
    follow_up = _complete_with_follow_ups(clinic)[0]

    with pytest.raises(NotFound):
        cancel(other_clinic.manager.viewer, str(follow_up.id))
    cancel(clinic.doctor.viewer, str(follow_up.id))

    assert {c.key: c.count for c in tab_counts(clinic.doctor.viewer)}["pending"] == 3
    assert list_rows(other_clinic.manager.viewer, "all") == []


def test_follow_up_handler_refuses_support(clinic, root_state) -> None:
    follow_up = _complete_with_follow_ups(clinic)[0]
    state = substate(root_state, FollowUpState, clinic.support.token)
    call(state, "open_page")

    result = call(state, "cancel", str(follow_up.id))

    assert "permiso" in toast_text(result)
    assert not state.can_cancel


# -------------------------------------------------------------------- clients


def test_client_search_ignores_accents_and_matches_pets_and_phone(clinic) -> None:
    assert [r.name for r in search(clinic.support.viewer, "rodriguez")] == ["Camila Rodríguez"]
    assert [r.name for r in search(clinic.support.viewer, "luna")] == ["Camila Rodríguez"]
    assert [r.name for r in search(clinic.support.viewer, "111 2233")] == ["Camila Rodríguez"]
    assert search(clinic.support.viewer, "nadie") == []


def test_client_detail_lists_pets_and_appointments(clinic, other_clinic) -> None:
    detail = client_detail(clinic.support.viewer, str(clinic.client.id))

    assert detail.name == "Camila Rodríguez"
    assert [p.name for p in detail.pets] == ["Luna"]
    (appointment,) = detail.upcoming
    assert detail.past == []
    assert appointment.upcoming and appointment.status_label == "Pendiente"
    with pytest.raises(NotFound):
        client_detail(clinic.support.viewer, str(other_clinic.client.id))


# ------------------------------------------------------------------- settings


def test_parse_spans_reads_periods_and_refuses_garbage() -> None:
    assert parse_spans("08:00-12:30, 14:00 - 18:00") == [["08:00", "12:30"], ["14:00", "18:00"]]
    assert parse_spans("") == []
    with pytest.raises(ValidationFailed):
        parse_spans("por la mañana")


def test_save_doctor_changes_schedule_used_by_calendar(clinic) -> None:
    form = {f"day_{d}": "" for d in range(7)}
    form.update(
        day_4="10:00-12:00",
        doctor_id=str(clinic.doctor.user.id),
        slot_minutes="20",
        buffer_minutes="0",
        min_notice_minutes="30",
        horizon_days="90",
        ai_booking="on",
    )

    save_doctor(clinic.manager.viewer, form)

    with session_scope() as session:
        schedule = session.exec(
            select(DoctorSchedule).where(DoctorSchedule.doctor_id == clinic.doctor.user.id)
        ).one()
    assert schedule.periods == [{"weekday": 4, "start": "10:00", "end": "12:00"}]
    assert (schedule.slot_minutes, schedule.buffer_minutes) == (20, 0)
    free = build_calendar(
        clinic.manager.viewer, view="dia", anchor=FRIDAY, doctor_id=str(clinic.doctor.user.id)
    )
    assert [f.label for f in free.columns[0].free] == [
        "+ 10:00",
        "+ 10:20",
        "+ 10:40",
        "+ 11:00",
        "+ 11:20",
        "+ 11:40",
    ]


def test_save_doctor_refuses_bad_values_and_foreign_doctor(clinic, other_clinic) -> None:
    form = {f"day_{d}": "" for d in range(7)}
    form.update(
        doctor_id=str(clinic.doctor.user.id),
        slot_minutes="0",
        buffer_minutes="5",
        min_notice_minutes="60",
        horizon_days="60",
    )
    with pytest.raises(ValidationFailed):
        save_doctor(clinic.manager.viewer, form)
    form.update(slot_minutes="30", day_0="12:00-08:00")
    with pytest.raises(ValidationFailed):
        save_doctor(clinic.manager.viewer, form)
    form.update(day_0="", doctor_id=str(other_clinic.doctor.user.id))
    with pytest.raises(NotFound):
        save_doctor(clinic.manager.viewer, form)


def test_save_clinic_hours_and_reminders(clinic) -> None:
    form = {f"day_{d}": "08:00-17:00" for d in range(5)}
    form.update(
        day_5="09:00-13:00",
        day_6="",
        name="Clínica Patitas Norte",
        phone="601 456 7890",
        address="Calle 1",
        reminders="2, 24",
    )

    save_clinic(clinic.manager.viewer, form)

    with session_scope() as session:
        tenant = session.get(Tenant, clinic.tenant.id)
    assert tenant.name == "Clínica Patitas Norte"
    assert tenant.business_hours["5"] == [["09:00", "13:00"]] and "6" not in tenant.business_hours
    assert tenant.reminder_offsets_hours == [24, 2]


def test_time_off_blocks_then_frees_the_day(clinic) -> None:
    add_time_off(
        clinic.manager.viewer,
        {
            "doctor_id": str(clinic.doctor.user.id),
            "start_day": "2027-01-29",
            "start_time": "08:00",
            "end_day": "2027-01-29",
            "end_time": "18:00",
            "reason": "Congreso",
        },
    )
    blocked = build_calendar(
        clinic.manager.viewer, view="dia", anchor=FRIDAY, doctor_id=str(clinic.doctor.user.id)
    )
    assert blocked.columns[0].free == []
    assert any(s.kind == "time_off" and s.label == "Ausencia" for s in blocked.columns[0].shades)

    (row,) = load_settings(clinic.manager.viewer).time_off
    assert (row.doctor, row.reason) == ("Dra. Ana Ruiz", "Congreso")
    remove_time_off(clinic.manager.viewer, row.id)
    with session_scope() as session:
        assert session.exec(select(TimeOff)).all() == []


def test_protocols_contacts_and_keys(clinic) -> None:
    viewer = clinic.manager.viewer
    save_protocol(
        viewer,
        {
            "procedure_type": "vaccination",
            "label": "Vacunación",
            "hours": "24, 72",
            "messages": "¿Cómo sigue {pet_name}?\nSegundo mensaje",
            "keywords": "vómito, fiebre",
        },
    )
    save_contact(
        viewer,
        {"name": "Dr. Turno", "phone": "320 111 2222", "email": "", "channel_whatsapp": "on"},
    )
    secret = create_api_key(viewer, "Facturación")

    with session_scope() as session:
        protocol = session.exec(
            select(FollowUpProtocol).where(FollowUpProtocol.procedure_type == "vaccination")
        ).one()
        contact = session.exec(
            select(EscalationContact).where(EscalationContact.name == "Dr. Turno")
        ).one()
        assert auth.find_api_key(session, secret) is not None
        key_id = session.exec(select(ApiKey.id)).one()
    assert protocol.schedule_hours == [24, 72] and protocol.escalation_keywords == [
        "vómito",
        "fiebre",
    ]
    assert (contact.whatsapp_phone, contact.channels) == ("+573201112222", ["whatsapp"])
    settings = load_settings(viewer)
    assert [k.name for k in settings.api_keys] == ["Facturación"]
    assert secret not in str(settings)  # listed by prefix only

    revoke_api_key(viewer, str(key_id))
    with session_scope() as session:
        assert auth.find_api_key(session, secret) is None


def test_settings_handlers_are_for_managers_only(clinic, root_state) -> None:
    state = substate(root_state, SettingsState, clinic.doctor.token)

    result = call(state, "create_api_key", {"name": "robada"})

    assert "permiso" in toast_text(result)
    assert state.new_secret == ""
    with session_scope() as session:
        assert session.exec(select(ApiKey)).all() == []


def test_create_key_handler_shows_secret_once(clinic, root_state) -> None:
    state = substate(root_state, SettingsState, clinic.manager.token)
    call(state, "open_page")

    call(state, "create_api_key", {"name": "Facturación"})
    secret = state.new_secret
    call(state, "open_page")

    assert secret.startswith("va_")
    assert state.new_secret == ""


# ------------------------------------------------------------------ analytics


def test_week_dashboard_counts_this_week(clinic, other_clinic) -> None:
    with session_scope(write=True) as session:
        booking.confirm(
            session,
            tenant=clinic.tenant,
            actor=SYSTEM,
            appointment_id=clinic.appointment.id,
            expected_version=1,
        )

    data = week_dashboard(clinic.manager.viewer)

    assert data.title == "25 – 31 ene 2027"
    assert data.kpis[0].value == "1"
    assert {b.label: b.value for b in data.by_status}["Confirmada"] == 1
    assert {b.label: b.value for b in data.by_source}["WhatsApp"] == 1
    assert [d.value for d in data.by_day] == [0, 0, 0, 0, 1, 0, 0]


def test_week_dashboard_of_empty_week(clinic) -> None:
    data = week_dashboard(clinic.manager.viewer, date(2027, 3, 1))

    assert data.kpis[0].value == "0"
    assert all(b.value == 0 for b in data.by_status)


def test_appointment_model_untouched_by_reads(clinic) -> None:
    """Loading every page's data writes nothing (reads never bump versions)."""
    viewer = clinic.manager.viewer
    build_calendar(viewer, view="semana", anchor=FRIDAY, doctor_id=None)
    load_settings(viewer)
    week_dashboard(viewer)
    search(viewer, "")
    with session_scope() as session:
        stored = session.get(Appointment, uuid.UUID(str(clinic.appointment.id)))
    assert stored.version == 1


def test_settings_errors_are_explained_in_spanish(clinic, root_state) -> None:
    state = substate(root_state, SettingsState, clinic.manager.token)
    form = {f"day_{d}": "" for d in range(7)}
    form.update(
        day_2="18:00-08:00",
        doctor_id=str(clinic.doctor.user.id),
        slot_minutes="30",
        buffer_minutes="5",
        min_notice_minutes="60",
        horizon_days="60",
    )

    result = call(state, "save_doctor", form)

    assert "Revisa los horarios" in toast_text(result)


def test_save_protocol_refuses_unknown_procedure(clinic) -> None:
    with pytest.raises(ValidationFailed):
        save_protocol(
            clinic.manager.viewer,
            {"procedure_type": "peluqueria", "hours": "24", "messages": "Hola"},
        )
