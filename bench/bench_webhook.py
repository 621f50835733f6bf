"""Signed WhatsApp webhook throughput: the whole assistant vs a bare store-only endpoint.

Run: .venv/bin/python -m bench.bench_webhook [--seconds 20] [--conversations 16] [--workers 2]

Serves, in turn, on a loopback port with uvicorn (N worker processes) and a
fresh PostgreSQL database:
1. `backend.api.main:app` — signature check, store, and the whole engine
   in-process (rules path, no Claude, sandbox channel) before the webhook
   answers: the reply and any booking exist when the response arrives;
2. with `--queue` (default): the same app in production mode (REDIS_URL set):
   signature, store, enqueue the Celery task and answer; the assistant runs
   later on workers (none is started, so this measures the webhook alone);
3. `bench.bench_webhook:bare_app` — the same signature check and the same
   insert of the inbound message, nothing else (the ceiling on this machine).

`--conversations` clients (one phone each) talk at the same time with httpx;
each sends its next message when the previous answer arrives, cycling through
a real booking (greeting → reason → "1" → "Sí" → "gracias") and a price
question, so messages of one conversation never overlap, as on WhatsApp.
Every request is signed with the twilio SDK's RequestValidator.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from twilio.request_validator import RequestValidator

DB_NAME = "va_bench_webhook"
TOKEN = "bench-auth-token"
PUBLIC_BASE = "https://bench.vetassist.example"
CLINIC_NUMBER = "+14155550199"
QUEUE_URL = "redis://127.0.0.1:6379/13"
SCRIPT = (
    "Hola, necesito una cita para mi perro",
    "Le salió una bolita en el cuello y quiero que la revisen",
    "1",
    "Sí",
    "Muchas gracias",
    "Hola, ¿cuánto cuesta una vacuna?",
)


# ---------------------------------------------------------------- the bare endpoint


def _bare_accept(form) -> None:  # type: ignore[no-untyped-def]
    """The clinic lookup and the insert of `accept_posted`, without handing the message on."""
    from backend.api.routes.webhooks import _posted
    from backend.core.db import session_scope
    from backend.services.assistant.inbound import InboundMessage, store_inbound, whatsapp_phone
    from backend.services.clinics.clinic_directory import by_whatsapp_number

    posted = _posted(form)
    to_phone = whatsapp_phone(posted.to)
    with session_scope(write=True) as session:
        tenant = by_whatsapp_number(session, to_phone)
        assert tenant is not None
        store_inbound(
            session,
            InboundMessage(
                tenant_id=tenant.id,
                from_phone=whatsapp_phone(posted.from_, tenant.country),
                to_phone=to_phone,
                body=posted.body,
                provider_sid=posted.provider_sid,
            ),
        )


bare_app = FastAPI()


@bare_app.post("/webhooks/whatsapp")
async def bare_inbound(request: Request) -> Response:
    """Signature check and the insert of the inbound message; no assistant."""
    from backend.api.routes.webhooks import check_signature, twiml

    form = await request.form()
    await check_signature(request, form, str(form.get("To") or ""))
    await run_in_threadpool(_bare_accept, form)
    return twiml()


@bare_app.get("/healthz")
def bare_health() -> dict[str, str]:
    return {"status": "ok"}


# ---------------------------------------------------------------- set-up


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(conversations: int) -> None:
    from backend.core.db import session_scope
    from backend.services.patients import clients
    from tests.factories import make_doctor, make_tenant, weekday_periods

    with session_scope(write=True) as session:
        tenant = make_tenant(
            session, slug="bench-webhook", whatsapp=CLINIC_NUMBER, phone="+576014567890"
        )
        for i in range(3):
            make_doctor(
                session,
                tenant,
                name=f"Dra. Bench {i}",
                email=f"wh{i}@bench.example.com",
                periods=weekday_periods("07:00", "20:00", range(0, 7)),
            )
        for i in range(conversations):
            client = clients.find_or_create(session, tenant, phone=phone_of(i), name=f"Cliente {i}")
            clients.add_pet(session, client, name=f"Mascota {i}", species="perro")


def phone_of(index: int) -> str:
    return f"+57300{index:07d}"


def start_server(target: str, env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            target,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"{target} did not start")


# ---------------------------------------------------------------- load


async def conversation(
    base: str,
    index: int,
    deadline: float,
    warmup_until: float,
    latencies: list[float],
    codes: Counter,
) -> None:
    validator = RequestValidator(TOKEN)
    url = PUBLIC_BASE + "/webhooks/whatsapp"
    step = 0
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        while time.monotonic() < deadline:
            params = {
                "MessageSid": "SM" + uuid.uuid4().hex,
                "AccountSid": "AC" + "0" * 32,
                "From": f"whatsapp:{phone_of(index)}",
                "To": f"whatsapp:{CLINIC_NUMBER}",
                "Body": SCRIPT[step % len(SCRIPT)],
                "NumMedia": "0",
                "ProfileName": f"Cliente {index}",
            }
            headers = {"X-Twilio-Signature": validator.compute_signature(url, params)}
            began = time.perf_counter()
            response = await http.post("/webhooks/whatsapp", data=params, headers=headers)
            if time.monotonic() >= warmup_until:
                latencies.append((time.perf_counter() - began) * 1000)
                codes[response.status_code] += 1
            step += 1


def run_load(base: str, conversations: int, seconds: float, warmup: float) -> dict[str, float]:
    latencies: list[float] = []
    codes: Counter = Counter()
    began = time.monotonic()
    warmup_until = began + warmup
    deadline = warmup_until + seconds

    async def everyone() -> None:
        await asyncio.gather(
            *(
                conversation(base, i, deadline, warmup_until, latencies, codes)
                for i in range(conversations)
            )
        )

    asyncio.run(everyone())
    measured = time.monotonic() - warmup_until
    ok = codes.get(200, 0)
    return {
        "requests": sum(codes.values()),
        "ok": ok,
        "errors": sum(n for code, n in codes.items() if code != 200),
        "per_second": ok / measured,
        "p50": statistics.median(latencies),
        "p99": statistics.quantiles(latencies, n=100)[98],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--conversations", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--queue",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure the production path: store + enqueue to Redis (no worker)",
    )
    args = parser.parse_args()

    from bench.setup_data import fresh_postgres

    engine = fresh_postgres(DB_NAME)
    seed(args.conversations)
    env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "TWILIO_AUTH_TOKEN": TOKEN,
        "PUBLIC_BASE_URL": PUBLIC_BASE,
        "WHATSAPP_CHANNEL": "sandbox",
        "TWILIO_VALIDATE_SIGNATURE": "true",
        "DEMO_SEED": "false",
    }
    for key in ("REDIS_URL", "ANTHROPIC_API_KEY"):
        env.pop(key, None)

    scenarios = [
        ("assistant", "backend.api.main:app", env),
        ("bare", "bench.bench_webhook:bare_app", env),
    ]
    if args.queue:
        scenarios.insert(1, ("queued", "backend.api.main:app", {**env, "REDIS_URL": QUEUE_URL}))
    results = {}
    try:
        for name, target, server_env in scenarios:
            server, base = start_server(target, server_env, args.workers)
            try:
                results[name] = run_load(base, args.conversations, args.seconds, args.warmup)
            finally:
                server.terminate()
                server.wait(timeout=20)
    finally:
        if args.queue:
            import redis

            redis.Redis.from_url(QUEUE_URL).flushdb()  # the enqueued tasks were not for a worker

    with engine.connect() as conn:
        stats = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM message WHERE direction = 'inbound'),"
                " (SELECT count(*) FROM message WHERE direction = 'inbound' AND processed_at IS NULL"
                "   AND from_phone LIKE '+57300%' AND created_at < (SELECT min(created_at) FROM message"
                "   WHERE processed_at IS NULL AND direction = 'inbound')),"
                " (SELECT count(*) FROM message WHERE direction = 'outbound'),"
                " (SELECT count(*) FROM appointment WHERE source = 'whatsapp'),"
                " (SELECT count(*) FROM conversation)"
            )
        ).one()
    print(
        f"{args.conversations} concurrent conversations, {args.workers} uvicorn workers, "
        f"{args.seconds:.0f} s measured after {args.warmup:.0f} s warm-up, PostgreSQL, rules path"
    )
    print(
        f"{'endpoint':<10} {'msgs/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7}"
    )
    for name, r in results.items():
        print(
            f"{name:<10} {r['per_second']:>8.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} "
            f"{r['requests']:>9.0f} {r['errors']:>7.0f}"
        )
    for name in results:
        if name != "bare":
            ratio = results[name]["per_second"] / results["bare"]["per_second"]
            print(f"{name} / bare throughput: {ratio:.2f}")
    print(
        f"stored inbound {stats[0]}, outbound {stats[2]}, WhatsApp bookings {stats[3]}, conversations {stats[4]}"
    )


if __name__ == "__main__":
    main()
