"""Reminder send lag (due time → sent) at p50/p99 with 10,000 reminders due within a window.

Run: .venv/bin/python -m bench.bench_reminders [--reminders 10000] [--window-minutes 60] [--concurrency 2]

Method (real time, nothing simulated): a fresh PostgreSQL database gets
10,000 appointments (10,000 clients, and enough doctors that nobody is double
booked) starting so that their 24-hour reminders fall evenly in a window that
opens a few minutes after set-up; their `appointment.created` events go
through the real outbox handler, which creates the reminders (the 2-hour ones
fall outside the window and stay pending). Then the production processes run
against it: `celery beat` with the production schedule (due reminders every
15 s) and `celery worker -c 2`, on the real Redis. Lag is `sent_at - due_at`
per reminder (`sent_at` is stamped when the reminder's WhatsApp message is
committed, in the same transaction; the sandbox channel stores it as sent).
`--window-minutes 60` is the issue's case; a shorter window packs the same
10,000 reminders denser (harder), for a quicker run. At the end: how many
were sent twice (messages per reminder, reminders per message) and how many
never.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import select

from backend.core.clock import utcnow
from backend.core.config import PROJECT_ROOT
from backend.core.db import session_scope
from backend.models import Appointment, StaffUser
from backend.services import events, outbox
from backend.services.actors import SYSTEM
from backend.services.scheduling.booking import appointment_payload
from bench.bench_outbox import (
    REDIS_URL,
    TEMPLATE,
    add_clients,
    count,
    forget_redis_keys,
    start_worker,
    stop_worker,
)
from bench.setup_data import clinic_with_doctors, fresh_postgres

DB_NAME = "va_bench_reminders"
LEAD = timedelta(minutes=4)  # set-up must finish before the window opens


def add_doctors(engine, tenant_id: uuid.UUID, count_: int) -> list[uuid.UUID]:  # type: ignore[no-untyped-def]
    rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": tenant_id,
            "email": f"bench.{i}.{uuid.uuid4().hex[:6]}@b.co",
            "password_hash": "x",
            "full_name": f"Dr. {i}",
            "role": "doctor",
            "active_for_ai_booking": False,
            "is_active": True,
            "created_at": utcnow(),
        }
        for i in range(count_)
    ]
    with engine.begin() as conn:
        conn.execute(insert(StaffUser.__table__), rows)
    return [r["id"] for r in rows]


def set_up(n: int, window: timedelta) -> tuple[Any, Any]:
    engine = fresh_postgres(DB_NAME)
    tenant, _doctors, _client, _key = clinic_with_doctors(1)
    clients = add_clients(engine, tenant.id, n)
    # a doctor's appointments 30 min apart at least: ceil(30 min / step) doctors in turn
    doctors = add_doctors(
        engine, tenant.id, min(n, -(-n * 30 // max(int(window.total_seconds() // 60), 1)))
    )
    opens = utcnow() + LEAD
    step = window / n
    rows = []
    for i in range(n):
        start = opens + step * i + timedelta(hours=24)
        rows.append(
            {
                "id": uuid.uuid4(),
                "tenant_id": tenant.id,
                "doctor_id": doctors[i % len(doctors)],
                "client_id": clients[i],
                "start_at": start,
                "end_at": start + timedelta(minutes=25),
                "status": "confirmed",
                "priority": "normal",
                "source": "api",
                "version": 1,
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
        )
    with engine.begin() as conn:
        for i in range(0, n, 2000):
            conn.execute(insert(Appointment.__table__), rows[i : i + 2000])
    with session_scope(read_only=True) as session:
        appointments = list(
            session.exec(select(Appointment).where(Appointment.tenant_id == tenant.id)).all()
        )
    actor = {"type": SYSTEM.type, "id": SYSTEM.id, "label": SYSTEM.label}
    for i in range(0, len(appointments), 500):
        with session_scope(write=True) as session:
            for a in appointments[i : i + 500]:
                events.emit(
                    session,
                    tenant_id=tenant.id,
                    type=events.APPOINTMENT_CREATED,
                    aggregate_id=a.id,
                    payload={
                        "action": "create",
                        "appointment": appointment_payload(a),
                        "changes": {},
                        "actor": actor,
                    },
                )
    outbox.relay_pending()  # the real reminders handler makes the reminders
    return engine, opens


def start_beat(database_url: str, queue: str, workdir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": queue,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend.worker",
            "beat",
            "-l",
            "WARNING",
            "-s",
            str(workdir / f"{queue}-schedule"),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=(workdir / f"{queue}-beat.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def run(n: int, window_minutes: float, concurrency: int) -> dict[str, Any]:
    window = timedelta(minutes=window_minutes)
    began = time.monotonic()
    engine, opens = set_up(n, window)
    closes = opens + window
    due_in_window = (
        f"FROM reminder WHERE due_at >= '{opens.isoformat()}' AND due_at < '{closes.isoformat()}'"
    )
    made = count(f"SELECT count(*) {due_in_window}")
    if utcnow() > opens - timedelta(seconds=20):
        raise SystemExit(f"set-up took too long ({time.monotonic() - began:.0f} s): raise LEAD")
    database_url = engine.url.render_as_string(hide_password=False)
    queue = f"bench-reminders-{uuid.uuid4().hex[:6]}"
    workdir = Path("/tmp")
    worker = start_worker(database_url, queue, concurrency, workdir / f"{queue}-worker.log")
    beat = start_beat(database_url, queue, workdir)
    try:
        print(
            f"{made} reminders due between {opens:%H:%M:%S} and {closes:%H:%M:%S} UTC; waiting…",
            flush=True,
        )
        deadline = closes + timedelta(minutes=3)
        while utcnow() < deadline:
            if (
                utcnow() > closes
                and count(f"SELECT count(*) {due_in_window} AND status = 'pending'") == 0
            ):
                break
            time.sleep(5)
        with session_scope(read_only=True) as session:
            lags = [
                float(r[0])
                for r in session.exec(
                    text(  # type: ignore[call-overload]
                        f"SELECT EXTRACT(EPOCH FROM sent_at - due_at) {due_in_window} AND status = 'sent'"
                    )
                )
            ]
        result = {
            "reminders due in window": made,
            "window minutes": window_minutes,
            "worker processes": concurrency,
            "sent": len(lags),
            "not sent": count(f"SELECT count(*) {due_in_window} AND status <> 'sent'"),
            "lag p50 s": round(statistics.median(lags), 2) if lags else None,
            "lag p99 s": round(percentile(lags, 0.99), 2) if lags else None,
            "lag max s": round(max(lags), 2) if lags else None,
            "within 60 s": f"{100 * sum(1 for x in lags if x <= 60) / max(len(lags), 1):.2f} %",
            "messages for these reminders": count(
                f"SELECT count(*) FROM message WHERE id IN (SELECT message_id {due_in_window})"
            ),
            "reminders sharing a message": count(
                f"SELECT count(*) FROM (SELECT message_id {due_in_window} AND message_id IS NOT NULL "
                "GROUP BY message_id HAVING count(*) > 1) d"
            ),
            "outbound messages in total": count(
                "SELECT count(*) FROM message WHERE direction = 'outbound'"
            ),
            "clients with more than one message": count(
                "SELECT count(*) FROM (SELECT to_phone FROM message WHERE direction = 'outbound' "
                "GROUP BY to_phone HAVING count(*) > 1) d"
            ),
        }
    finally:
        beat.send_signal(signal.SIGTERM)
        beat.wait(timeout=30)
        stop_worker(worker)
        forget_redis_keys(queue)
        engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--window-minutes", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("WHATSAPP_TEMPLATE_CONTENT_SID", TEMPLATE)
    for name, value in run(args.reminders, args.window_minutes, args.concurrency).items():
        print(f"{name:>36}: {value}")


if __name__ == "__main__":
    main()
