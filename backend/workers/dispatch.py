"""Where work that follows a request goes: in-process now, or a Celery queue.

Embedded default (no REDIS_URL): the work runs right here, after the caller's
commit, so a webhook's reply exists when it returns. With REDIS_URL the work is
enqueued; if the broker is down the rows stay pending and the periodic sweeps
pick them up, so nothing accepted is lost.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence

from backend.core.config import settings

log = logging.getLogger(__name__)


BROKER_BACKOFF_S = 5.0
_broker_down_until = 0.0


def _enqueue(task_name: str, *args: str) -> bool:
    """Publishes a task; False (logged) when the broker cannot be reached.

    After a failed publish the broker is not tried again for
    `BROKER_BACKOFF_S`, so during an outage requests are not slowed down by
    connection attempts; what was not published is pending in the database
    and the sweeps submit it once Redis is back.
    """
    global _broker_down_until
    from backend.workers import tasks

    if time.monotonic() < _broker_down_until:
        log.info("broker marked down; %s%s left for the sweeps", task_name, args)
        return False
    try:
        getattr(tasks, task_name).apply_async(args=list(args))
        return True
    except Exception as exc:  # kombu raises a variety of connection errors
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_S
        log.warning("could not enqueue %s%s (%r); a sweep will submit it again", task_name, args, exc)
        return False


def submit_inbound(message_id: uuid.UUID) -> None:
    """Handles a stored inbound WhatsApp message through the assistant."""
    if settings.uses_celery:
        _enqueue("process_inbound_task", str(message_id))
        return
    from backend.services.assistant import process_inbound_message

    process_inbound_message(message_id)


def submit_outbound(message_id: uuid.UUID) -> None:
    """Sends a stored (queued) outbound message through the WhatsApp channel."""
    if settings.uses_celery:
        _enqueue("deliver_message_task", str(message_id))
        return
    from backend.services.messaging import deliver_message

    deliver_message(message_id)


def submit_outbox(event_ids: Sequence[int] = ()) -> None:
    """Wakes the outbox relay after a commit that wrote events (the dispatcher hook)."""
    if settings.uses_celery:
        _enqueue("relay_outbox_task")
        return
    from backend.workers.inprocess import relay_now

    relay_now()


def install_dispatcher() -> None:
    """Registers `submit_outbox` as what runs after a commit that wrote events.

    Called once per process at start-up: by the Celery worker, and by the
    web app's lifespan task (`inprocess.run_periodic_sweeps`).
    """
    from backend.services import events

    events.set_dispatcher(submit_outbox)


def submit_alert_delivery(delivery_id: uuid.UUID) -> None:
    """Sends an e-mail/Slack alert delivery (after the alert's commit)."""
    if settings.uses_celery:
        _enqueue("send_alert_delivery_task", str(delivery_id))
        return
    from backend.services.alerts import send_alert_delivery

    send_alert_delivery(delivery_id)
