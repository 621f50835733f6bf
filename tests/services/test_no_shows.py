"""No-shows done right: outcomes only from the start time on, an undo within 24 hours,
no-shows counted per client, and the no-show rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.domain.appointment_rules import Status
from backend.domain.errors import NothingToUndo, StaleVersion, TooEarly
from backend.models import Appointment, AuditLog
from backend.services.actors import Actor
from backend.services.patients import client_directory, clients
from backend.services.reports import clinic_stats
from backend.services.scheduling import booking
from tests.factories import make_client, make_doctor, make_tenant, weekday_periods

ACTOR = Actor(type="user", id="u1", label="Recepción")
FRIDAY_9 = datetime(2027, 1, 29, 14, 0, tzinfo=UTC)  # 09:00 in Bogotá


@pytest.fixture
def clinic(db, frozen_clock):
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        doctor = make_doctor(session, tenant, periods=weekday_periods("08:00", "18:00"))
        client = make_client(session, tenant)
        other = make_client(session, tenant, phone="+573009998877", name="Otra Persona")
        clients.add_pet(session, client, name="Luna", species="gato")
    return tenant, doctor, client, other


def book(clinic, start, client=None):
    tenant, doctor, owner, _ = clinic
    return booking.book(
        tenant_id=tenant.id,
        actor=ACTOR,
        data=booking.NewAppointment(
            doctor_id=doctor.id, client_id=(client or owner).id, start_at=start
        ),
    )


def set_status(clinic, appointment_id, status, version, **extra):
    return booking.edit(
        tenant_id=clinic[0].id,
        actor=ACTOR,
        appointment_id=appointment_id,
        change=booking.AppointmentChange(status=status, **extra),
        expected_version=version,
    )


def undo(clinic, appointment_id, version):
    return booking.undo_status(
        tenant_id=clinic[0].id, actor=ACTOR, appointment_id=appointment_id, expected_version=version
    )


def stored(appointment_id):
    with session_scope() as session:
        return session.get(Appointment, appointment_id)


@pytest.mark.parametrize("status", [Status.NO_SHOW, Status.COMPLETED])
def test_outcome_before_the_start_time_is_refused(clinic, status):
    appointment = book(clinic, FRIDAY_9)
    clock.freeze(FRIDAY_9 - timedelta(minutes=1))

    with pytest.raises(TooEarly) as refused:
        set_status(clinic, appointment.id, status, 1)

    assert refused.value.code == "before_start"
    assert stored(appointment.id).status == "pending"


def test_outcome_from_the_start_time_on_is_accepted(clinic):
    appointment = book(clinic, FRIDAY_9)
    clock.freeze(FRIDAY_9)

    done = set_status(clinic, appointment.id, Status.NO_SHOW, 1)

    assert done.status == "no_show"


def test_undo_no_show_restores_the_previous_status_and_is_audited(clinic):
    appointment = book(clinic, FRIDAY_9)
    set_status(clinic, appointment.id, Status.CONFIRMED, 1)
    clock.freeze(FRIDAY_9 + timedelta(minutes=20))
    set_status(clinic, appointment.id, Status.NO_SHOW, 2)

    restored = undo(clinic, appointment.id, 3)

    assert restored.status == "confirmed" and restored.version == 4
    with session_scope() as session:
        trail = session.exec(
            select(AuditLog)
            .where(AuditLog.appointment_id == appointment.id)
            .order_by(col(AuditLog.id))
        ).all()
    assert [a.action for a in trail] == ["create", "confirm", "no_show", "undo_status"]
    assert trail[-1].changes["status"] == ["no_show", "confirmed"]
    assert trail[-1].actor_label == "Recepción"


def test_undo_completion_clears_the_procedure_type(clinic):
    appointment = book(clinic, FRIDAY_9)
    clock.freeze(FRIDAY_9 + timedelta(minutes=40))
    set_status(clinic, appointment.id, Status.COMPLETED, 1, procedure_type="surgery")

    restored = undo(clinic, appointment.id, 2)

    assert (restored.status, restored.procedure_type) == ("pending", None)


def test_undo_after_24_hours_is_refused(clinic):
    appointment = book(clinic, FRIDAY_9)
    clock.freeze(FRIDAY_9 + timedelta(minutes=10))
    set_status(clinic, appointment.id, Status.NO_SHOW, 1)
    clock.freeze(FRIDAY_9 + timedelta(minutes=10, hours=24, seconds=1))

    with pytest.raises(NothingToUndo):
        undo(clinic, appointment.id, 2)

    assert stored(appointment.id).status == "no_show"


def test_undo_twice_or_of_another_change_is_refused(clinic):
    appointment = book(clinic, FRIDAY_9)
    with pytest.raises(NothingToUndo):  # the last change is the booking itself
        undo(clinic, appointment.id, 1)
    clock.freeze(FRIDAY_9 + timedelta(minutes=10))
    set_status(clinic, appointment.id, Status.NO_SHOW, 1)
    undo(clinic, appointment.id, 2)

    with pytest.raises(NothingToUndo):
        undo(clinic, appointment.id, 3)


def test_undo_with_a_stale_version_is_refused(clinic):
    appointment = book(clinic, FRIDAY_9)
    clock.freeze(FRIDAY_9 + timedelta(minutes=10))
    set_status(clinic, appointment.id, Status.NO_SHOW, 1)

    with pytest.raises(StaleVersion):
        undo(clinic, appointment.id, 1)


def test_no_shows_are_counted_per_client_in_search_and_card(clinic):
    tenant, _, client, other = clinic
    first = book(clinic, FRIDAY_9)
    second = book(clinic, FRIDAY_9 + timedelta(hours=1))
    theirs = book(clinic, FRIDAY_9 + timedelta(hours=2), client=other)
    clock.freeze(FRIDAY_9 + timedelta(hours=3))
    for appointment in (first, second, theirs):
        set_status(clinic, appointment.id, Status.NO_SHOW, 1)
    undo(clinic, theirs.id, 2)

    found = {c.id: c.no_shows for c in client_directory.search(tenant.id, "")}
    card = client_directory.client_card(tenant.id, client.id)

    assert found == {client.id: 2, other.id: 0}
    assert card.no_shows == 2
    assert client_directory.no_show_count(tenant.id, other.id) == 0


def test_no_show_rate_counts_missed_among_visits_that_were_due(clinic):
    tenant = clinic[0]
    starts = [FRIDAY_9 + timedelta(hours=h) for h in range(5)]
    booked = [book(clinic, s) for s in starts]
    clock.freeze(FRIDAY_9 + timedelta(hours=6))
    set_status(clinic, booked[0].id, Status.NO_SHOW, 1)
    set_status(clinic, booked[1].id, Status.COMPLETED, 1)
    set_status(clinic, booked[2].id, Status.COMPLETED, 1)
    set_status(clinic, booked[3].id, Status.CANCELLED, 1)  # counts on neither side

    stats = clinic_stats.clinic_stats(
        tenant.id, FRIDAY_9 - timedelta(days=1), FRIDAY_9 + timedelta(days=1), tz_name="UTC"
    )

    assert stats.no_show_rate == pytest.approx(1 / 3)


def test_no_show_rate_without_outcomes_is_unknown():
    assert clinic_stats.no_show_rate({"pending": 3, "cancelled": 1}) is None
