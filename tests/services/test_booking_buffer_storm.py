"""The buffer holds under a storm: concurrent back-to-back bookings never leave a short gap.

Threads book neighbouring half hours of one doctor with a 5-minute buffer at
the same instant, round after round. The checks in `booking` run in
parallel on PostgreSQL, so some pairs pass them together; the database's
exclusion constraint over the blocked ranges must refuse one of each such pair,
and the refusal must come back as `SlotTaken`, never as another exception.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from backend.core.db import session_scope
from backend.domain.errors import SlotTaken
from backend.services.actors import SYSTEM
from backend.services.scheduling import booking
from tests.factories import make_client, make_doctor, make_tenant, weekday_periods

BUFFER_MINUTES = 5
THREADS = 6
MAX_ROUNDS = 60
TIME_BUDGET = 15.0  # seconds of storm
FIRST_DAY = date(2027, 1, 29)  # Friday, the day after the frozen clock
BLOCK_STARTS = ("08:00", "11:00", "14:00")  # local: each round books six half hours of one block
BOGOTA = timedelta(hours=5)

TOO_CLOSE_SQL = text(
    """
    SELECT count(*) FROM appointment a JOIN appointment b
      ON a.doctor_id = b.doctor_id AND a.id <> b.id
     AND a.start_at <= b.start_at
     AND b.start_at < a.end_at + make_interval(mins => :buffer)
    WHERE a.priority = 'normal' AND b.priority = 'normal'
      AND a.status <> 'cancelled' AND b.status <> 'cancelled'
    """
)


def round_start(index: int) -> datetime:
    """The UTC start of round `index`'s block, on working days only (Monday to Saturday)."""
    day, count = FIRST_DAY, index // len(BLOCK_STARTS)
    while count or day.weekday() == 6:
        if day.weekday() != 6:
            count -= 1
        day += timedelta(days=1)
    hour, minute = map(int, BLOCK_STARTS[index % len(BLOCK_STARTS)].split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) + BOGOTA


def test_concurrent_back_to_back_bookings_keep_the_buffer_on_postgres(
    pg, frozen_clock, monkeypatch
):
    # given a doctor with a 5-minute buffer and one client per thread
    with session_scope(write=True) as session:
        tenant = make_tenant(session, slug="tormenta")
        doctor = make_doctor(
            session, tenant, periods=weekday_periods(), buffer_minutes=BUFFER_MINUTES
        )
        clients = [
            make_client(session, tenant, phone=f"+57301{n:07d}", name=f"C{n}").id
            for n in range(THREADS)
        ]
    refused_by_database = Counter[str]()
    lock = threading.Lock()
    execute = booking._execute_or_slot_taken

    def counting_execute(session, writes):  # type: ignore[no-untyped-def]
        try:
            execute(session, writes)
        except SlotTaken as exc:
            cause = exc.__context__
            deadlock = getattr(getattr(cause, "orig", None), "sqlstate", None) == "40P01"
            with lock:
                refused_by_database["deadlock" if deadlock else "constraint"] += 1
            raise

    monkeypatch.setattr(booking, "_execute_or_slot_taken", counting_execute)
    outcomes = Counter[str]()
    unexpected: list[BaseException] = []

    def attempt(barrier: threading.Barrier, client_id: uuid.UUID, start: datetime) -> str:
        barrier.wait()
        try:
            booking.book(
                tenant_id=tenant.id,
                actor=SYSTEM,
                data=booking.NewAppointment(
                    doctor_id=doctor.id,
                    client_id=client_id,
                    start_at=start,
                    end_at=start + timedelta(minutes=30),
                ),
            )
        except SlotTaken:
            return "refused"
        except Exception as exc:  # noqa: BLE001  (any other error is the failure we look for)
            with lock:
                unexpected.append(exc)
            return "unexpected"
        return "accepted"

    # when threads book neighbouring half hours at the same instant, round after round
    deadline = time.monotonic() + TIME_BUDGET
    rounds = 0
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        while rounds < MAX_ROUNDS and time.monotonic() < deadline:
            block = round_start(rounds)
            barrier = threading.Barrier(THREADS)
            starts = [block + timedelta(minutes=30 * n) for n in range(THREADS)]
            outcomes.update(pool.map(attempt, [barrier] * THREADS, clients, starts))
            rounds += 1

    # then no two live appointments are closer than the buffer, and nothing else failed
    with session_scope() as session:
        too_close = session.exec(  # type: ignore[call-overload]
            TOO_CLOSE_SQL, params={"buffer": BUFFER_MINUTES}
        ).one()[0]
    print(
        f"\nbuffer storm: {rounds} rounds, {rounds * THREADS} attempts, "
        f"{outcomes['accepted']} accepted, {outcomes['refused']} refused "
        f"(by the database: {refused_by_database['constraint']} exclusion violations, "
        f"{refused_by_database['deadlock']} deadlocks), "
        f"{outcomes['unexpected']} unexpected, {too_close} pairs closer than the buffer"
    )
    assert unexpected == []
    assert too_close == 0
    assert rounds >= 10
    assert outcomes["accepted"] >= rounds  # every round books at least one half hour
