"""Where work that follows a request goes: in-process now, or a Celery queue.

Embedded default (no REDIS_URL): the work runs right here, after the caller's
commit, so a webhook's reply exists when it returns. With REDIS_URL the work is
enqueued; if the broker is down the rows stay pending and the periodic sweeps
pick them up, so nothing accepted is lost.
"""

from __future__ import annotations

import logging
import uuid

log = logging.getLogger(__name__)


def submit_inbound(message_id: uuid.UUID) -> None:
    """Handles a stored inbound WhatsApp message through the assistant."""
    from backend.services.assistant import process_inbound_message

    process_inbound_message(message_id)


def submit_outbound(message_id: uuid.UUID) -> None:
    """Sends a stored (queued) outbound message through the WhatsApp channel."""
    from backend.services.messaging import deliver_message

    deliver_message(message_id)
