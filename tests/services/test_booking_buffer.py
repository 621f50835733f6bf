"""The doctor's buffer: the range each appointment blocks, kept by booking and the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.domain.errors import SlotTaken
from backend.models import Appointment
from backend.services.actors import Actor
from backend.services.scheduling import booking, clinic_settings
from backend.services.scheduling.availability import free_slots
from tests.factories import make_client, make_doctor, make_tenant, weekday_periods

ACTOR = Actor(type="user", id="u1", label="Recepción")
# Friday 2027-01-29 in Bogotá (UTC-5): 13:00 local = 18:00 UTC
FRIDAY = date(2027, 1, 29)
FRIDAY_13 = datetime(2027, 1, 29, 18, 0, tzinfo=UTC)
HALF_HOUR = timedelta(minutes=30)


@pytest.fixture
def clinic(db, frozen_clock):
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        doctor = make_doctor(
            session, tenant, periods=weekday_periods("08:00", "18:00"), buffer_minutes=5
        )
        other = make_doctor(
            session,
            tenant,
            name="Dr. Otro",
            periods=weekday_periods("08:00", "18:00"),
            buffer_minutes=15,
        )
        client = make_client(session, tenant)
    return tenant, doctor, other, client


def book(clinic, start, *, doctor=None, minutes=30):
    tenant, first, _, client = clinic
    with session_scope(write=True) as session:
        return booking.create(
            session,
            tenant=tenant,
            actor=ACTOR,
            data=booking.NewAppointment(
                doctor_id=(doctor or first).id,
                client_id=client.id,
                start_at=start,
                end_at=start + timedelta(minutes=minutes),
            ),
        )


def reschedule(clinic, appointment_id, start, *, doctor=None):
    tenant = clinic[0]
    with session_scope(write=True) as session:
        return booking.reschedule(
            session,
            tenant=tenant,
            actor=ACTOR,
            appointment_id=appointment_id,
            start_at=start,
            doctor_id=doctor.id if doctor else None,
            expected_version=None,
        )


def stored(appointment_id) -> Appointment:
    with session_scope() as session:
        found = session.get(Appointment, appointment_id)
        assert found is not None
        return found


def set_buffer(clinic, minutes: int) -> None:
    tenant, doctor, _, _ = clinic
    clinic_settings.update_doctor_schedule(
        tenant_id=tenant.id,
        doctor_id=doctor.id,
        periods={str(day): [["08:00", "18:00"]] for day in range(6)},
        slot_minutes=30,
        buffer_minutes=minutes,
        min_notice_minutes=60,
        horizon_days=60,
    )


def raw_insert(clinic, start, end, blocked_end) -> None:
    tenant, doctor, _, client = clinic
    with session_scope(write=True) as session:
        session.add(
            Appointment(
                tenant_id=tenant.id,
                doctor_id=doctor.id,
                client_id=client.id,
                start_at=start,
                end_at=end,
                blocked_end=blocked_end,
            )
        )


def test_create_stores_the_end_plus_the_doctors_buffer(clinic):
    appointment = book(clinic, FRIDAY_13)
    assert stored(appointment.id).blocked_end == FRIDAY_13 + HALF_HOUR + timedelta(minutes=5)


def test_create_back_to_back_is_refused_and_after_the_buffer_accepted(clinic):
    book(clinic, FRIDAY_13)
    with pytest.raises(SlotTaken):
        book(clinic, FRIDAY_13 + HALF_HOUR)
    with pytest.raises(SlotTaken):  # ends right before the first: the gap before counts too
        book(clinic, FRIDAY_13 - HALF_HOUR)
    book(clinic, FRIDAY_13 + HALF_HOUR + timedelta(minutes=5))
    book(clinic, FRIDAY_13 - HALF_HOUR - timedelta(minutes=5))


def test_database_refuses_a_row_inside_the_buffer_without_the_service(clinic):
    """The buffer lives in the database: raw rows closer than it are rejected either way round."""
    book(clinic, FRIDAY_13)
    after = FRIDAY_13 + HALF_HOUR
    with pytest.raises(IntegrityError):
        raw_insert(clinic, after, after + HALF_HOUR, after + HALF_HOUR + timedelta(minutes=5))
    before = FRIDAY_13 - HALF_HOUR
    with pytest.raises(IntegrityError):
        raw_insert(clinic, before, FRIDAY_13, FRIDAY_13 + timedelta(minutes=5))
    raw_insert(clinic, before, FRIDAY_13 - timedelta(minutes=5), FRIDAY_13)


def test_database_refuses_a_blocked_range_shorter_than_the_appointment(clinic):
    with pytest.raises(IntegrityError):
        raw_insert(clinic, FRIDAY_13, FRIDAY_13 + HALF_HOUR, FRIDAY_13 + timedelta(minutes=10))


def test_database_refusal_after_a_race_is_slot_taken(clinic, monkeypatch):
    """A booking that passed its check while a neighbour committed gets the same domain error."""
    book(clinic, FRIDAY_13)
    monkeypatch.setattr(booking, "_check_slot", lambda *args, **kwargs: None)
    with pytest.raises(SlotTaken):
        book(clinic, FRIDAY_13 + HALF_HOUR)
    with pytest.raises(SlotTaken):
        book(clinic, FRIDAY_13 - HALF_HOUR)
    moved = book(clinic, FRIDAY_13 + 2 * HALF_HOUR)
    with pytest.raises(SlotTaken):
        reschedule(clinic, moved.id, FRIDAY_13 + HALF_HOUR + timedelta(minutes=4))


def test_emergencies_are_not_held_to_the_buffer(clinic):
    book(clinic, FRIDAY_13)
    tenant, doctor, _, client = clinic
    with session_scope(write=True) as session:
        booking.create(
            session,
            tenant=tenant,
            actor=ACTOR,
            data=booking.NewAppointment(
                doctor_id=doctor.id,
                client_id=client.id,
                start_at=FRIDAY_13 + HALF_HOUR,
                priority="emergency",
            ),
        )


def test_reschedule_moves_the_blocked_range_with_the_appointment(clinic):
    first = book(clinic, FRIDAY_13)
    second = book(clinic, FRIDAY_13 + 3 * HALF_HOUR)
    reschedule(clinic, second.id, FRIDAY_13 + HALF_HOUR + timedelta(minutes=5))
    assert stored(second.id).blocked_end == FRIDAY_13 + 2 * HALF_HOUR + timedelta(minutes=10)
    # the first keeps its gap after it; the time the second left is free again
    with pytest.raises(SlotTaken):
        reschedule(clinic, second.id, FRIDAY_13 + HALF_HOUR + timedelta(minutes=4))
    book(clinic, FRIDAY_13 + 3 * HALF_HOUR)
    assert stored(first.id).blocked_end == FRIDAY_13 + HALF_HOUR + timedelta(minutes=5)


def test_reschedule_to_another_doctor_takes_that_doctors_buffer(clinic):
    _, _, other, _ = clinic
    appointment = book(clinic, FRIDAY_13)
    reschedule(clinic, appointment.id, FRIDAY_13, doctor=other)
    moved = stored(appointment.id)
    assert moved.doctor_id == other.id
    assert moved.blocked_end == FRIDAY_13 + HALF_HOUR + timedelta(minutes=15)
    with pytest.raises(SlotTaken):
        book(clinic, FRIDAY_13 + HALF_HOUR + timedelta(minutes=10), doctor=other)
    book(clinic, FRIDAY_13 + HALF_HOUR)  # the first doctor's afternoon is free again


def test_buffer_change_keeps_existing_appointments_usable(clinic):
    tenant = clinic[0]
    first = book(clinic, FRIDAY_13)
    second = book(clinic, FRIDAY_13 + HALF_HOUR + timedelta(minutes=5))
    set_buffer(clinic, 15)  # the two are now closer than the buffer: nothing is refused
    assert stored(first.id).blocked_end == FRIDAY_13 + HALF_HOUR + timedelta(minutes=5)
    with session_scope(write=True) as session:
        booking.confirm(
            session, tenant=tenant, actor=ACTOR, appointment_id=first.id, expected_version=1
        )
        booking.update_notes(
            session,
            tenant=tenant,
            actor=ACTOR,
            appointment_id=second.id,
            notes="trae el carné",
            expected_version=1,
        )
    # new bookings keep the new buffer on both sides
    second_end = FRIDAY_13 + 2 * HALF_HOUR + timedelta(minutes=5)
    with pytest.raises(SlotTaken):
        book(clinic, second_end + timedelta(minutes=5))
    added = book(clinic, second_end + timedelta(minutes=15))
    assert stored(added.id).blocked_end == second_end + HALF_HOUR + timedelta(minutes=30)
    clock.freeze(stored(first.id).end_at)  # a visit is completed once it started
    with session_scope(write=True) as session:
        booking.complete(
            session, tenant=tenant, actor=ACTOR, appointment_id=first.id, expected_version=2
        )
        booking.cancel(
            session, tenant=tenant, actor=ACTOR, appointment_id=second.id, expected_version=2
        )


def test_shorter_buffer_keeps_the_stored_gap_until_the_appointment_moves(clinic):
    """Slots offered, the booking check and the database agree after the buffer shrinks."""
    tenant, doctor, _, _ = clinic
    morning = datetime(2027, 1, 29, 14, 0, tzinfo=UTC)  # 09:00 local
    set_buffer(clinic, 10)
    appointment = book(clinic, morning)
    set_buffer(clinic, 0)

    def offered() -> set[datetime]:
        return {s.start for s in free_slots(tenant=tenant, day=FRIDAY, doctor_id=doctor.id)}

    assert morning + HALF_HOUR not in offered()
    with pytest.raises(SlotTaken):
        book(clinic, morning + HALF_HOUR)
    reschedule(clinic, appointment.id, morning)  # a move takes the current buffer
    assert stored(appointment.id).blocked_end == morning + HALF_HOUR
    assert morning + HALF_HOUR in offered()
    book(clinic, morning + HALF_HOUR)
