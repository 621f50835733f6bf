"""Migration 0009 (the blocked range of appointments): backfill, round trip, models agree."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, select

from alembic import command
from backend.core import db as core_db
from backend.core.db import session_scope
from backend.domain.errors import SlotTaken
from backend.models import Appointment, DoctorSchedule
from backend.services import migrations
from backend.services.actors import SYSTEM
from backend.services.scheduling import booking
from tests.conftest import _create_pg_database, _drop_pg_database
from tests.factories import make_client, make_doctor, make_tenant, weekday_periods

REVISION = "0009"
MORNING = datetime(2027, 1, 29, 14, 0, tzinfo=UTC)  # Friday 09:00 in Bogotá
HALF_HOUR = timedelta(minutes=30)


@pytest.fixture(params=["sqlite", "postgres"])
def fresh(request: pytest.FixtureRequest, frozen_clock) -> Iterator[Engine]:
    """A private database at the newest schema, the backend pointed at it."""
    if request.param == "sqlite":
        folder = tempfile.mkdtemp(prefix="vetassist-migration-")
        engine = core_db.make_engine(f"sqlite:///{Path(folder) / 'round_trip.db'}")
        name = None
    else:
        url, name = _create_pg_database()
        engine = core_db.make_engine(url)
    migrations.upgrade(engine)
    core_db.set_engine(engine)
    try:
        yield engine
    finally:
        core_db.set_engine(None)
        engine.dispose()
        if name is not None:
            _drop_pg_database(name)


def _migrate(engine: Engine, action: str, revision: str) -> None:
    config = migrations.alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)
        connection.commit()


def _previous_revision() -> str:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    down = script.get_revision(REVISION).down_revision
    assert isinstance(down, str)
    return down


def _guarantees(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.execute(
                text(
                    "SELECT conname FROM pg_constraint "
                    "WHERE conrelid = 'appointment'::regclass AND contype IN ('x', 'c')"
                )
            )
        else:
            rows = conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'appointment'"
                )
            )
        return {row[0] for row in rows}


def _book(tenant, doctor, client, start, **extra) -> Appointment:
    with session_scope(write=True) as session:
        return booking.create(
            session,
            tenant=tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=doctor.id, client_id=client.id, start_at=start, **extra
            ),
        )


def test_round_trip_fills_blocked_ranges_from_the_doctors_buffer(fresh):
    # given appointments booked back to back while the buffer was 0, then a 10-minute buffer
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        doctor = make_doctor(session, tenant, periods=weekday_periods(), buffer_minutes=0)
        client = make_client(session, tenant)
    first = _book(tenant, doctor, client, MORNING)
    second = _book(tenant, doctor, client, MORNING + HALF_HOUR)
    later = _book(tenant, doctor, client, MORNING + 4 * HALF_HOUR)
    cancelled = _book(tenant, doctor, client, MORNING + 6 * HALF_HOUR)
    with session_scope(write=True) as session:
        booking.cancel(
            session, tenant=tenant, actor=SYSTEM, appointment_id=cancelled.id, expected_version=1
        )
    emergency = _book(tenant, doctor, client, MORNING + 6 * HALF_HOUR, priority="emergency")
    with session_scope(write=True) as session:
        schedule = session.exec(
            select(DoctorSchedule).where(DoctorSchedule.doctor_id == doctor.id)
        ).one()
        schedule.buffer_minutes = 10
        session.add(schedule)

    # when the revision is undone and applied again
    previous = _previous_revision()
    _migrate(fresh, "downgrade", previous)
    assert "blocked_end" not in {c["name"] for c in inspect(fresh).get_columns("appointment")}
    assert _guarantees(fresh) & {
        "ex_appointment_no_overlap",
        "appointment_no_overlap_insert",
    }
    _migrate(fresh, "upgrade", "head")

    # then every row blocks its end plus 10 minutes, except where a live neighbour starts sooner
    with session_scope() as session:
        blocked = {a.id: a.blocked_end for a in session.exec(select(Appointment))}
    ten = timedelta(minutes=10)
    assert blocked == {
        first.id: MORNING + HALF_HOUR,  # the pair booked without a buffer stays valid
        second.id: MORNING + 2 * HALF_HOUR + ten,
        later.id: MORNING + 5 * HALF_HOUR + ten,
        cancelled.id: MORNING + 7 * HALF_HOUR + ten,
        emergency.id: MORNING + 7 * HALF_HOUR + ten,
    }
    assert "ex_appointment_no_overlap" not in _guarantees(fresh)
    assert _guarantees(fresh) & {
        "ex_appointment_blocked_no_overlap",
        "appointment_blocked_no_overlap_insert",
    }
    with fresh.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": migrations.include_name}
        )
        assert compare_metadata(context, SQLModel.metadata) == []
    # and the grandfathered pair is still editable while the new rule holds for new bookings
    with session_scope(write=True) as session:
        booking.confirm(
            session, tenant=tenant, actor=SYSTEM, appointment_id=first.id, expected_version=1
        )
    with pytest.raises(SlotTaken):
        _book(tenant, doctor, client, MORNING + 2 * HALF_HOUR + timedelta(minutes=5))
    _book(tenant, doctor, client, MORNING + 2 * HALF_HOUR + ten)
