"""Availability and booking use the service's length and buffer; who offers it; no overlaps."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from backend.core.db import session_scope
from backend.domain.errors import DomainError, SlotTaken, ValidationFailed
from backend.services.actors import SYSTEM
from backend.services.scheduling import booking, services_catalog
from backend.services.scheduling.availability import free_slots
from tests.factories import make_client, make_doctor, make_tenant, weekday_periods

MONDAY = date(2027, 2, 1)
NINE = datetime(2027, 2, 1, 14, 0, tzinfo=UTC)  # Monday 09:00 in Bogotá
MINUTE = timedelta(minutes=1)


def _clinic(session, *, slug="clinica", whatsapp="+14155550100"):
    tenant = make_tenant(session, slug=slug, whatsapp=whatsapp)
    services_catalog.add_default_service(session, tenant.id)
    surgeon = make_doctor(
        session,
        tenant,
        name="Dr. Ruiz",
        email=f"ruiz.{slug}@x.co",
        periods=weekday_periods("09:00", "13:00"),
        slot_minutes=30,
        buffer_minutes=5,
    )
    general = make_doctor(
        session,
        tenant,
        name="Dra. Paz",
        email=f"paz.{slug}@x.co",
        periods=weekday_periods("09:00", "13:00"),
        slot_minutes=30,
        buffer_minutes=5,
    )
    client = make_client(session, tenant)
    return tenant, surgeon, general, client


@pytest.fixture
def clinic(db, frozen_clock):
    with session_scope(write=True) as session:
        tenant, surgeon, general, client = _clinic(session)
    ids = {
        "vacuna": services_catalog.create_service(
            tenant_id=tenant.id, name="Vacunación", duration_minutes=15
        ),
        "cirugia": services_catalog.create_service(
            tenant_id=tenant.id,
            name="Cirugía",
            duration_minutes=120,
            buffer_minutes=30,
            doctor_ids=[surgeon.id],
        ),
    }
    return tenant, surgeon, general, client, ids


def _book(tenant, doctor, client, start, service_id=None, end=None):
    return booking.book(
        tenant_id=tenant.id,
        actor=SYSTEM,
        data=booking.NewAppointment(
            doctor_id=doctor.id,
            client_id=client.id,
            start_at=start,
            end_at=end,
            service_id=service_id,
        ),
    )


def test_free_slots_last_the_service_on_the_doctors_grid(clinic):
    tenant, _, general, _, ids = clinic
    slots = free_slots(
        tenant=tenant, day=MONDAY, doctor_id=general.id, service_id=ids["vacuna"], limit=3
    )
    assert [(s.start, s.end - s.start) for s in slots] == [
        (NINE + 30 * MINUTE * n, 15 * MINUTE) for n in range(3)
    ]


def test_free_slots_of_a_service_come_only_from_doctors_offering_it(clinic):
    tenant, surgeon, _, _, ids = clinic
    slots = free_slots(tenant=tenant, day=MONDAY, service_id=ids["cirugia"], limit=None)
    assert {s.doctor_id for s in slots} == {surgeon.id}
    assert all(s.end - s.start == timedelta(hours=2) for s in slots)
    # 09:00-13:00: the last two-hour surgery starts at 11:00
    assert [s.start for s in slots][-1] == NINE + timedelta(hours=2)


def test_free_slots_without_a_service_use_the_default_consultation(clinic):
    tenant, _, general, _, _ = clinic
    [slot] = free_slots(tenant=tenant, day=MONDAY, doctor_id=general.id, limit=1)
    assert slot.end - slot.start == timedelta(minutes=30)


def test_booking_a_service_lasts_its_duration_and_keeps_its_buffer(clinic):
    tenant, surgeon, _, client, ids = clinic
    surgery = _book(tenant, surgeon, client, NINE, ids["cirugia"])
    assert surgery.end_at - surgery.start_at == timedelta(hours=2)
    assert surgery.service_id == ids["cirugia"]
    # the service's 30 minutes after it, longer than the doctor's 5
    assert surgery.blocked_end == surgery.end_at + timedelta(minutes=30)
    with pytest.raises(SlotTaken):
        _book(tenant, surgeon, client, NINE + timedelta(hours=2, minutes=15), ids["vacuna"])
    later = _book(tenant, surgeon, client, NINE + timedelta(hours=2, minutes=30), ids["vacuna"])
    assert later.end_at - later.start_at == timedelta(minutes=15)


def test_booking_without_a_service_is_the_default_consultation(clinic):
    tenant, _, general, client, _ = clinic
    visit = _book(tenant, general, client, NINE)
    with session_scope(read_only=True) as session:
        default = services_catalog.service_for_booking(session, tenant.id, None)
    assert visit.service_id == default.id
    assert visit.end_at - visit.start_at == timedelta(minutes=30)


def test_booking_a_service_the_doctor_does_not_offer_is_refused(clinic):
    tenant, _, general, client, ids = clinic
    with pytest.raises(ValidationFailed) as refused:
        _book(tenant, general, client, NINE, ids["cirugia"])
    assert refused.value.code == "service_not_offered"


def test_a_long_service_does_not_fit_before_the_next_appointment(clinic):
    tenant, surgeon, _, client, ids = clinic
    _book(tenant, surgeon, client, NINE + timedelta(hours=1), ids["vacuna"])
    with pytest.raises(SlotTaken):
        _book(tenant, surgeon, client, NINE, ids["cirugia"])
    slots = free_slots(
        tenant=tenant, day=MONDAY, doctor_id=surgeon.id, service_id=ids["cirugia"], limit=None
    )
    # the surgery's 30-minute margin after 10:15 and the grid: only 11:00-13:00 is left
    assert [(s.start, s.end) for s in slots] == [
        (NINE + timedelta(hours=2), NINE + timedelta(hours=4))
    ]


def test_free_slots_around_mixed_durations_can_all_be_booked(clinic):
    tenant, surgeon, _, client, ids = clinic
    _book(tenant, surgeon, client, NINE, ids["cirugia"])
    vaccine_slots = free_slots(
        tenant=tenant, day=MONDAY, doctor_id=surgeon.id, service_id=ids["vacuna"], limit=None
    )
    assert vaccine_slots[0].start == NINE + timedelta(hours=2, minutes=30)
    for slot in vaccine_slots[::2]:  # 15 minutes plus the buffer fit every other grid step
        _book(tenant, surgeon, client, slot.start, ids["vacuna"])


def test_rescheduling_keeps_the_service_length_and_buffer(clinic):
    tenant, surgeon, _, client, ids = clinic
    surgery = _book(tenant, surgeon, client, NINE, ids["cirugia"])
    moved = booking.edit(
        tenant_id=tenant.id,
        actor=SYSTEM,
        appointment_id=surgery.id,
        change=booking.AppointmentChange(start_at=NINE + timedelta(hours=1)),
        expected_version=surgery.version,
    )
    assert moved.end_at - moved.start_at == timedelta(hours=2)
    assert moved.blocked_end - moved.end_at == timedelta(minutes=30)


def test_moving_a_service_to_a_doctor_who_does_not_offer_it_is_refused(clinic):
    tenant, surgeon, general, client, ids = clinic
    surgery = _book(tenant, surgeon, client, NINE, ids["cirugia"])
    with pytest.raises(ValidationFailed) as refused:
        booking.edit(
            tenant_id=tenant.id,
            actor=SYSTEM,
            appointment_id=surgery.id,
            change=booking.AppointmentChange(start_at=NINE, doctor_id=general.id),
            expected_version=surgery.version,
        )
    assert refused.value.code == "service_not_offered"


BLOCKED_OVERLAPS_SQL = text(
    """
    SELECT count(*) FROM appointment a JOIN appointment b
      ON a.doctor_id = b.doctor_id AND a.id < b.id
     AND a.start_at < b.blocked_end AND b.start_at < a.blocked_end
    WHERE a.priority = 'normal' AND b.priority = 'normal'
      AND a.status <> 'cancelled' AND b.status <> 'cancelled'
    """
)

DURATIONS = [(15, 0), (30, 0), (45, 10), (60, 0), (120, 30)]  # (minutes, buffer)

step = st.one_of(
    st.tuples(
        st.just("book"),
        st.integers(0, len(DURATIONS) - 1),
        st.integers(0, 1),
        st.integers(0, 15),
    ),
    st.tuples(st.just("cancel"), st.integers(0, 20), st.just(0), st.just(0)),
    st.tuples(
        st.just("first_free"), st.integers(0, len(DURATIONS) - 1), st.integers(0, 1), st.just(0)
    ),
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(step, min_size=1, max_size=20))
def test_mixed_duration_bookings_never_overlap_on_postgres(pg, frozen_clock, steps):
    """Random bookings of services of mixed lengths and buffers, cancellations, and
    bookings of the first slot availability offers: no two live appointments of one
    doctor ever share blocked time, and every slot offered can be booked."""
    suffix = uuid.uuid4().hex[:8]
    with session_scope(write=True) as session:
        tenant, surgeon, general, client = _clinic(
            session, slug=f"p{suffix}", whatsapp=f"+1415{uuid.uuid4().int % 10**7:07d}"
        )
    doctors = [surgeon, general]
    services = [
        services_catalog.create_service(
            tenant_id=tenant.id, name=f"S{minutes}", duration_minutes=minutes, buffer_minutes=pad
        )
        for minutes, pad in DURATIONS
    ]
    booked: list[uuid.UUID] = []
    for kind, which, doctor, slot in steps:
        if kind == "first_free":
            offered = free_slots(
                tenant=tenant,
                day=MONDAY,
                doctor_id=doctors[doctor].id,
                service_id=services[which],
                limit=1,
            )
            if offered:
                made = _book(tenant, doctors[doctor], client, offered[0].start, services[which])
                assert made.end_at == offered[0].end
                booked.append(made.id)
        elif kind == "book":
            try:
                booked.append(
                    _book(
                        tenant,
                        doctors[doctor],
                        client,
                        NINE + 15 * MINUTE * slot,
                        services[which],
                    ).id
                )
            except DomainError:
                pass
        elif booked:
            target = booked[which % len(booked)]
            try:
                booking.edit(
                    tenant_id=tenant.id,
                    actor=SYSTEM,
                    appointment_id=target,
                    change=booking.AppointmentChange(status="cancelled"),
                    expected_version=None,
                )
            except DomainError:
                pass
        with session_scope(read_only=True) as session:
            assert session.exec(BLOCKED_OVERLAPS_SQL).one()[0] == 0  # type: ignore[call-overload]
            lengths = session.exec(
                text(
                    "SELECT s.duration_minutes * 60, "
                    "EXTRACT(EPOCH FROM a.end_at - a.start_at) "
                    "FROM appointment a JOIN clinic_service s ON s.id = a.service_id "
                    "WHERE a.tenant_id = :tenant"
                ).bindparams(tenant=tenant.id)
            ).all()
            assert all(int(expected) == int(actual) for expected, actual in lengths)
