"""Clinic closures: kept per clinic, remove the day from availability, refuse bookings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from backend.core.db import session_scope
from backend.domain.appointment_rules import Priority
from backend.domain.errors import NotFound, ValidationFailed
from backend.models import Tenant
from backend.services.actors import SYSTEM
from backend.services.scheduling import booking, closures
from backend.services.scheduling.availability import find_free_slots
from tests.factories import make_client, make_doctor, make_tenant, weekday_periods

# FROZEN_NOW is Thursday 2027-01-28 10:00 in Bogotá
BOGOTA = ZoneInfo("America/Bogota")
FRIDAY = date(2027, 1, 29)
MONDAY = date(2027, 2, 1)
FRIDAY_9AM = datetime(2027, 1, 29, 14, 0, tzinfo=UTC)


@pytest.fixture
def clinic(db, frozen_clock):
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        ana = make_doctor(
            session, tenant, name="Dra. Ana", periods=weekday_periods("08:00", "12:00")
        )
        beto = make_doctor(
            session, tenant, name="Dr. Beto", periods=weekday_periods("08:00", "12:00")
        )
        client = make_client(session, tenant)
    return tenant, ana, beto, client


def _slots(tenant: Tenant, doctors, first: date, last: date):
    with session_scope(read_only=True) as session:
        return find_free_slots(
            session,
            tenant=tenant,
            doctors=doctors,
            start_day=first,
            end_day=last,
            now=datetime(2027, 1, 28, 15, 0, tzinfo=UTC),
            limit=None,
        )


def _book(tenant, doctor, client, start, priority=Priority.NORMAL):
    with session_scope(write=True) as session:
        return booking.create(
            session,
            tenant=tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=doctor.id, client_id=client.id, start_at=start, priority=priority
            ),
        )


def test_closed_day_has_no_slots_for_any_doctor(clinic):
    tenant, ana, beto, _ = clinic

    closures.add_closure(tenant_id=tenant.id, first_day=FRIDAY, reason="Festivo")

    days = {s.start.astimezone(BOGOTA).date() for s in _slots(tenant, [ana, beto], FRIDAY, MONDAY)}
    assert FRIDAY not in days
    assert MONDAY in days  # Saturday is a working day too, the closure is one day only


def test_booking_on_a_closed_day_is_refused_with_a_clear_code(clinic):
    tenant, ana, _, client = clinic
    closures.add_closure(tenant_id=tenant.id, first_day=FRIDAY, last_day=FRIDAY)

    with pytest.raises(ValidationFailed) as refused:
        _book(tenant, ana, client, FRIDAY_9AM)

    assert refused.value.code == "clinic_closed"


def test_emergency_on_a_closed_day_is_still_booked(clinic):
    tenant, ana, _, client = clinic
    closures.add_closure(tenant_id=tenant.id, first_day=date(2027, 1, 28))

    appointment = _book(
        tenant, ana, client, datetime(2027, 1, 28, 15, 0, tzinfo=UTC), Priority.EMERGENCY
    )

    assert appointment.priority == Priority.EMERGENCY


def test_partial_closure_keeps_the_morning(clinic):
    tenant, ana, _, client = clinic
    closures.add_closure(tenant_id=tenant.id, first_day=FRIDAY, start=time(10), end=time(0))

    starts = [s.start for s in _slots(tenant, [ana], FRIDAY, FRIDAY)]

    assert starts and max(starts) < datetime(2027, 1, 29, 15, 0, tzinfo=UTC)
    assert _book(tenant, ana, client, FRIDAY_9AM).start_at == FRIDAY_9AM


def test_removing_a_closure_reopens_the_day(clinic):
    tenant, ana, _, _ = clinic
    closure_id = closures.add_closure(tenant_id=tenant.id, first_day=FRIDAY)

    closures.remove_closure(tenant_id=tenant.id, closure_id=closure_id)

    assert _slots(tenant, [ana], FRIDAY, FRIDAY)


def test_closures_are_per_clinic(clinic):
    tenant, _, _, _ = clinic
    closure_id = closures.add_closure(tenant_id=tenant.id, first_day=FRIDAY, reason="Festivo")
    with session_scope(write=True) as session:
        other = make_tenant(session, slug="otra", whatsapp="+14155550199")

    assert closures.upcoming_closures(other.id) == []
    assert [c.reason for c in closures.upcoming_closures(tenant.id)] == ["Festivo"]
    with pytest.raises(NotFound):
        closures.remove_closure(tenant_id=other.id, closure_id=closure_id)


def test_reversed_range_is_refused(clinic):
    tenant, _, _, _ = clinic
    with pytest.raises(ValidationFailed) as refused:
        closures.add_closure(tenant_id=tenant.id, first_day=MONDAY, last_day=FRIDAY)
    assert refused.value.code == "closure_invalid"
