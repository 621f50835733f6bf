"""Availability: our service vs a straightforward version of the seed's algorithm.

Run: .venv/bin/python -m bench.bench_availability
100,000 appointments in PostgreSQL (20 doctors, ~13 per doctor-day); measures
one doctor-day and a 20-doctor week, median of repeated runs, same data.
"""

from __future__ import annotations

import statistics
import time as timer
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.models import Appointment, Tenant
from backend.services.scheduling.availability import find_free_slots
from bench.setup_data import clinic_with_doctors, fill_appointments, fresh_postgres

START_DAY = date(2027, 1, 4)  # a Monday; data runs from here for ~14 months
TARGET_DAY = date(2027, 6, 8)  # a Tuesday in the middle of the data


def seed_get_available_slots(session, tenant: Tenant, doctor_id, day: date, duration: int = 30):
    """The seed's get_available_slots (002 §4.1), per doctor, written plainly."""
    tz = ZoneInfo(tenant.timezone)
    slot_start = datetime.combine(day, time(8), tz)
    slot_end = datetime.combine(day, time(18), tz)
    all_slots = []
    current = slot_start
    while current + timedelta(minutes=duration) <= slot_end:
        all_slots.append((current, current + timedelta(minutes=duration)))
        current += timedelta(minutes=30)
    day_start = datetime.combine(day, time(0), tz)
    existing = session.exec(
        select(Appointment).where(
            Appointment.doctor_id == doctor_id,
            Appointment.start_at >= day_start,
            Appointment.start_at < day_start + timedelta(days=1),
        )
    ).all()
    available = []
    for start, end in all_slots:
        buffer_start = start - timedelta(minutes=5)
        buffer_end = end + timedelta(minutes=5)
        if not any(
            a.start_at < buffer_end and a.end_at > buffer_start
            for a in existing
            if a.status != "cancelled"
        ):
            available.append((start, end))
    return available[:10]


def median_ms(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        began = timer.perf_counter()
        fn()
        samples.append((timer.perf_counter() - began) * 1000)
    return statistics.median(samples)


def main() -> None:
    engine = fresh_postgres("va_bench_availability")
    tenant, doctors, client, _ = clinic_with_doctors(20)
    inserted = fill_appointments(
        engine, tenant, doctors, client, total=100_000, start_day=START_DAY, per_day=13
    )
    clock.freeze(datetime(2027, 6, 7, 12, 0, tzinfo=UTC))
    week = [TARGET_DAY + timedelta(days=i) for i in range(7)]

    def ours_day():
        with session_scope(read_only=True) as session:
            find_free_slots(
                session,
                tenant=tenant,
                doctors=doctors[:1],
                start_day=TARGET_DAY,
                now=clock.now(),
                limit=10,
            )

    def seed_day():
        with session_scope(read_only=True) as session:
            seed_get_available_slots(session, tenant, doctors[0].id, TARGET_DAY)

    def ours_week():
        with session_scope(read_only=True) as session:
            find_free_slots(
                session,
                tenant=tenant,
                doctors=doctors,
                start_day=week[0],
                end_day=week[-1],
                now=clock.now(),
                limit=None,
            )

    def seed_week():
        with session_scope(read_only=True) as session:
            for doctor in doctors:
                for day in week:
                    seed_get_available_slots(session, tenant, doctor.id, day)

    for fn in (ours_day, seed_day, ours_week, seed_week):
        fn()  # warm caches and the pool
    results = {
        "doctor-day, ours": median_ms(ours_day, 200),
        "doctor-day, seed": median_ms(seed_day, 200),
        "20-doctor week, ours": median_ms(ours_week, 30),
        "20-doctor week, seed": median_ms(seed_week, 10),
    }
    print(f"appointments in table: {inserted}")
    for name, value in results.items():
        print(f"{name:24s} p50 {value:8.2f} ms")
    print(f"doctor-day speed-up  {results['doctor-day, seed'] / results['doctor-day, ours']:.1f}x")
    print(
        f"week speed-up        {results['20-doctor week, seed'] / results['20-doctor week, ours']:.1f}x"
    )


if __name__ == "__main__":
    main()
