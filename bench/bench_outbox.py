"""Outbox events delivered per second through Redis by a Celery worker with 2 processes.

Run: .venv/bin/python -m bench.bench_outbox [--events 10000] [--concurrency 2] [--commit-size 100]

Set-up (not timed): a fresh PostgreSQL database, a clinic, 1,000 clients and
`--events` appointments inserted directly. Timed: this process writes one
`appointment.created` event per appointment (as the API would: actor API key,
source api), `--commit-size` per transaction; every commit wakes the relay
through Redis (the production dispatcher), and `celery -A
backend.worker worker -c 2` delivers them to the real handlers:
notifications (one WhatsApp notice each, sent through the sandbox channel by
`deliver_message_task`), reminders (two rows each) and follow-ups (nothing
for a creation). The clock stops when every event is marked delivered; the
time until every notice is sent is reported too. Exactly-once is checked by
SQL at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import select

from backend.core.config import PROJECT_ROOT, settings
from backend.core.db import session_scope
from backend.models import Appointment, Client
from backend.services import events
from backend.services.scheduling.booking import appointment_payload
from bench.setup_data import ADMIN_URL, clinic_with_doctors, fill_appointments, fresh_postgres

DB_NAME = "va_bench_outbox"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
TEMPLATE = "HX00000000000000000000000000bench"


def start_worker(
    database_url: str, queue: str, concurrency: int, log: Path, *extra_env: tuple[str, str]
) -> subprocess.Popen[bytes]:
    """The production worker command, on its own queue and Redis key prefix."""
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": queue,
        "WHATSAPP_CHANNEL": "sandbox",
        "WHATSAPP_TEMPLATE_CONTENT_SID": TEMPLATE,
        **dict(extra_env),
    }
    handle = log.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend.worker",
            "worker",
            "-Q",
            queue,
            "-c",
            str(concurrency),
            "-P",
            "prefork",
            "-n",
            f"{queue}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    # ready = consuming: a probe message put on its queue disappears
    from kombu import Connection

    with Connection(REDIS_URL, transport_options={"global_keyprefix": f"{queue}:"}) as conn:
        conn.SimpleQueue(queue).put({"probe": True})  # not a task: the worker rejects and drops it
    client = redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"worker exited:\n{log.read_text()[-2000:]}")
        if client.llen(f"{queue}:{queue}") == 0:
            return process
        time.sleep(0.2)
    raise SystemExit("worker did not start in 60 s")


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    import signal

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def use_broker(queue: str) -> None:
    """This process publishes as a web process would with REDIS_URL set."""
    from backend import wiring
    from backend.workers import celery_app

    settings.REDIS_URL = REDIS_URL
    settings.CELERY_QUEUE = queue
    settings.WHATSAPP_TEMPLATE_CONTENT_SID = TEMPLATE
    celery_app.configure(REDIS_URL, queue=queue)
    wiring.install()


def forget_redis_keys(queue: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{queue}*", count=1000):
        client.delete(key)


def add_clients(engine: Engine, tenant_id: uuid.UUID, count: int) -> list[uuid.UUID]:
    rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": tenant_id,
            "phone": f"+5731{i:08d}",
            "name": f"Cliente {i}",
            "false_emergency_count": 0,
            "emergency_access_revoked": False,
        }
        for i in range(count)
    ]
    from backend.core.clock import utcnow

    for row in rows:
        row["created_at"] = utcnow()
    with engine.begin() as conn:
        conn.execute(insert(Client.__table__), rows)
    return [r["id"] for r in rows]


def spread_clients(engine: Engine, client_ids: list[uuid.UUID]) -> None:
    """Gives the appointments many different clients (as in a real clinic)."""
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM appointment ORDER BY start_at"))]
        for i in range(0, len(ids), 1000):
            conn.execute(
                text("UPDATE appointment SET client_id = :c WHERE id = :a"),
                [
                    {"c": client_ids[(i + j) % len(client_ids)], "a": a}
                    for j, a in enumerate(ids[i : i + 1000])
                ],
            )


def count(sql: str) -> int:
    with session_scope(read_only=True) as session:
        return int(session.exec(text(sql)).one()[0])  # type: ignore[call-overload]


def wait_until(sql: str, target: int, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if count(sql) >= target:
            return time.monotonic()
        time.sleep(0.05)
    raise SystemExit(f"timed out: {sql} < {target} (now {count(sql)})")


def run(n_events: int, concurrency: int, commit_size: int) -> dict[str, Any]:
    engine = fresh_postgres(DB_NAME)
    database_url = engine.url.render_as_string(hide_password=False)
    queue = f"bench-outbox-{uuid.uuid4().hex[:6]}"
    tenant, doctors, _client, _key = clinic_with_doctors(40)
    client_ids = add_clients(engine, tenant.id, 1000)
    fill_appointments(
        engine,
        tenant,
        doctors,
        _client,
        total=n_events,
        start_day=date.today() + timedelta(days=3),
        per_day=8,
    )
    spread_clients(engine, client_ids)
    with session_scope(read_only=True) as session:
        appointments = list(session.exec(select(Appointment)).all())
    payloads = [
        (
            a.id,
            {
                "action": "create",
                "appointment": appointment_payload(a),
                "changes": {},
                "actor": {"type": "api_key", "id": "bench", "label": "bench"},
            },
        )
        for a in appointments
    ]
    log = Path(f"/tmp/{queue}.log")
    worker = start_worker(database_url, queue, concurrency, log)
    try:
        use_broker(queue)
        started = time.monotonic()
        for i in range(0, len(payloads), commit_size):
            with session_scope(write=True) as session:
                for appointment_id, payload in payloads[i : i + commit_size]:
                    events.emit(
                        session,
                        tenant_id=tenant.id,
                        type=events.APPOINTMENT_CREATED,
                        aggregate_id=appointment_id,
                        payload=payload,
                    )
        written = time.monotonic()
        delivered = wait_until(
            "SELECT count(*) FROM outbox_event WHERE dispatched_at IS NOT NULL", n_events, 600
        )
        sent = wait_until("SELECT count(*) FROM message WHERE status = 'sent'", n_events, 600)
        with session_scope(read_only=True) as session:
            lags = [
                r[0]
                for r in session.exec(
                    text(  # type: ignore[call-overload]
                        "SELECT EXTRACT(EPOCH FROM dispatched_at - created_at) FROM outbox_event"
                    )
                )
            ]
        checks = {
            "events": count("SELECT count(*) FROM outbox_event"),
            "processed markers": count("SELECT count(*) FROM processed_event"),
            "duplicate markers": count(
                "SELECT count(*) FROM (SELECT event_id, handler FROM processed_event "
                "GROUP BY 1, 2 HAVING count(*) > 1) d"
            ),
            "notices": count("SELECT count(*) FROM message WHERE direction = 'outbound'"),
            "reminders": count("SELECT count(*) FROM reminder"),
            "dead letters": count("SELECT count(*) FROM dead_letter"),
            "events claimed more than once": count(
                "SELECT count(*) FROM outbox_event WHERE attempts > 1"
            ),
        }
    finally:
        stop_worker(worker)
        forget_redis_keys(queue)
        engine.dispose()
    lags_sorted = sorted(float(x) for x in lags)
    return {
        "events": n_events,
        "worker processes": concurrency,
        "commit size": commit_size,
        "write phase s": round(written - started, 2),
        "all delivered s": round(delivered - started, 2),
        "events per s (delivered)": round(n_events / (delivered - started)),
        "all notices sent s": round(sent - started, 2),
        "event latency p50 s": round(statistics.median(lags_sorted), 2),
        "event latency p99 s": round(lags_sorted[int(0.99 * (len(lags_sorted) - 1))], 2),
        **checks,
        "admin url": ADMIN_URL,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--commit-size", type=int, default=100)
    args = parser.parse_args()
    result = run(args.events, args.concurrency, args.commit_size)
    for name, value in result.items():
        print(f"{name:>46}: {value}")


if __name__ == "__main__":
    main()
