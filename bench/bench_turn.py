"""One assistant turn: CPU, statements and transactions, for an ordinary reply and a booking.

Run: .venv/bin/python -m bench.bench_turn [--conversations 60] [--repeats 3] [--profile FILE]

On a fresh PostgreSQL database with a clinic of three doctors, messages from
new numbers are stored first (no runner), then each is answered by
`process_inbound_message` with the sandbox channel, its reply delivered in the
same thread as the in-process runner does: the work a Celery worker does for
one message. Reported per turn: this process's CPU (`time.process_time`, the
median over `--repeats` passes), SQL statements and transactions (engine
events). The booking conversation is greeting with the need, reason, "1" (the
first time offered) and "Sí". Statements and transactions do not depend on the
machine's load; CPU does (±30 % on this shared machine), so compare CPU only
within one run. `--profile FILE` also writes cProfile statistics of the timed
turns (read them with `python -m pstats FILE`); the CPU figures then include
the profiler's own cost.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import statistics
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import event

from bench.setup_data import clinic_with_doctors, fresh_postgres

SCRIPTS = {
    "ordinary reply": ["Hola, ¿cuánto cuesta una consulta?"],
    "booking": [
        "Hola, necesito una cita para mi perro Toby",
        "Le salió una bolita en el cuello y quiero que la revisen",
        "1",
        "Sí",
    ],
}


@dataclass
class Counts:
    statements: int = 0
    transactions: int = 0


def _count(engine) -> Counts:  # type: ignore[no-untyped-def]
    counts = Counts()

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(*_: object) -> None:
        counts.statements += 1

    @event.listens_for(engine, "begin")
    def _transaction(*_: object) -> None:
        counts.transactions += 1

    return counts


def run(conversations: int, repeats: int, profile: str | None = None) -> None:
    from backend.core import jobs
    from backend.core.heap import freeze_startup_objects
    from backend.integrations.whatsapp import SandboxChannel, set_channel
    from backend.services.assistant.inbound import (
        InboundMessage,
        accept,
        process_inbound_message,
    )
    from backend.workers import inprocess

    engine = fresh_postgres("va_bench_turn")
    tenant, _, _, _ = clinic_with_doctors(3)
    set_channel(SandboxChannel())
    counts = _count(engine)
    freeze_startup_objects()
    profiler = cProfile.Profile() if profile else None
    rows: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for _ in range(repeats):
        for kind, script in SCRIPTS.items():
            phones = [f"+5731{uuid.uuid4().int % 10**8:08d}" for _ in range(conversations)]
            for body in script:
                jobs.install_runner(None)  # stored only; the turn is timed by itself
                ids = [
                    accept(
                        InboundMessage(
                            tenant_id=tenant.id,
                            from_phone=phone,
                            to_phone=tenant.whatsapp_numbers[0],
                            body=body,
                            provider_sid="SM" + uuid.uuid4().hex,
                        )
                    )
                    for phone in phones
                ]
                jobs.install_runner(inprocess.run_job)  # replies go out as on a worker
                gc.collect()
                counts.statements = counts.transactions = 0
                started = time.process_time()
                if profiler is not None:
                    profiler.enable()
                for message_id in ids:
                    assert message_id is not None
                    process_inbound_message(message_id)
                if profiler is not None:
                    profiler.disable()
                cpu = (time.process_time() - started) / conversations * 1000
                rows.setdefault((kind, body), []).append(
                    (
                        cpu,
                        counts.statements / conversations,
                        counts.transactions / conversations,
                    )
                )
    print(f"\n`python -m bench.bench_turn --conversations {conversations} --repeats {repeats}`")
    print(f"- load average (1, 5, 15 min) at the end: {os.getloadavg()}\n")
    print("| turn | message | CPU ms (median) | statements | transactions |")
    print("| --- | --- | --- | --- | --- |")
    for (kind, body), samples in rows.items():
        cpu = statistics.median(s[0] for s in samples)
        print(f"| {kind} | {body[:40]} | {cpu:.2f} | {samples[0][1]:.1f} | {samples[0][2]:.1f} |")
    if profiler is not None and profile:
        profiler.dump_stats(profile)
        print(f"\nprofile written to {profile}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", help="write cProfile statistics of the turns here")
    args = parser.parse_args()
    run(args.conversations, args.repeats, args.profile)


if __name__ == "__main__":
    main()
