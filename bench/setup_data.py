"""Shared set-up for the benchmarks: a fresh database with a clinic and doctors."""

from __future__ import annotations

import os
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import col

from backend.core import db as core_db
from backend.core.db import session_scope
from backend.models import Appointment, Client, DoctorSchedule
from backend.services import migrations
from tests.factories import make_api_key, make_doctor, make_tenant, weekday_periods

ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def fresh_postgres(name: str) -> Engine:
    """Drops and re-creates database `name` on the local server, migrated."""
    admin = create_engine(make_url(ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = core_db.make_engine(make_url(ADMIN_URL).set(database=name).render_as_string(False))
    migrations.upgrade(engine)
    core_db.set_engine(engine)
    return engine


def clinic_with_doctors(n_doctors: int, *, buffer_minutes: int = 5):
    with session_scope(write=True) as session:
        tenant = make_tenant(session, slug=f"bench{uuid.uuid4().hex[:6]}")
        doctors = [
            make_doctor(
                session,
                tenant,
                name=f"Dr. Bench {i}",
                email=f"d{i}.{uuid.uuid4().hex[:6]}@b.co",
                periods=weekday_periods("08:00", "18:00", range(0, 6)),
                buffer_minutes=buffer_minutes,
                horizon_days=400,
            )
            for i in range(n_doctors)
        ]
        client = Client(tenant_id=tenant.id, phone="+573000000001", name="Bench")
        session.add(client)
        key = make_api_key(session, tenant)
    return tenant, doctors, client, key


def fill_appointments(
    engine: Engine,
    tenant,
    doctors,
    client,
    *,
    total: int,
    start_day: date,
    per_day: int,
    seed: int = 1,
) -> int:
    """Inserts `total` non-overlapping appointments, `per_day` per doctor-day, from start_day on."""
    rng = random.Random(seed)
    tz = ZoneInfo(tenant.timezone)
    with engine.connect() as conn:
        doctor_buffers: dict[uuid.UUID, int] = {
            doctor_id: buffer
            for doctor_id, buffer in conn.execute(
                select(col(DoctorSchedule.doctor_id), col(DoctorSchedule.buffer_minutes))
            )
        }
    rows = []
    day = start_day
    while len(rows) < total:
        if day.weekday() < 6:
            for doctor in doctors:
                grid = list(range(20))  # 30-min grid 08:00-18:00
                for slot in sorted(rng.sample(grid, per_day)):
                    start = datetime.combine(day, time(8), tz) + timedelta(minutes=30 * slot)
                    start_utc = start.astimezone(UTC)
                    rows.append(
                        {
                            "id": uuid.uuid4(),
                            "tenant_id": tenant.id,
                            "doctor_id": doctor.id,
                            "client_id": client.id,
                            "start_at": start_utc,
                            "end_at": start_utc + timedelta(minutes=25),
                            # the blocked range includes the doctor's buffer (migration 0009)
                            "blocked_end": start_utc
                            + timedelta(minutes=25 + doctor_buffers.get(doctor.id, 0)),
                            "status": "confirmed",
                            "priority": "normal",
                            "source": "api",
                            "version": 1,
                            "created_at": start_utc,
                            "updated_at": start_utc,
                        }
                    )
                    if len(rows) >= total:
                        break
                if len(rows) >= total:
                    break
        day += timedelta(days=1)
    with engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            conn.execute(insert(Appointment.__table__), rows[i : i + 5000])
        conn.execute(
            text("ANALYZE appointment") if engine.dialect.name == "postgresql" else text("ANALYZE")
        )
    return len(rows)
