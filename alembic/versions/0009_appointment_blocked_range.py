"""the buffer guaranteed by the database: each appointment stores the time it blocks

An appointment blocks [start_at, blocked_end), where blocked_end is its end
plus its doctor's buffer when it was booked or last moved. Two live normal
appointments of one doctor whose blocked ranges overlap are refused, so after
every appointment there are at least its buffer's minutes free; the gap before
it is guaranteed by the earlier appointment's own blocked range.

PostgreSQL: the exclusion constraint now covers the blocked range (it implies
the old plain-range one, which is dropped) and a CHECK keeps blocked_end at or
after end_at. SQLite: the triggers check the same two conditions; its write
transactions are serialised, so they cannot race. SQLite cannot add a NOT
NULL column without a constant default nor change nullability without
rebuilding the table (which `follow_up` and `reminder` rows would forbid), so
there the column carries a sentinel default the triggers refuse.

Existing rows are filled with their doctor's current buffer, cut short at the
start of the doctor's next live appointment: pairs booked closer than the
buffer before this revision stay valid, and no new one can be made.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "priority = 'normal' AND status <> 'cancelled'"
SQLITE_SENTINEL = "1970-01-01 00:00:00.000000"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.add_column("appointment", sa.Column("blocked_end", sa.DateTime(timezone=True)))
    else:
        _drop_sqlite_triggers("appointment_no_overlap")
        op.add_column(
            "appointment",
            sa.Column(
                "blocked_end",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=SQLITE_SENTINEL,
            ),
        )
    _backfill_blocked_end()
    if postgres:
        op.alter_column("appointment", "blocked_end", nullable=False)
        op.execute(
            "ALTER TABLE appointment ADD CONSTRAINT ck_appointment_blocked_covers_visit "
            "CHECK (blocked_end >= end_at)"
        )
        op.execute("ALTER TABLE appointment DROP CONSTRAINT ex_appointment_no_overlap")
        op.execute(
            "ALTER TABLE appointment ADD CONSTRAINT ex_appointment_blocked_no_overlap "
            "EXCLUDE USING gist "
            "(doctor_id WITH =, tstzrange(start_at, blocked_end, '[)') WITH &&) "
            f"WHERE ({LIVE})"
        )
        return
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"""
            CREATE TRIGGER appointment_blocked_no_overlap_{event.lower()}
            BEFORE {event} ON appointment
            BEGIN
                SELECT RAISE(ABORT, 'ck_appointment_blocked_covers_visit')
                WHERE NEW.blocked_end < NEW.end_at;
                SELECT RAISE(ABORT, 'ex_appointment_blocked_no_overlap')
                WHERE NEW.priority = 'normal' AND NEW.status <> 'cancelled' AND EXISTS (
                    SELECT 1 FROM appointment AS other
                    WHERE other.doctor_id = NEW.doctor_id
                      AND other.id <> NEW.id
                      AND other.priority = 'normal'
                      AND other.status <> 'cancelled'
                      AND other.start_at < NEW.blocked_end
                      AND other.blocked_end > NEW.start_at
                );
            END
            """
        )


def _backfill_blocked_end() -> None:
    """blocked_end = end_at + the doctor's buffer, cut at the next live appointment's start.

    Done in Python so both databases share one rule and SQLite keeps its own
    datetime text format; a clinic's table is small enough for one pass.
    """
    bind = op.get_bind()
    appointment = sa.table(
        "appointment",
        sa.column("id", sa.Uuid()),
        sa.column("doctor_id", sa.Uuid()),
        sa.column("start_at", sa.DateTime(timezone=True)),
        sa.column("end_at", sa.DateTime(timezone=True)),
        sa.column("blocked_end", sa.DateTime(timezone=True)),
        sa.column("status", sa.String()),
        sa.column("priority", sa.String()),
    )
    schedule = sa.table(
        "doctor_schedule", sa.column("doctor_id", sa.Uuid()), sa.column("buffer_minutes")
    )
    buffers = {
        doctor_id: timedelta(minutes=minutes)
        for doctor_id, minutes in bind.execute(
            sa.select(schedule.c.doctor_id, schedule.c.buffer_minutes)
        )
    }
    rows = bind.execute(
        sa.select(
            appointment.c.id,
            appointment.c.doctor_id,
            appointment.c.start_at,
            appointment.c.end_at,
            sa.and_(appointment.c.priority == "normal", appointment.c.status != "cancelled").label(
                "live"
            ),
        )
    ).all()
    live_starts: dict[Any, list[datetime]] = defaultdict(list)
    for row in rows:
        if row.live:
            live_starts[row.doctor_id].append(row.start_at)
    for starts in live_starts.values():
        starts.sort()
    updates = []
    for row in rows:
        blocked_end = row.end_at + buffers.get(row.doctor_id, timedelta(0))
        if row.live:
            starts = live_starts[row.doctor_id]
            following = bisect_left(starts, row.end_at)
            if following < len(starts):
                blocked_end = min(blocked_end, starts[following])
        updates.append({"row_id": row.id, "value": blocked_end})
    if updates:
        bind.execute(
            appointment.update()
            .where(appointment.c.id == sa.bindparam("row_id"))
            .values(blocked_end=sa.bindparam("value")),
            updates,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE appointment DROP CONSTRAINT ex_appointment_blocked_no_overlap")
        op.execute("ALTER TABLE appointment DROP CONSTRAINT ck_appointment_blocked_covers_visit")
        op.execute(
            "ALTER TABLE appointment ADD CONSTRAINT ex_appointment_no_overlap "
            "EXCLUDE USING gist (doctor_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&) "
            f"WHERE ({LIVE})"
        )
        op.drop_column("appointment", "blocked_end")
        return
    _drop_sqlite_triggers("appointment_blocked_no_overlap")
    op.drop_column("appointment", "blocked_end")
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"""
            CREATE TRIGGER appointment_no_overlap_{event.lower()}
            BEFORE {event} ON appointment
            WHEN NEW.priority = 'normal' AND NEW.status <> 'cancelled'
            BEGIN
                SELECT RAISE(ABORT, 'ex_appointment_no_overlap')
                WHERE EXISTS (
                    SELECT 1 FROM appointment AS other
                    WHERE other.doctor_id = NEW.doctor_id
                      AND other.id <> NEW.id
                      AND other.priority = 'normal'
                      AND other.status <> 'cancelled'
                      AND other.start_at < NEW.end_at
                      AND other.end_at > NEW.start_at
                );
            END
            """
        )


def _drop_sqlite_triggers(prefix: str) -> None:
    op.execute(f"DROP TRIGGER IF EXISTS {prefix}_insert")
    op.execute(f"DROP TRIGGER IF EXISTS {prefix}_update")
