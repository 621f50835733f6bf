"""Background work without Celery (the embedded default): right after commit, and a loop.

`relay_now` is the outbox dispatcher when REDIS_URL is unset: events are
delivered in the committing thread, so a booking's notification exists when
the request returns. `run_periodic_sweeps` is the web app's lifespan task: it
installs the dispatcher and, without Celery, runs each sweep at its interval
in a worker thread (with Celery, beat runs them and the task just returns).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from backend.core.config import settings
from backend.workers.dispatch import install_dispatcher
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
    from backend.services.outbox import relay_pending

    _state.relaying = True
    try:
        relay_pending()
    except Exception:  # the periodic relay retries what this pass could not deliver
        log.exception("in-process outbox relay failed")
    finally:
        _state.relaying = False


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
    """Lifespan task of the web app: dispatcher always, sweeps only without Celery."""
    install_dispatcher()
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
