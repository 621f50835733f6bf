"""Background work without Celery (the embedded default): right after commit, and a loop.

`run_job` runs a submitted job in the committing thread when REDIS_URL is
unset, so a booking's notification exists when the request returns.
`run_periodic_sweeps` is the web app's lifespan task: without Celery it runs
each sweep at its interval in a worker thread (with Celery, beat runs them and
the task just returns).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid

from backend.core.config import settings
from backend.core.jobs import Job
from backend.services import outbox
from backend.services.alerting.alerts import send_alert_delivery
from backend.services.assistant.inbound import process_inbound_message
from backend.services.calendar_sync.inbound import poll_doctor_calendar
from backend.services.calendar_sync.outbound import sync_appointment
from backend.services.chats.messaging import deliver_message
from backend.workers.sweeps import SWEEPS, Sweep

log = logging.getLogger(__name__)

TICK_S = 5.0

_state = threading.local()


def relay_now() -> None:
    """Delivers due outbox events in this thread; a nested call (a handler's own commit) is absorbed.

    The outer `relay_pending` keeps claiming until nothing is due, so events
    committed by a handler are delivered by the same loop.
    """
    if getattr(_state, "relaying", False):
        return
    _state.relaying = True
    try:
        outbox.relay_pending()
    except Exception:  # the periodic relay retries what this pass could not deliver
        log.exception("in-process outbox relay failed")
    finally:
        _state.relaying = False


def run_job(job: Job, subject_id: str | None) -> None:
    """Runs a submitted job here and now (the runner's in-process half)."""
    if job is Job.RELAY_OUTBOX:
        relay_now()
    elif subject_id is None:
        raise ValueError(f"{job} needs the id of its row")
    elif job is Job.PROCESS_INBOUND:
        process_inbound_message(uuid.UUID(subject_id))
    elif job is Job.DELIVER_MESSAGE:
        deliver_message(uuid.UUID(subject_id))
    elif job is Job.SEND_ALERT_DELIVERY:
        send_alert_delivery(uuid.UUID(subject_id))
    elif job is Job.SYNC_CALENDAR:  # a retryable failure waits for the sweep
        sync_appointment(uuid.UUID(subject_id))
    elif job is Job.POLL_CALENDAR:  # a failure waits for the poll sweep's safety net
        poll_doctor_calendar(uuid.UUID(subject_id))


def run_sweep(sweep: Sweep) -> int | None:
    """One pass of a sweep; errors are logged, never raised into the loop."""
    try:
        return sweep()
    except Exception:
        log.exception("sweep %s failed", sweep.name)
        return None


def run_all_sweeps() -> dict[str, int | None]:
    """Every sweep once, in schedule order (start-up catch-up, tests)."""
    return {sweep.name: run_sweep(sweep) for sweep in SWEEPS}


async def run_periodic_sweeps() -> None:
    """Lifespan task of the web app: the sweeps, only without Celery (beat runs them otherwise)."""
    if settings.uses_celery:
        log.info("background work runs on Celery (REDIS_URL set); no in-process sweeps")
        return
    log.info("background work runs in-process (no REDIS_URL)")
    last_run: dict[str, float] = {}
    while True:
        now = time.monotonic()
        for sweep in SWEEPS:
            if now - last_run.get(sweep.name, float("-inf")) >= sweep.every.total_seconds():
                last_run[sweep.name] = now
                await asyncio.to_thread(run_sweep, sweep)
        await asyncio.sleep(TICK_S)
