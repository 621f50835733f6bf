"""The job runner: a Celery queue with REDIS_URL, else right here in this thread.

`backend.wiring` installs `run_job` as the runner of `backend.core.jobs`, so
work a service submitted after its commit arrives here. Embedded default (no
REDIS_URL): the work runs at once, so a webhook's reply exists when it
returns. With REDIS_URL the job is published; if the broker is down the rows
stay pending and the periodic sweeps pick them up, so nothing accepted is lost.
"""

from __future__ import annotations

import logging
import time

from celery import current_task

from backend.core.config import settings
from backend.core.jobs import Job
from backend.workers import inprocess, tasks

log = logging.getLogger(__name__)

BROKER_BACKOFF_S = 5.0
_broker_down_until = 0.0

TASKS = {
    Job.PROCESS_INBOUND: tasks.process_inbound_task,
    Job.DELIVER_MESSAGE: tasks.deliver_message_task,
    Job.SEND_ALERT_DELIVERY: tasks.send_alert_delivery_task,
    Job.RELAY_OUTBOX: tasks.relay_outbox_task,
    Job.SYNC_CALENDAR: tasks.sync_calendar_task,
    Job.POLL_CALENDAR: tasks.poll_calendar_task,
}


def _enqueue(job: Job, subject_id: str | None) -> bool:
    """Publishes the job's task; False (logged) when the broker cannot be reached.

    After a failed publish the broker is not tried again for
    `BROKER_BACKOFF_S`, so during an outage requests are not slowed down by
    connection attempts; what was not published is pending in the database
    and the sweeps submit it once Redis is back.
    """
    global _broker_down_until
    args = [subject_id] if subject_id is not None else []
    if time.monotonic() < _broker_down_until:
        log.info("broker marked down; %s%s left for the sweeps", job, args)
        return False
    try:
        if job is Job.RELAY_OUTBOX and not tasks.claim_relay_wake():
            return True  # a queued relay run will see this commit's events
        TASKS[job].apply_async(args=args)
        return True
    except Exception as exc:  # kombu raises a variety of connection errors
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_S
        log.warning("could not enqueue %s%s (%r); a sweep will submit it again", job, args, exc)
        return False


def _reply_of_this_turn(job: Job) -> bool:
    """A reply queued by the task answering a message: that task sends it itself, in
    order and without a trip through the queue (its row is queued, so a sweep resends
    it if the task dies first)."""
    return (
        job is Job.DELIVER_MESSAGE
        and bool(current_task)
        and current_task.name == tasks.process_inbound_task.name
    )


def run_job(job: Job, subject_id: str | None) -> None:
    """The runner: publish with Celery (REDIS_URL set), else run the job in this thread."""
    if settings.uses_celery and not _reply_of_this_turn(job):
        _enqueue(job, subject_id)
    else:
        inprocess.run_job(job, subject_id)
