"""The bench databases: one migrated database per path, one clinic, and the
state every run starts from.

Each run (ours or the ceiling, every repeat) starts from the same rows: the
tables the paths write are truncated (and, for the storm, the same appointments
inserted again), then vacuumed and analysed, so the same pre-built requests
meet the same database in every run and interleaved runs stay comparable.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

import backend.models  # noqa: F401  (registers the tables in SQLModel.metadata)
from bench.setup_data import ADMIN_URL, clinic_with_doctors, fresh_postgres
from bench.wrk.corpus import Existing
from tests.services.test_no_double_booking import OVERLAPS_SQL

WRITTEN_TABLES = ("message", "appointment", "audit_log", "outbox_event")
APPOINTMENT = SQLModel.metadata.tables["appointment"]


@dataclass(frozen=True)
class Clinic:
    """What the requests and the servers need to know about the bench clinic."""

    database: str
    url: str  # SQLAlchemy URL of the bench database
    tenant_id: uuid.UUID
    timezone: str
    whatsapp_number: str
    doctors: list[uuid.UUID]
    client_id: uuid.UUID
    api_key: str
    buffer_minutes: int


def prepare(database: str, doctors: int) -> tuple[Engine, Clinic]:
    """A fresh migrated database with one clinic, `doctors` doctors, a client and an API key."""
    engine = fresh_postgres(database)
    tenant, staff, client, key = clinic_with_doctors(doctors)
    clinic = Clinic(
        database=database,
        url=engine.url.render_as_string(hide_password=False),
        tenant_id=tenant.id,
        timezone=tenant.timezone,
        whatsapp_number=tenant.whatsapp_numbers[0],
        doctors=[d.id for d in staff],
        client_id=client.id,
        api_key=key,
        buffer_minutes=5,  # clinic_with_doctors' default
    )
    return engine, clinic


def reset(engine: Engine, clinic: Clinic, existing: Sequence[Existing] = ()) -> None:
    """Empties what the paths write, inserts `existing` again, vacuums and analyses."""
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(WRITTEN_TABLES)} CASCADE"))
        rows = [_appointment_row(clinic, e) for e in existing]
        for start in range(0, len(rows), 5000):
            conn.execute(insert(APPOINTMENT), rows[start : start + 5000])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM ANALYZE {', '.join(WRITTEN_TABLES)}"))


def _appointment_row(clinic: Clinic, existing: Existing) -> dict[str, object]:
    start = existing.slot.start.astimezone(UTC)
    end = existing.slot.end.astimezone(UTC)
    now = datetime.now(UTC)
    return {
        "id": existing.id,
        "tenant_id": clinic.tenant_id,
        "doctor_id": existing.slot.doctor_id,
        "client_id": clinic.client_id,
        "start_at": start,
        "end_at": end,
        "blocked_end": end + timedelta(minutes=clinic.buffer_minutes),
        "status": "confirmed",
        "priority": "normal",
        "source": "api",
        "version": 1,
        "created_by": "bench",
        "created_at": now,
        "updated_at": now,
    }


def overlapping_pairs(engine: Engine) -> int:
    """Pairs of live normal appointments of one doctor that overlap (must be 0)."""
    with engine.connect() as conn:
        return int(conn.execute(OVERLAPS_SQL).scalar_one())


def drop(engine: Engine, database: str) -> None:
    engine.dispose()
    admin = create_engine(make_url(ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    admin.dispose()
