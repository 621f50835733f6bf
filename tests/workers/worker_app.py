"""The Celery app as the test worker subprocess runs it: the real one plus test handlers.

`celery -A tests.workers.worker_app worker` loads the production app
unchanged, shortens the outbox timings so retries take fractions of a second,
and adds handlers the tests steer through event payloads:

- "test.hold": writes its effect, then on its first delivery records the pool
  process id in a file and sleeps, so the test can SIGKILL it mid-task;
- "test.flaky": fails until the event's third delivery;
- "test.poison": always fails.

Effects are audit rows (a table without a uniqueness that would hide a
duplicate), so "exactly once" is counted, not assumed.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

from backend.models import AuditLog
from backend.services import outbox
from backend.worker import celery_app

outbox.BACKOFF_BASE = timedelta(milliseconds=200)
outbox.BACKOFF_MAX = timedelta(seconds=1)
outbox.LEASE = timedelta(seconds=2)


def _effect(session, event, label: str) -> None:  # type: ignore[no-untyped-def]
    session.add(
        AuditLog(
            tenant_id=event.tenant_id,
            appointment_id=event.aggregate_id,
            action=f"effect:{label}",
            actor_type="system",
        )
    )
    session.flush()


def hold(session, event) -> None:  # type: ignore[no-untyped-def]
    if event.type != "test.hold":
        return
    _effect(session, event, "hold")
    flag = Path(event.payload["flag"])
    if not flag.exists():
        flag.write_text(str(os.getpid()))
        time.sleep(120)


def flaky(session, event) -> None:  # type: ignore[no-untyped-def]
    if event.type != "test.flaky":
        return
    if event.attempts < 3:
        raise RuntimeError(f"flaky handler refuses delivery {event.attempts}")
    _effect(session, event, "flaky")


def poison(session, event) -> None:  # type: ignore[no-untyped-def]
    if event.type == "test.poison":
        raise RuntimeError("the poison handler always refuses")


def _for(kind: str):  # type: ignore[no-untyped-def]
    return lambda event: event.type == kind


outbox.register_handler("test_hold", outbox.EventHandler(handle=hold, wants=_for("test.hold")))
outbox.register_handler(
    "test_poison", outbox.EventHandler(handle=poison, wants=_for("test.poison"))
)
outbox.register_handler("test_flaky", outbox.EventHandler(handle=flaky, wants=_for("test.flaky")))

app = celery_app


def _fast_beat() -> None:
    """Beat (`celery -A tests.workers.worker_app beat`) ticks every sweep each second."""
    from backend.workers import sweeps

    sweeps.RESUBMIT_AFTER = timedelta(seconds=1)
    schedule = dict(celery_app.conf.beat_schedule)
    for entry in schedule.values():
        entry["schedule"] = 1.0
        entry["options"] = {"expires": 5.0}
    celery_app.conf.beat_schedule = schedule


_fast_beat()
