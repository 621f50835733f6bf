"""The booking service: every rule, optimistic locking, audit and outbox in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.domain.appointment_rules import Status
from backend.domain.errors import (
    IllegalTransition,
    NotFound,
    SlotTaken,
    StaleVersion,
    ValidationFailed,
)
from backend.models import Appointment, AuditLog, OutboxEvent, TimeOff
from backend.services.actors import Actor
from backend.services.patients import clients
from backend.services.scheduling import booking
from tests.factories import make_client, make_doctor, make_tenant, weekday_periods

ACTOR = Actor(type="user", id="u1", label="Recepción")
# Friday 2027-01-29 in Bogotá (UTC-5): 09:00 local = 14:00 UTC
FRIDAY_9 = datetime(2027, 1, 29, 14, 0, tzinfo=UTC)


@pytest.fixture
def clinic(db, frozen_clock):
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        doctor = make_doctor(session, tenant, periods=weekday_periods("08:00", "18:00"))
        client = make_client(session, tenant)
        pet = clients.add_pet(session, client, name="Luna", species="gato")
    return tenant, doctor, client, pet


def book(tenant, doctor, client, start, **extra):
    with session_scope(write=True) as session:
        return booking.create(
            session,
            tenant=tenant,
            actor=ACTOR,
            data=booking.NewAppointment(
                doctor_id=doctor.id, client_id=client.id, start_at=start, **extra
            ),
        )


def test_create_writes_appointment_audit_and_event_together(clinic):
    tenant, doctor, client, pet = clinic
    appointment = book(tenant, doctor, client, FRIDAY_9, pet_id=pet.id, reason="Vacuna")
    with session_scope() as session:
        stored = session.get(Appointment, appointment.id)
        audit = session.exec(
            select(AuditLog).where(AuditLog.appointment_id == appointment.id)
        ).all()
        outbox = session.exec(
            select(OutboxEvent).where(OutboxEvent.aggregate_id == appointment.id)
        ).all()
    assert stored.end_at - stored.start_at == timedelta(minutes=30)
    assert (
        stored.status == "pending" and stored.version == 1 and stored.created_by == "user:Recepción"
    )
    assert [a.action for a in audit] == ["create"] and audit[0].changes["start_at"][
        1
    ] == FRIDAY_9.isoformat()
    assert [e.type for e in outbox] == ["appointment.created"]
    assert outbox[0].payload["appointment"]["pet_id"] == str(pet.id)


def test_create_overlapping_slot_is_refused(clinic):
    tenant, doctor, client, _ = clinic
    book(tenant, doctor, client, FRIDAY_9)
    with pytest.raises(SlotTaken):
        book(tenant, doctor, client, FRIDAY_9 + timedelta(minutes=15))


def test_create_inside_buffer_is_refused_but_after_buffer_is_accepted(clinic):
    tenant, doctor, client, _ = clinic
    book(tenant, doctor, client, FRIDAY_9)
    with pytest.raises(SlotTaken):
        book(tenant, doctor, client, FRIDAY_9 + timedelta(minutes=30))
    assert book(tenant, doctor, client, FRIDAY_9 + timedelta(minutes=35)).status == "pending"


def test_create_emergency_may_overlap_normal_appointments(clinic):
    tenant, doctor, client, _ = clinic
    book(tenant, doctor, client, FRIDAY_9)
    emergency = book(
        tenant,
        doctor,
        client,
        FRIDAY_9,
        priority="emergency",
        end_at=FRIDAY_9 + timedelta(minutes=60),
    )
    assert emergency.priority == "emergency"


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (datetime(2027, 1, 29, 12, 0, tzinfo=UTC), "outside_working_hours"),  # 07:00 local
        (datetime(2027, 1, 31, 14, 0, tzinfo=UTC), "outside_working_hours"),  # Sunday
        (datetime(2027, 1, 27, 14, 0, tzinfo=UTC), "in_past"),
        (datetime(2027, 1, 28, 15, 30, tzinfo=UTC), "inside_min_notice"),  # 30 min from now
        (datetime(2027, 5, 3, 14, 0, tzinfo=UTC), "beyond_horizon"),
    ],
)
def test_create_outside_schedule_rules_is_refused(clinic, start, code):
    tenant, doctor, client, _ = clinic
    with pytest.raises(ValidationFailed) as error:
        book(tenant, doctor, client, start)
    assert error.value.code == code


def test_create_in_time_off_is_refused(clinic):
    tenant, doctor, client, _ = clinic
    with session_scope(write=True) as session:
        session.add(
            TimeOff(
                tenant_id=tenant.id,
                doctor_id=doctor.id,
                start_at=FRIDAY_9,
                end_at=FRIDAY_9 + timedelta(hours=3),
                reason="Congreso",
            )
        )
    with pytest.raises(ValidationFailed) as error:
        book(tenant, doctor, client, FRIDAY_9 + timedelta(hours=1))
    assert error.value.code == "blocked"


def test_create_with_pet_of_another_client_is_refused(clinic):
    tenant, doctor, _, pet = clinic
    with session_scope(write=True) as session:
        other = make_client(session, tenant, phone="+573009998877", name="Otra")
    with pytest.raises(ValidationFailed) as error:
        book(tenant, doctor, other, FRIDAY_9, pet_id=pet.id)
    assert error.value.field == "petId"


def test_create_with_doctor_of_another_clinic_is_not_found(clinic):
    tenant, _, client, _ = clinic
    with session_scope(write=True) as session:
        other_tenant = make_tenant(session, slug="otra", whatsapp="+14155550199")
        foreign_doctor = make_doctor(session, other_tenant, name="Dr. Ajeno")
    with pytest.raises(NotFound):
        book(tenant, foreign_doctor, client, FRIDAY_9)


def test_create_with_naive_time_is_refused(clinic):
    tenant, doctor, client, _ = clinic
    with pytest.raises(ValidationFailed) as error:
        book(tenant, doctor, client, FRIDAY_9.replace(tzinfo=None))
    assert error.value.field == "startAt"


def test_reschedule_moves_and_bumps_version_and_frees_old_slot(clinic):
    tenant, doctor, client, _ = clinic
    first = book(tenant, doctor, client, FRIDAY_9)
    with session_scope(write=True) as session:
        moved = booking.reschedule(
            session,
            tenant=tenant,
            actor=ACTOR,
            appointment_id=first.id,
            start_at=FRIDAY_9 + timedelta(hours=2),
            expected_version=1,
        )
    assert moved.version == 2 and moved.end_at - moved.start_at == timedelta(minutes=30)
    assert book(tenant, doctor, client, FRIDAY_9).start_at == FRIDAY_9
    with session_scope() as session:
        types = [e.type for e in session.exec(select(OutboxEvent).order_by(OutboxEvent.id)).all()]
    assert types == ["appointment.created", "appointment.updated", "appointment.created"]


def test_reschedule_onto_itself_shifted_is_allowed(clinic):
    tenant, doctor, client, _ = clinic
    first = book(tenant, doctor, client, FRIDAY_9)
    with session_scope(write=True) as session:
        moved = booking.reschedule(
            session,
            tenant=tenant,
            actor=ACTOR,
            appointment_id=first.id,
            start_at=FRIDAY_9 + timedelta(minutes=15),
            expected_version=1,
        )
    assert moved.start_at == FRIDAY_9 + timedelta(minutes=15)


def test_stale_version_is_a_conflict_and_changes_nothing(clinic):
    tenant, doctor, client, _ = clinic
    first = book(tenant, doctor, client, FRIDAY_9)
    with session_scope(write=True) as session:
        booking.confirm(
            session, tenant=tenant, actor=ACTOR, appointment_id=first.id, expected_version=1
        )
    with pytest.raises(StaleVersion), session_scope(write=True) as session:
        booking.reschedule(
            session,
            tenant=tenant,
            actor=ACTOR,
            appointment_id=first.id,
            start_at=FRIDAY_9 + timedelta(hours=1),
            expected_version=1,
        )
    with session_scope() as session:
        assert session.get(Appointment, first.id).start_at == FRIDAY_9


@pytest.mark.parametrize(
    ("path", "target", "legal"),
    [
        (["confirmed"], Status.COMPLETED, True),
        (["confirmed"], Status.NO_SHOW, True),
        ([], Status.CONFIRMED, True),
        (["cancelled"], Status.CONFIRMED, False),
        (["completed"], Status.CANCELLED, False),
        (["no_show"], Status.COMPLETED, False),
        (["confirmed"], Status.CONFIRMED, False),
    ],
)
def test_status_transitions_follow_the_rules(clinic, path, target, legal):
    tenant, doctor, client, _ = clinic
    appointment = book(tenant, doctor, client, FRIDAY_9)
    clock.freeze(FRIDAY_9 + timedelta(minutes=10))  # outcomes are known once it started
    version = 1
    for step in path:
        with session_scope(write=True) as session:
            version = booking.change_status(
                session,
                tenant=tenant,
                actor=ACTOR,
                appointment_id=appointment.id,
                status=Status(step),
                expected_version=version,
            ).version
    if legal:
        with session_scope(write=True) as session:
            result = booking.change_status(
                session,
                tenant=tenant,
                actor=ACTOR,
                appointment_id=appointment.id,
                status=target,
                expected_version=version,
            )
        assert result.status == target
    else:
        with pytest.raises(IllegalTransition), session_scope(write=True) as session:
            booking.change_status(
                session,
                tenant=tenant,
                actor=ACTOR,
                appointment_id=appointment.id,
                status=target,
                expected_version=version,
            )


def test_cancel_keeps_row_frees_slot_and_emits_cancelled(clinic):
    tenant, doctor, client, _ = clinic
    appointment = book(tenant, doctor, client, FRIDAY_9)
    with session_scope(write=True) as session:
        booking.cancel(
            session,
            tenant=tenant,
            actor=ACTOR,
            appointment_id=appointment.id,
            expected_version=None,
            reason="Viaje",
        )
    with session_scope() as session:
        stored = session.get(Appointment, appointment.id)
        last = session.exec(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
    assert stored.status == "cancelled" and stored.cancel_reason == "Viaje"
    assert last.type == "appointment.cancelled"
    assert book(tenant, doctor, client, FRIDAY_9).status == "pending"


def test_complete_with_procedure_type_is_recorded(clinic):
    tenant, doctor, client, _ = clinic
    appointment = book(tenant, doctor, client, FRIDAY_9)
    clock.freeze(FRIDAY_9 + timedelta(hours=1))
    with session_scope(write=True) as session:
        done = booking.complete(
            session,
            tenant=tenant,
            actor=ACTOR,
            appointment_id=appointment.id,
            expected_version=1,
            procedure_type="surgery",
        )
    assert done.status == "completed" and done.procedure_type == "surgery"


def test_reschedule_of_cancelled_appointment_is_refused(clinic):
    tenant, doctor, client, _ = clinic
    appointment = book(tenant, doctor, client, FRIDAY_9)
    with session_scope(write=True) as session:
        booking.cancel(
            session, tenant=tenant, actor=ACTOR, appointment_id=appointment.id, expected_version=1
        )
    with pytest.raises(IllegalTransition), session_scope(write=True) as session:
        booking.reschedule(
            session,
            tenant=tenant,
            actor=ACTOR,
            appointment_id=appointment.id,
            start_at=FRIDAY_9 + timedelta(hours=2),
            expected_version=2,
        )


def test_database_refuses_overlap_even_without_the_service(clinic):
    """The guarantee lives in the database: a raw insert that overlaps is rejected."""
    from sqlalchemy.exc import IntegrityError

    tenant, doctor, client, _ = clinic
    book(tenant, doctor, client, FRIDAY_9)
    with pytest.raises(IntegrityError), session_scope(write=True) as session:
        session.add(
            Appointment(
                tenant_id=tenant.id,
                doctor_id=doctor.id,
                client_id=client.id,
                start_at=FRIDAY_9 + timedelta(minutes=10),
                end_at=FRIDAY_9 + timedelta(minutes=40),
                blocked_end=FRIDAY_9 + timedelta(minutes=40),
            )
        )
