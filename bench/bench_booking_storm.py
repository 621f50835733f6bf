"""Booking storm: 8 concurrent API clients doing random create/reschedule/cancel for 30 s.

Run: .venv/bin/python -m bench.bench_booking_storm [--seconds 30] [--clients 8] [--workers 2]
Serves `backend.api.main:app` with uvicorn (N worker processes) on a fresh
PostgreSQL database, then checks by SQL that no two live normal appointments
of a doctor overlap.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import text

from bench.setup_data import clinic_with_doctors, fresh_postgres
from tests.services.test_no_double_booking import OVERLAPS_SQL

DB_NAME = "va_bench_storm"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def candidate_starts(tz: str, days: int = 40) -> list[str]:
    zone = ZoneInfo(tz)
    first = date.today() + timedelta(days=2)
    starts = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        if day.weekday() < 6:
            for slot in range(20):
                local = datetime.combine(day, dtime(8), zone) + timedelta(minutes=30 * slot)
                starts.append(local.isoformat())
    return starts


async def client_loop(
    base: str,
    key: str,
    doctors: list[str],
    client_id: str,
    starts: list[str],
    deadline: float,
    seed: int,
    outcomes: Counter,
    latencies: list[float],
) -> None:
    rng = random.Random(seed)
    mine: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
        while time.monotonic() < deadline:
            roll = rng.random()
            began = time.perf_counter()
            if roll < 0.5 or not mine:
                op = "create"
                response = await http.post(
                    "/api/v1/appointments",
                    json={
                        "doctorId": rng.choice(doctors),
                        "clientId": client_id,
                        "startAt": rng.choice(starts),
                    },
                )
                if response.status_code == 201:
                    body = response.json()
                    mine[body["id"]] = body["version"]
            elif roll < 0.8:
                op = "reschedule"
                appointment_id = rng.choice(list(mine))
                response = await http.patch(
                    f"/api/v1/appointments/{appointment_id}",
                    json={"startAt": rng.choice(starts), "version": mine[appointment_id]},
                )
                if response.status_code == 200:
                    mine[appointment_id] = response.json()["version"]
            else:
                op = "cancel"
                appointment_id = rng.choice(list(mine))
                response = await http.delete(
                    f"/api/v1/appointments/{appointment_id}",
                    headers={"If-Match": str(mine.pop(appointment_id))},
                )
            latencies.append((time.perf_counter() - began) * 1000)
            outcomes[(op, response.status_code)] += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    engine = fresh_postgres(DB_NAME)
    tenant, doctors, client, key = clinic_with_doctors(4)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": str(engine.url.render_as_string(hide_password=False))}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "backend.api.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        outcomes: Counter = Counter()
        latencies: list[float] = []
        starts = candidate_starts(tenant.timezone)
        deadline = time.monotonic() + args.seconds

        async def storm() -> None:
            await asyncio.gather(
                *(
                    client_loop(
                        base,
                        key,
                        [str(d.id) for d in doctors],
                        str(client.id),
                        starts,
                        deadline,
                        seed,
                        outcomes,
                        latencies,
                    )
                    for seed in range(args.clients)
                )
            )

        began = time.monotonic()
        asyncio.run(storm())
        elapsed = time.monotonic() - began
    finally:
        server.terminate()
        server.wait(timeout=20)
    total = sum(outcomes.values())
    errors = sum(n for (_, code), n in outcomes.items() if code >= 500)
    with engine.connect() as conn:
        overlaps = conn.execute(OVERLAPS_SQL).scalar_one()
        live = conn.execute(
            text("SELECT count(*) FROM appointment WHERE status <> 'cancelled'")
        ).scalar_one()
    print(f"clients {args.clients}, server workers {args.workers}, {elapsed:.1f} s")
    print(f"operations {total}  ->  {total / elapsed:.0f} ops/s  (5xx: {errors})")
    for (op, code), n in sorted(outcomes.items()):
        print(f"  {op:10s} {code}: {n}")
    print(
        f"latency p50 {statistics.median(latencies):.1f} ms, p99 {statistics.quantiles(latencies, n=100)[98]:.1f} ms"
    )
    print(f"live appointments {live}, overlapping pairs (SQL): {overlaps}")


if __name__ == "__main__":
    main()
