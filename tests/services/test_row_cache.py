"""Clinics and doctors' schedules cached per process for bookings: changes made here are
seen at once, changes made by another process within the cache's seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text, update
from sqlmodel import col

from backend.core import row_cache
from backend.core.db import session_scope
from backend.domain.errors import ValidationFailed
from backend.models import StaffUser
from backend.services.actors import Actor
from backend.services.scheduling import booking, clinic_settings
from tests.factories import make_client, make_doctor, make_tenant, weekday_periods

ACTOR = Actor(type="user", id="u1", label="Recepción")
FRIDAY_13 = datetime(2027, 1, 29, 18, 0, tzinfo=UTC)  # 13:00 in Bogotá
HOUR = timedelta(hours=1)


@pytest.fixture
def clinic(db, frozen_clock):
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        doctor = make_doctor(
            session, tenant, periods=weekday_periods("08:00", "18:00"), buffer_minutes=5
        )
        client = make_client(session, tenant)
    return tenant, doctor, client


def book(clinic, start):
    tenant, doctor, client = clinic
    return booking.book(
        tenant_id=tenant.id,
        actor=ACTOR,
        data=booking.NewAppointment(
            doctor_id=doctor.id,
            client_id=client.id,
            start_at=start,
            end_at=start + timedelta(minutes=30),
        ),
    )


def set_buffer(clinic, minutes: int) -> None:
    tenant, doctor, _ = clinic
    clinic_settings.update_doctor_schedule(
        tenant_id=tenant.id,
        doctor_id=doctor.id,
        periods={str(day): [["08:00", "18:00"]] for day in range(6)},
        slot_minutes=30,
        buffer_minutes=minutes,
        min_notice_minutes=60,
        horizon_days=60,
    )


def test_a_schedule_changed_in_this_process_counts_for_the_next_booking(clinic) -> None:
    first = book(clinic, FRIDAY_13)  # the doctor and the clinic are now cached
    assert first.blocked_end == first.end_at + timedelta(minutes=5)

    set_buffer(clinic, 20)
    second = book(clinic, FRIDAY_13 + 2 * HOUR)

    assert second.blocked_end == second.end_at + timedelta(minutes=20)


def test_a_doctor_deactivated_by_a_statement_in_this_process_takes_no_more_bookings(
    clinic,
) -> None:
    _, doctor, _ = clinic
    book(clinic, FRIDAY_13)
    with session_scope(write=True) as session:  # a statement, not an ORM change
        session.exec(
            update(StaffUser).where(col(StaffUser.id) == doctor.id).values(is_active=False)
        )

    with pytest.raises(ValidationFailed, match="does not take appointments"):
        book(clinic, FRIDAY_13 + 2 * HOUR)


def test_a_change_made_by_another_process_counts_once_the_cache_expires(
    clinic, db, monkeypatch
) -> None:
    _, doctor, _ = clinic
    book(clinic, FRIDAY_13)
    with db.begin() as conn:  # another process: nothing here hears of it
        conn.execute(
            text("UPDATE doctor_schedule SET buffer_minutes = 20 WHERE doctor_id = :id"),
            {"id": doctor.id.hex if db.dialect.name == "sqlite" else doctor.id},
        )

    within = book(clinic, FRIDAY_13 + 2 * HOUR)
    later = row_cache.time.monotonic() + booking.DOCTOR_CACHE_SECONDS + 1
    monkeypatch.setattr(row_cache.time, "monotonic", lambda: later)
    after = book(clinic, FRIDAY_13 + 4 * HOUR)

    assert within.blocked_end == within.end_at + timedelta(minutes=5)
    assert after.blocked_end == after.end_at + timedelta(minutes=20)
