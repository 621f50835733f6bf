"""How soon a change a doctor makes in Google Calendar blocks their slots here: push and poll paths.

Run: .venv/bin/python -m bench.bench_calendar_inbound --path push [--changes 200] [--rate 2]
     .venv/bin/python -m bench.bench_calendar_inbound --path poll [--changes 40] [--minutes 6]

Set-up (not timed): a fresh PostgreSQL database, a clinic with 10 doctors,
each with a calendar of the clinic's Google connection; the local fake of
Google in its own process; the production worker (`celery -A backend.worker
worker -c 2`) and, for the poll path, the production beat (`celery -A
backend.worker beat`, whose `calendar-busy` sweep runs every 2 minutes).
For the push path the API (uvicorn, `backend.api.main:app`) receives Google's
notifications at GOOGLE_PUSH_URL, and channels are opened first
(`push.renew_channels`, as the `calendar-channels` sweep does).

Timed: the doctors' own events are created in the fake through the real SDK
(as a doctor adding "Almuerzo" in Google would), spread evenly at `--rate`
per second (push) or over `--minutes` (poll). A change's lag is from Google
accepting it until its busy block is stored here (availability and booking
read only the stored blocks), sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import text

from backend.core.config import PROJECT_ROOT, settings
from backend.core.db import session_scope
from backend.integrations.google_calendar.fake_server import DEFAULT_REFRESH_TOKEN
from backend.integrations.google_calendar.google_client import gateway_for
from backend.services.calendar_sync import connections, push
from bench.bench_calendar_sync import cpu_seconds, free_port, start_fake
from bench.bench_outbox import REDIS_URL, forget_redis_keys, start_worker, stop_worker, use_broker
from bench.setup_data import clinic_with_doctors, fresh_postgres

DB_NAME = "va_bench_calendar_inbound"
DOCTORS = 10


def start_api(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "backend.api.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **env},
        start_new_session=True,
    )
    for _ in range(150):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the API did not start")


def start_beat(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
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
            str(log.with_suffix(".schedule")),
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **env},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def watch_blocks(
    made: dict[str, float], seen: dict[str, float], lock: threading.Lock, stop: threading.Event
) -> None:
    """Stamps each Google event when its busy block first appears here."""
    while not stop.is_set():
        with session_scope(read_only=True) as session:
            ids = session.exec(  # type: ignore[call-overload]
                text("SELECT DISTINCT google_event_id FROM calendar_busy_block")
            ).all()
        now = time.monotonic()
        with lock:
            for (event_id,) in ids:
                if event_id in made and event_id not in seen:
                    seen[event_id] = now
        time.sleep(0.02)


def own_event(day: date, hour: int) -> dict[str, Any]:
    """A doctor's own event in Google (lunch, a course): Bogotá time, not ours."""
    return {
        "summary": "Almuerzo",
        "start": {"dateTime": f"{day.isoformat()}T{hour:02d}:00:00-05:00"},
        "end": {"dateTime": f"{day.isoformat()}T{hour:02d}:45:00-05:00"},
    }


def run(path: str, n_changes: int, rate: float, minutes: float, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    engine = fresh_postgres(DB_NAME)
    database_url = engine.url.render_as_string(hide_password=False)
    queue = f"bench-gcal-in-{uuid.uuid4().hex[:6]}"
    fake, base = start_fake(Path(f"/tmp/{queue}-fake.log"))
    api_port = free_port()
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": queue,
        "SECRETS_KEY": Fernet.generate_key().decode(),
        "GOOGLE_CLIENT_ID": "bench-client",
        "GOOGLE_CLIENT_SECRET": "bench-secret",
        "GOOGLE_API_BASE_URL": base,
        "GOOGLE_TOKEN_URI": base + "/token",
    }
    if path == "push":
        env["GOOGLE_PUSH_URL"] = f"http://127.0.0.1:{api_port}/webhooks/google/calendar"
    for name, value in env.items():
        if name not in ("DATABASE_URL",):
            setattr(settings, name, value)
    tenant, doctors, _client, _key = clinic_with_doctors(DOCTORS)
    connections.connect(slug=tenant.slug, refresh_token=DEFAULT_REFRESH_TOKEN)
    for doctor in doctors:
        connections.set_doctor_calendar(
            slug=tenant.slug, doctor_email=doctor.email, calendar_id=doctor.email
        )
    processes: list[subprocess.Popen[bytes]] = []
    worker = start_worker(database_url, queue, 2, Path(f"/tmp/{queue}.log"), *env.items())
    processes.append(worker)
    made: dict[str, float] = {}
    seen: dict[str, float] = {}
    lock, stop = threading.Lock(), threading.Event()
    try:
        use_broker(queue)
        if path == "push":
            processes.append(start_api(env, api_port))
            push.renew_channels()  # every calendar watched before the clock starts
        else:
            processes.append(start_beat(env, Path(f"/tmp/{queue}-beat.log")))
        google = gateway_for(
            refresh_token=DEFAULT_REFRESH_TOKEN,
            client_id=settings.GOOGLE_CLIENT_ID or "",
            client_secret=settings.GOOGLE_CLIENT_SECRET or "",
            base_url=base,
            token_uri=settings.GOOGLE_TOKEN_URI,
        )
        time.sleep(3)  # the first poll / channel sync messages settle
        watcher = threading.Thread(target=watch_blocks, args=(made, seen, lock, stop), daemon=True)
        watcher.start()
        cpu_before = cpu_seconds(worker.pid)
        spacing = 1 / rate if path == "push" else minutes * 60 / n_changes
        first_day = date.today() + timedelta(days=3)
        started = time.monotonic()
        for i in range(n_changes):
            pause = started + i * spacing - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            doctor = rng.choice(doctors)
            day = first_day + timedelta(days=rng.randrange(60))
            event = google.insert_event(doctor.email, own_event(day, rng.randrange(8, 18)))
            with lock:
                made[event["id"]] = time.monotonic()
        deadline = time.monotonic() + (60 if path == "push" else 200)
        while time.monotonic() < deadline:
            with lock:
                if len(seen) == len(made):
                    break
            time.sleep(0.1)
        cpu = cpu_seconds(worker.pid) - cpu_before
        stop.set()
        watcher.join()
    finally:
        stop.set()
        for process in processes[1:]:
            kill(process)
        stop_worker(worker)
        kill(fake)
        forget_redis_keys(queue)
        engine.dispose()
    lags = sorted(seen[e] - made[e] for e in seen)
    result: dict[str, Any] = {
        "path": path,
        "changes in Google": n_changes,
        "reflected here": len(lags),
        "lag p50 ms": round(1000 * statistics.median(lags)) if lags else None,
        "lag p99 ms": round(1000 * lags[int(0.99 * (len(lags) - 1))]) if lags else None,
        "lag max ms": round(1000 * lags[-1]) if lags else None,
        "worker CPU ms per change": round(1000 * cpu / n_changes, 1),
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", choices=["push", "poll"], default="push")
    parser.add_argument("--changes", type=int, default=None)
    parser.add_argument("--rate", type=float, default=2.0, help="push: changes per second")
    parser.add_argument("--minutes", type=float, default=6.0, help="poll: spread over this long")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    changes = args.changes or (200 if args.path == "push" else 40)
    result = run(args.path, changes, args.rate, args.minutes, args.seed)
    for name, value in result.items():
        print(f"{name:>30}: {value}")


if __name__ == "__main__":
    main()
