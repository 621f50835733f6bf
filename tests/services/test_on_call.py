"""The on-call rota and who receives an emergency: on call, else working, else the first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from backend.core.db import session_scope
from backend.domain.errors import NotFound, ValidationFailed
from backend.models import Tenant, TimeOff
from backend.services.scheduling import closures, on_call
from tests.factories import make_doctor, make_tenant

SUNDAY_3AM = datetime(2027, 1, 31, 8, 0, tzinfo=UTC)  # Bogotá is UTC-5
TUESDAY_10AM = datetime(2027, 2, 2, 15, 0, tzinfo=UTC)
TUESDAY_3PM = datetime(2027, 2, 2, 20, 0, tzinfo=UTC)
SUNDAY = 6


@pytest.fixture
def clinic(db, frozen_clock):
    """Dra. Ana (sorts first) works afternoons; Dra. Berta mornings; Dra. Carla never."""
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        afternoons = [{"weekday": d, "start": "14:00", "end": "18:00"} for d in range(5)]
        mornings = [{"weekday": d, "start": "08:00", "end": "12:00"} for d in range(5)]
        ana = make_doctor(session, tenant, name="Dra. Ana Arias", periods=afternoons)
        beto = make_doctor(session, tenant, name="Dra. Berta Bernal", periods=mornings)
        carlos = make_doctor(session, tenant, name="Dra. Carla Cruz", periods=[])
    return tenant, ana, beto, carlos


def _who(tenant: Tenant, at: datetime) -> str | None:
    with session_scope(read_only=True) as session:
        doctor = on_call.doctor_for_emergency(session, tenant, at)
        return doctor.full_name if doctor else None


def test_sunday_emergency_goes_to_the_doctor_on_call_on_sunday(clinic):
    tenant, _, _, carlos = clinic
    on_call.add_shift(
        tenant_id=tenant.id, doctor_id=carlos.id, weekday=SUNDAY, start="00:00", end="24:00"
    )

    assert _who(tenant, SUNDAY_3AM) == "Dra. Carla Cruz"


def test_tuesday_10am_emergency_goes_to_a_doctor_working_then(clinic):
    tenant, _, _, _ = clinic

    assert _who(tenant, TUESDAY_10AM) == "Dra. Berta Bernal"
    assert _who(tenant, TUESDAY_3PM) == "Dra. Ana Arias"


def test_without_rota_or_anyone_working_the_first_doctor_receives_it(clinic):
    tenant, _, _, _ = clinic

    assert _who(tenant, SUNDAY_3AM) == "Dra. Ana Arias"


def test_a_dated_shift_wins_over_the_weekly_rota(clinic):
    tenant, ana, _, carlos = clinic
    on_call.add_shift(
        tenant_id=tenant.id, doctor_id=carlos.id, weekday=SUNDAY, start="00:00", end="24:00"
    )
    on_call.add_shift(
        tenant_id=tenant.id, doctor_id=ana.id, on_date=date(2027, 1, 31), start="00:00", end="12:00"
    )

    assert _who(tenant, SUNDAY_3AM) == "Dra. Ana Arias"
    assert _who(tenant, SUNDAY_3AM + timedelta(hours=10)) == "Dra. Carla Cruz"


def test_a_doctor_on_time_off_or_a_closed_clinic_is_not_working(clinic):
    tenant, _, beto, _ = clinic
    with session_scope(write=True) as session:
        session.add(
            TimeOff(
                tenant_id=tenant.id,
                doctor_id=beto.id,
                start_at=TUESDAY_10AM - timedelta(hours=2),
                end_at=TUESDAY_10AM + timedelta(hours=2),
            )
        )
    assert _who(tenant, TUESDAY_10AM) == "Dra. Ana Arias"  # the fallback, not "working"

    closures.add_closure(tenant_id=tenant.id, first_day=date(2027, 2, 2))
    assert _who(tenant, TUESDAY_3PM) == "Dra. Ana Arias"


def test_an_inactive_doctor_on_call_is_skipped(clinic):
    tenant, _, _, carlos = clinic
    on_call.add_shift(
        tenant_id=tenant.id, doctor_id=carlos.id, weekday=1, start="09:00", end="11:00"
    )
    with session_scope(write=True) as session:
        session.get(type(carlos), carlos.id).is_active = False

    assert _who(tenant, TUESDAY_10AM) == "Dra. Berta Bernal"


def test_add_shift_refuses_overlaps_reversed_times_and_missing_day(clinic):
    tenant, ana, beto, _ = clinic
    on_call.add_shift(
        tenant_id=tenant.id, doctor_id=ana.id, weekday=SUNDAY, start="08:00", end="20:00"
    )

    with pytest.raises(ValidationFailed) as overlap:
        on_call.add_shift(
            tenant_id=tenant.id, doctor_id=beto.id, weekday=SUNDAY, start="19:00", end="22:00"
        )
    with pytest.raises(ValidationFailed) as reversed_:
        on_call.add_shift(
            tenant_id=tenant.id, doctor_id=beto.id, weekday=5, start="22:00", end="06:00"
        )
    with pytest.raises(ValidationFailed) as no_day:
        on_call.add_shift(tenant_id=tenant.id, doctor_id=beto.id, start="08:00", end="09:00")

    assert overlap.value.code == "periods_overlap"
    assert reversed_.value.code == "period_reversed"
    assert no_day.value.code == "shift_day"


def test_rota_lists_weekly_then_dated_shifts_and_removes_per_clinic(clinic):
    tenant, ana, beto, _ = clinic
    dated = on_call.add_shift(
        tenant_id=tenant.id, doctor_id=ana.id, on_date=date(2027, 2, 7), start="00:00", end="24:00"
    )
    on_call.add_shift(
        tenant_id=tenant.id, doctor_id=beto.id, weekday=SUNDAY, start="00:00", end="24:00"
    )
    with session_scope(write=True) as session:
        other = make_tenant(session, slug="otra", whatsapp="+14155550199")

    rota = on_call.rota_of(tenant.id)

    assert [(e.doctor_name, e.weekday, e.on_date) for e in rota] == [
        ("Dra. Berta Bernal", SUNDAY, None),
        ("Dra. Ana Arias", None, date(2027, 2, 7)),
    ]
    with pytest.raises(NotFound):
        on_call.remove_shift(tenant_id=other.id, shift_id=dated)
    on_call.remove_shift(tenant_id=tenant.id, shift_id=dated)
    assert len(on_call.rota_of(tenant.id)) == 1
