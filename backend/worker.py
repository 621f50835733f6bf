"""The worker and beat entry point: `celery -A backend.worker worker` (and `beat`).

Loads the Celery app with its tasks and wires the process at start-up like
every other entry point (outbox handlers, job runner), so bookings the
assistant makes on a worker wake the relay like any other commit.
"""

from __future__ import annotations

from typing import Any

from celery.signals import worker_init

from backend import wiring
from backend.core.heap import freeze_startup_objects
from backend.workers import tasks
from backend.workers.celery_app import celery_app

__all__ = ["celery_app", "tasks"]


@worker_init.connect
def _wire(**_: Any) -> None:
    wiring.install()
    freeze_startup_objects()
