"""Appointment changes synced to (the fake) Google Calendar by a Celery worker with 2 processes.

Run: .venv/bin/python -m bench.bench_calendar_sync [--changes 1000] [--rate 0] [--concurrency 2]

Set-up (not timed): a fresh PostgreSQL database, a clinic with 10 doctors, each
with a calendar of the clinic's Google connection; the local fake of Google
(`fake_server`) in its own process, spoken to over HTTP by the real SDK; the
production worker command (`celery -A backend.worker worker -c 2`) with
calendar sync switched on by its environment.

Timed: this process makes `--changes` appointment changes through the booking
service, one transaction each as the API would (about 40 % bookings, 40 %
reschedules, 20 % cancellations of earlier bookings), at `--rate` per second
(0: as fast as it can). Every commit wakes the relay through Redis; the
relay's handler submits `Job.SYNC_CALENDAR`; the worker writes to Google.
A change's lag is from its commit until the appointment records Google
showing that version (or a later one), sampled every 20 ms. At the end the
fake's calendars are compared with the database: exactly one event per live
appointment, at its time, none for a cancelled one.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import text

from backend.core.config import PROJECT_ROOT, settings
from backend.core.db import session_scope
from backend.domain.appointment_rules import Status
from backend.integrations.google_calendar.fake_server import DEFAULT_REFRESH_TOKEN
from backend.models import Appointment, Client
from backend.services.actors import Actor
from backend.services.calendar_sync import connections
from backend.services.scheduling import booking
from bench.bench_outbox import forget_redis_keys, start_worker, stop_worker, use_broker
from bench.setup_data import clinic_with_doctors, fresh_postgres

DB_NAME = "va_bench_calendar"
DOCTORS = 10
ACTOR = Actor(type="api_key", id="bench", label="bench")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_fake(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "backend.integrations.google_calendar.fake_server",
            "--port",
            str(port),
        ],
        cwd=PROJECT_ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/_control/stats", timeout=1).raise_for_status()
            return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the fake Google did not start")


def cpu_seconds(group: int) -> float:
    """User + system CPU of every live process in the process group (the worker and its children)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


@dataclass
class Change:
    appointment_id: uuid.UUID
    version: int
    committed: float
    synced: float | None = None


class Slots:
    """Distinct free starts on the doctors' 30-minute grid (weekdays 08:00-17:30, clinic time)."""

    def __init__(self, doctors: list[Any], zone: ZoneInfo, rng: random.Random) -> None:
        self.doctors, self.zone, self.rng = doctors, zone, rng
        self.used: set[tuple[uuid.UUID, datetime]] = set()
        self.first_day = date.today() + timedelta(days=3)

    def take(self, doctor_id: uuid.UUID | None = None) -> tuple[uuid.UUID, datetime]:
        while True:
            doctor = doctor_id or self.rng.choice(self.doctors).id
            day = self.first_day + timedelta(days=self.rng.randrange(60))
            if day.weekday() == 6:
                continue
            local = datetime.combine(day, datetime.min.time(), self.zone) + timedelta(
                hours=8, minutes=30 * self.rng.randrange(20)
            )
            start = local.astimezone(UTC)
            if (doctor, start) not in self.used:
                self.used.add((doctor, start))
                return doctor, start


def make_change(
    kind: str, tenant: Any, client: Client, slots: Slots, live: list[uuid.UUID]
) -> Change:
    with session_scope(write=True) as session:
        if kind == "book" or not live:
            doctor_id, start = slots.take()
            done = booking.create(
                session,
                tenant=tenant,
                actor=ACTOR,
                data=booking.NewAppointment(
                    doctor_id=doctor_id, client_id=client.id, start_at=start, source="api"
                ),
            )
            live.append(done.id)
        else:
            appointment_id = random.choice(live)
            current = session.get(Appointment, appointment_id)
            assert current is not None
            if kind == "reschedule":
                _doctor, start = slots.take(current.doctor_id)
                done = booking.reschedule(
                    session,
                    tenant=tenant,
                    actor=ACTOR,
                    appointment_id=appointment_id,
                    start_at=start,
                    expected_version=current.version,
                )
            else:
                live.remove(appointment_id)
                done = booking.change_status(
                    session,
                    tenant=tenant,
                    actor=ACTOR,
                    appointment_id=appointment_id,
                    status=Status.CANCELLED,
                    expected_version=current.version,
                )
        appointment_id, version = done.id, done.version
    return Change(appointment_id, version, time.monotonic())


def watch_synced(changes: list[Change], lock: threading.Lock, stop: threading.Event) -> None:
    """Stamps each change when the database first shows its version synced."""
    while not stop.is_set():
        with session_scope(read_only=True) as session:
            rows = session.exec(  # type: ignore[call-overload]
                text(
                    "SELECT id, calendar_synced_version FROM appointment "
                    "WHERE calendar_synced_version IS NOT NULL"
                )
            ).all()
        now = time.monotonic()
        shown = {uuid.UUID(str(r[0])): int(r[1]) for r in rows}
        with lock:
            for change in changes:
                if change.synced is None and shown.get(change.appointment_id, 0) >= change.version:
                    change.synced = now
        time.sleep(0.02)


