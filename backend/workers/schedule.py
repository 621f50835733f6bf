"""When each periodic sweep runs, and the Celery beat entries built from it.

Plain data, so the Celery app can build its beat schedule without importing
the sweeps (which import the services and the locks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class Every:
    name: str
    every: timedelta
    task: str


SCHEDULE: tuple[Every, ...] = (
    Every("outbox-relay", timedelta(seconds=15), "backend.workers.tasks.relay_outbox_task"),
    Every("due-reminders", timedelta(seconds=15), "backend.workers.tasks.send_due_reminders_task"),
    Every(
        "conversation-timeouts",
        timedelta(minutes=1),
        "backend.workers.tasks.sweep_conversation_timeouts_task",
    ),
    Every("due-follow-ups", timedelta(minutes=5), "backend.workers.tasks.send_due_follow_ups_task"),
    Every("slot-holds", timedelta(minutes=1), "backend.workers.tasks.expire_slot_holds_task"),
    Every(
        "resubmit-messages",
        timedelta(seconds=30),
        "backend.workers.tasks.resubmit_pending_messages_task",
    ),
    Every(
        "stuck-messages",
        timedelta(minutes=1),
        "backend.workers.tasks.recover_stuck_messages_task",
    ),
    Every(
        "alert-deliveries",
        timedelta(minutes=1),
        "backend.workers.tasks.retry_alert_deliveries_task",
    ),
    Every(
        "calendar-syncs",
        timedelta(minutes=1),
        "backend.workers.tasks.resubmit_calendar_syncs_task",
    ),
    Every(
        "calendar-busy",
        timedelta(minutes=2),
        "backend.workers.tasks.poll_calendar_busy_time_task",
    ),
    Every(
        "calendar-channels",
        timedelta(minutes=30),
        "backend.workers.tasks.renew_calendar_channels_task",
    ),
)


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Celery beat entries; a sweep message older than its interval is dropped, not piled up."""
    return {
        entry.name: {
            "task": entry.task,
            "schedule": entry.every.total_seconds(),
            "options": {"expires": entry.every.total_seconds()},
        }
        for entry in SCHEDULE
    }
