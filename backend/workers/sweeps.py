"""The periodic sweeps: what each one does, run on the intervals of `schedule`.

Each sweep is a plain function that takes its lock, does one pass and returns
how many rows it handled; Celery beat (via `tasks`) and the embedded loop
(`inprocess.run_periodic_sweeps`) run the same functions. Every sweep is safe
to run twice: it only picks rows still in the state it acts on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, delete, select

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.jobs import Job, submit
from backend.models import Message, SlotHold
from backend.workers.locks import exclusive
from backend.workers.schedule import SCHEDULE

log = logging.getLogger(__name__)

RESUBMIT_AFTER = timedelta(seconds=30)
RESUBMIT_WINDOW = timedelta(hours=24)
RESUBMIT_BATCH = 500


def relay_outbox() -> int:
    from backend.services.outbox import relay_pending

    return relay_pending().delivered


def send_due_reminders() -> int:
    from backend.services.outreach.reminders import send_due_reminders as send

    return send(utcnow())


def send_due_follow_ups() -> int:
    from backend.services.outreach.followups import send_due_follow_ups as send

    return send(utcnow())


def expire_conversations() -> int:
    from backend.services.assistant.timeouts import sweep_conversation_timeouts

    result = sweep_conversation_timeouts(utcnow())
    return result if isinstance(result, int) else len(result or ())


def expire_slot_holds() -> int:
    """Deletes holds past their expiry; a slot offered in a chat is free again."""
    with session_scope(write=True) as session:
        result = session.exec(delete(SlotHold).where(col(SlotHold.expires_at) <= utcnow()))  # type: ignore[call-overload]
        return int(result.rowcount or 0)


def recover_stuck_messages() -> int:
    """Outbound messages left `sending` by a dead worker: matched at the provider or sent again."""
    from backend.services.chats.messaging import recover_stuck_messages as recover

    return recover()


def retry_alert_deliveries() -> int:
    from backend.services.alerting.alerts import retry_failed_deliveries

    return retry_failed_deliveries(utcnow())


def resubmit_calendar_syncs() -> int:
    """Appointments whose Google Calendar sync was never handed over (or lost): submitted again."""
    from backend.services.calendar_sync.outbound import resubmit_unsynced

    return resubmit_unsynced(utcnow())


def poll_calendar_busy_time() -> int:
    """Reads doctors' Google Calendars back, so their own events block slots (every pass
    without push; with it, only calendars no notification had read lately)."""
    from backend.services.calendar_sync.inbound import poll_connected_calendars

    return poll_connected_calendars()


def renew_calendar_channels() -> int:
    """Opens Google push channels where missing and replaces those about to expire."""
    from backend.services.calendar_sync.push import renew_channels

    return renew_channels()


def resubmit_pending_messages() -> int:
    """Submits again inbound messages never processed and outbound ones still queued.

    This is what makes "stored" mean "will be handled": a message whose
    submission was lost (broker down, worker killed before it started) is
    picked up here after `RESUBMIT_AFTER`.
    """
    from backend.services.chats.messaging import queued_message_ids

    now = utcnow()
    with session_scope(read_only=True) as session:
        inbound = session.exec(
            select(Message.id)
            .where(
                Message.direction == "inbound",
                col(Message.processed_at).is_(None),
                col(Message.created_at) <= now - RESUBMIT_AFTER,
                col(Message.created_at) > now - RESUBMIT_WINDOW,
            )
            .order_by(col(Message.created_at))
            .limit(RESUBMIT_BATCH)
        ).all()
    outbound = queued_message_ids(older_than=RESUBMIT_AFTER, limit=RESUBMIT_BATCH)
    for message_id in inbound:
        submit(Job.PROCESS_INBOUND, message_id)
    for message_id in outbound:
        submit(Job.DELIVER_MESSAGE, message_id)
    return len(inbound) + len(outbound)


@dataclass(frozen=True)
class Sweep:
    name: str
    every: timedelta
    run: Callable[[], int]
    task: str

    def __call__(self) -> int | None:
        """One locked pass; None when another runner holds the lock."""
        with exclusive(self.name, timeout_s=int(self.every.total_seconds()) * 4 + 60) as held:
            if not held:
                log.info("sweep %s skipped: another runner holds it", self.name)
                return None
            return self.run()


_RUNS: dict[str, Callable[[], int]] = {
    "outbox-relay": relay_outbox,
    "due-reminders": send_due_reminders,
    "conversation-timeouts": expire_conversations,
    "due-follow-ups": send_due_follow_ups,
    "slot-holds": expire_slot_holds,
    "resubmit-messages": resubmit_pending_messages,
    "stuck-messages": recover_stuck_messages,
    "alert-deliveries": retry_alert_deliveries,
    "calendar-syncs": resubmit_calendar_syncs,
    "calendar-busy": poll_calendar_busy_time,
    "calendar-channels": renew_calendar_channels,
}

SWEEPS: tuple[Sweep, ...] = tuple(Sweep(e.name, e.every, _RUNS[e.name], e.task) for e in SCHEDULE)

SWEEPS_BY_NAME = {sweep.name: sweep for sweep in SWEEPS}
