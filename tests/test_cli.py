"""Operator commands that open clinics and add doctors (`python -m backend ...`)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from backend.__main__ import main
from backend.core.db import session_scope
from backend.models import DoctorSchedule, StaffUser, Tenant
from backend.services.scheduling.availability import find_free_slots

FRIDAY = date(2027, 1, 29)  # the day after the frozen clock's Thursday


def _create_clinic(**overrides: str | list[str]) -> None:
    options: dict[str, str | list[str]] = {
        "slug": "patitas",
        "name": "Clínica Patitas",
        "timezone": "America/Bogota",
        "country": "CO",
        "whatsapp-number": ["+57 300 123 4567"],
        **overrides,
    }
    argv = ["create-clinic"]
    for option, value in options.items():
        for item in [value] if isinstance(value, str) else value:
            argv += [f"--{option}", item]
    main(argv)


def _slugs() -> list[str]:
    with session_scope(read_only=True) as session:
        return sorted(session.exec(select(Tenant.slug)).all())


def _error(exc: pytest.ExceptionInfo[SystemExit]) -> str:
    message = exc.value.code
    assert isinstance(message, str) and message.startswith("error: ")
    return message


def test_create_clinic_then_add_doctor_is_bookable(
    db: Engine, frozen_clock: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    _create_clinic(
        **{"whatsapp-number": ["+57 300 123 4567", "whatsapp:+14155550100"], "phone": "6014567890"}
    )
    main(
        [
            "add-doctor",
            "--tenant",
            "patitas",
            "--email",
            "Ana@Patitas.co",
            "--name",
            "Dra. Ana",
            "--speciality",
            "Cirugía",
            "--ai-booking",
            "--password",
            "tamal azul 7",
        ]
    )

    # then
    with session_scope(read_only=True) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == "patitas")).one()
        doctor = session.exec(select(StaffUser).where(StaffUser.email == "ana@patitas.co")).one()
        schedule = session.exec(
            select(DoctorSchedule).where(DoctorSchedule.doctor_id == doctor.id)
        ).one()
        slots = find_free_slots(
            session, tenant=tenant, doctors=[doctor], start_day=FRIDAY, now=frozen_clock
        )
    assert tenant.whatsapp_numbers == ["+573001234567", "+14155550100"]
    assert (tenant.timezone, tenant.country, tenant.phone) == (
        "America/Bogota",
        "CO",
        "+576014567890",
    )
    assert (doctor.tenant_id, doctor.role, doctor.active_for_ai_booking) == (
        tenant.id,
        "doctor",
        True,
    )
    assert schedule.tenant_id == tenant.id and schedule.periods
    assert slots, "the new doctor can be booked at once"
    out = capsys.readouterr().out
    assert f"clinic 'patitas' created: {tenant.id}" in out
    assert str(doctor.id) in out


def test_create_clinic_bad_timezone(db: Engine) -> None:
    with pytest.raises(SystemExit) as exc:
        _create_clinic(timezone="America/Bogotá")

    assert "'America/Bogotá' is not an IANA time zone" in _error(exc)
    assert _slugs() == []


def test_create_clinic_unserved_country(db: Engine) -> None:
    with pytest.raises(SystemExit) as exc:
        _create_clinic(country="US")

    assert "country 'US' is not served" in _error(exc)
    assert _slugs() == []


def test_create_clinic_bad_phone(db: Engine) -> None:
    with pytest.raises(SystemExit) as exc:
        _create_clinic(**{"whatsapp-number": ["+57 300 123 4567", "12"]})

    assert "'12' is not a valid phone number" in _error(exc)
    assert _slugs() == []


def test_create_clinic_bad_slug(db: Engine) -> None:
    with pytest.raises(SystemExit) as exc:
        _create_clinic(slug="patitas bogotá")

    assert "lowercase letters, digits and single hyphens" in _error(exc)
    assert _slugs() == []


def test_create_clinic_duplicate_slug(db: Engine) -> None:
    # given
    _create_clinic()

    # when
    with pytest.raises(SystemExit) as exc:
        _create_clinic(name="Otra", **{"whatsapp-number": ["+573009998877"]})

    # then
    assert "a clinic with slug 'patitas' exists" in _error(exc)
    with session_scope(read_only=True) as session:
        assert [t.name for t in session.exec(select(Tenant))] == ["Clínica Patitas"]


def test_create_clinic_whatsapp_number_taken(db: Engine) -> None:
    # given
    _create_clinic()

    # when
    with pytest.raises(SystemExit) as exc:
        _create_clinic(slug="otra", **{"whatsapp-number": ["+573009998877", "3001234567"]})

    # then
    assert "WhatsApp number +573001234567 is already used by clinic 'patitas'" in _error(exc)
    assert _slugs() == ["patitas"]


def test_add_doctor_unknown_clinic(db: Engine) -> None:
    with pytest.raises(SystemExit) as exc:
        main(
            ["add-doctor", "--tenant", "nadie", "--email", "a@b.co", "--name", "Dr. A"]
            + ["--password", "tamal azul 7"]
        )

    assert exc.value.code == "no clinic with slug 'nadie'"


def test_add_doctor_email_taken(db: Engine) -> None:
    # given
    _create_clinic()
    doctor = [
        "add-doctor",
        "--tenant",
        "patitas",
        "--name",
        "Dra. Ana",
        "--password",
        "tamal azul 7",
    ]
    main([*doctor, "--email", "ana@patitas.co"])

    # when
    with pytest.raises(SystemExit) as exc:
        main([*doctor, "--email", "ANA@patitas.co"])

    # then
    assert "a user with this e-mail exists" in _error(exc)
    with session_scope(read_only=True) as session:
        assert len(session.exec(select(StaffUser)).all()) == 1
        assert len(session.exec(select(DoctorSchedule)).all()) == 1