def check_calendars(
    base: str, doctors: list[Any], calendars: dict[uuid.UUID, str]
) -> dict[str, int]:
    """Exactly one event per live appointment, at its time, in its doctor's calendar."""
    with session_scope(read_only=True) as session:
        rows = session.exec(  # type: ignore[call-overload]
            text("SELECT id, doctor_id, start_at, status FROM appointment")
        ).all()
    expected = {
        uuid.UUID(str(r[0])).hex: (calendars[uuid.UUID(str(r[1]))], r[2])
        for r in rows
        if r[3] not in (Status.CANCELLED, Status.NO_SHOW)
    }
    found: dict[str, list[tuple[str, datetime]]] = {}
    for doctor in doctors:
        calendar = calendars[doctor.id]
        items = httpx.get(base + "/_control/events", params={"calendar": calendar}).json()["items"]
        for item in items:
            start = datetime.fromisoformat(item["start"]["dateTime"]).astimezone(UTC)
            found.setdefault(item["id"], []).append((calendar, start))
    wrong = sum(
        1
        for event_id, where in expected.items()
        if found.get(event_id) != [(where[0], where[1].astimezone(UTC))]
    )
    return {
        "live appointments": len(expected),
        "events in Google": sum(len(v) for v in found.values()),
        "live appointments without exactly one right event": wrong,
        "events of cancelled appointments": sum(1 for e in found if e not in expected),
    }


def run(n_changes: int, rate: float, concurrency: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    random.seed(seed)
    engine = fresh_postgres(DB_NAME)
    database_url = engine.url.render_as_string(hide_password=False)
    queue = f"bench-gcal-{uuid.uuid4().hex[:6]}"
    fake, base = start_fake(Path(f"/tmp/{queue}-fake.log"))
    secret = Fernet.generate_key().decode()
    google_env = {
        "SECRETS_KEY": secret,
        "GOOGLE_CLIENT_ID": "bench-client",
        "GOOGLE_CLIENT_SECRET": "bench-secret",
        "GOOGLE_API_BASE_URL": base,
        "GOOGLE_TOKEN_URI": base + "/token",
    }
    for name, value in google_env.items():
        setattr(settings, name, value)
    tenant, doctors, _client, _key = clinic_with_doctors(DOCTORS, buffer_minutes=0)
    with session_scope(write=True) as session:
        client = Client(tenant_id=tenant.id, phone="+573009990001", name="Cliente Bench")
        session.add(client)
    connections.connect(slug=tenant.slug, refresh_token=DEFAULT_REFRESH_TOKEN)
    calendars = {doctor.id: f"{doctor.email}" for doctor in doctors}
    for doctor in doctors:
        connections.set_doctor_calendar(
            slug=tenant.slug, doctor_email=doctor.email, calendar_id=calendars[doctor.id]
        )
    kinds = rng.choices(["book", "reschedule", "cancel"], weights=[4, 4, 2], k=n_changes)
    slots = Slots(doctors, ZoneInfo(tenant.timezone), rng)
    worker = start_worker(
        database_url, queue, concurrency, Path(f"/tmp/{queue}.log"), *google_env.items()
    )
    changes: list[Change] = []
    lock, stop = threading.Lock(), threading.Event()
    watcher = threading.Thread(target=watch_synced, args=(changes, lock, stop), daemon=True)
    try:
        use_broker(queue)
        stats_before = httpx.get(base + "/_control/stats").json()
        cpu_before = cpu_seconds(worker.pid)
        watcher.start()
        live: list[uuid.UUID] = []
        started = time.monotonic()
        for i, kind in enumerate(kinds):
            if rate > 0:
                pause = started + i / rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
            change = make_change(kind, tenant, client, slots, live)
            with lock:
                changes.append(change)
        written = time.monotonic()
        deadline = written + 600
        while time.monotonic() < deadline:
            with lock:
                if all(c.synced is not None for c in changes):
                    break
            time.sleep(0.05)
        finished = time.monotonic()
        cpu = cpu_seconds(worker.pid) - cpu_before
        stats_after = httpx.get(base + "/_control/stats").json()
        stop.set()
        watcher.join()
        time.sleep(1)  # nothing more should arrive: the check sees the settled calendars
        checks = check_calendars(base, doctors, calendars)
    finally:
        stop.set()
        stop_worker(worker)
        os.killpg(fake.pid, signal.SIGTERM)
        fake.wait()
        forget_redis_keys(queue)
        engine.dispose()
    lags = sorted(c.synced - c.committed for c in changes if c.synced is not None)
    calls = {
        method: n - stats_before["calls"].get(method, 0)
        for method, n in stats_after["calls"].items()
    }
    return {
        "changes": n_changes,
        "offered rate per s": rate or "as fast as written",
        "worker processes": concurrency,
        "write phase s": round(written - started, 2),
        "all synced s": round(finished - started, 2),
        "changes synced per s": round(len(lags) / (finished - started), 1),
        "unsynced changes": n_changes - len(lags),
        "lag p50 ms": round(1000 * statistics.median(lags)),
        "lag p99 ms": round(1000 * lags[int(0.99 * (len(lags) - 1))]),
        "lag max ms": round(1000 * lags[-1]),
        "Google calls": calls,
        "Google calls per change": round(sum(calls.values()) / n_changes, 2),
        "token requests": stats_after["token_requests"] - stats_before["token_requests"],
        "worker CPU ms per change": round(1000 * cpu / n_changes, 1),
        **checks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=0.0, help="changes per second (0: unpaced)")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    result = run(args.changes, args.rate, args.concurrency, args.seed)
    for name, value in result.items():
        print(f"{name:>52}: {value}")


if __name__ == "__main__":
    main()
