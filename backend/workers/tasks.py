"""Celery tasks: thin wrappers that take ids (JSON) and call the services.

Every task is idempotent (the service returns early when the work is done),
which is what makes `acks_late`, redelivery after a lost worker and the
sweeps' re-submissions safe.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from celery import Task
from redis.exceptions import RedisError

from backend.workers.celery_app import celery_app, key, task_options
from backend.workers.sweeps import SWEEPS_BY_NAME

log = logging.getLogger(__name__)

MAX_WORKER_LOSSES = 3
_COUNTER_TTL_S = 24 * 3600
_ENDED = """
local left = redis.call('DECR', KEYS[1])
if left <= 0 then redis.call('DEL', KEYS[1]) end
return left
"""
"""A run ended: one start fewer unmatched, the key gone at zero (EVALSHA, one round trip)."""


class ReliableTask(Task):
    """Bounds redelivery after lost workers.

    A counter in Redis goes up when a task starts and down when it ends in
    any way Python sees (success, error, retry). A worker killed mid-task
    never takes it down, so the counter is the number of times this task
    took its worker with it; past `MAX_WORKER_LOSSES` the task is dropped
    (`on_worker_losses`) instead of being handed to yet another worker. The
    guarantee costs two Redis round trips per task: INCR and EXPIRE in one
    pipeline at the start, DECR and DEL at zero in one script at the end.
    """

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        counter = None if self.request.called_directly or self.request.is_eager else self._counter()
        if counter is not None:
            try:
                client, name = counter
                started = client.pipeline(transaction=False)  # one round trip
                started.incr(name)
                started.expire(name, _COUNTER_TTL_S)
                losses = int(started.execute()[0]) - 1
            except RedisError:
                counter, losses = None, 0
            if losses >= MAX_WORKER_LOSSES:
                log.error(
                    "task %s[%s] lost its worker %d times; giving up",
                    self.name,
                    self.request.id,
                    losses,
                )
                self.on_worker_losses(args, kwargs)
                client.delete(name)
                return None
        try:
            return super().__call__(*args, **kwargs)
        finally:
            if counter is not None:
                try:
                    counter[0].register_script(_ENDED)(keys=[counter[1]])  # one round trip
                except RedisError:
                    pass

    def _counter(self) -> tuple[Any, str] | None:
        name = self.loss_key(self.request.args or (), self.request.kwargs or {}) or self.request.id
        if not name:
            return None
        from backend.workers.locks import broker_redis

        return broker_redis(), key(f"starts:{name}")

    def loss_key(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
        """What the losses are counted for: this task run (default), or the row it works on."""
        return None

    def on_worker_losses(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """What to do with a task that keeps killing workers; the rows stay for the sweeps."""


class InboundTask(ReliableTask):
    """Losses count per message, so the resubmission sweep cannot loop on a poisonous one."""

    abstract = True

    def loss_key(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
        return f"inbound:{args[0]}" if args else None

    def on_worker_losses(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Marks the message handled with status `error`, so no sweep submits it again."""
        from sqlalchemy import update
        from sqlmodel import col

        from backend.core.clock import utcnow
        from backend.core.db import session_scope
        from backend.models import Message

        with session_scope(write=True) as session:
            session.exec(  # type: ignore[call-overload]
                update(Message)
                .where(col(Message.id) == uuid.UUID(args[0]), col(Message.processed_at).is_(None))
                .values(processed_at=utcnow(), status="error")
            )


@celery_app.task(base=ReliableTask, **task_options())
def relay_outbox_task() -> int:
    """Delivers every due outbox event (woken after a commit, and every few seconds by beat).

    Events left waiting (a handler backing off, or a lease of a relay that
    died with its worker) get one wake-up scheduled for when they are due,
    so a retry happens at its time rather than at the next beat.
    """
    from backend.services.outbox import relay_pending

    _release_queued_relay()
    result = relay_pending()
    if result.next_due is not None:
        wake_relay_at(result.next_due)
    return result.delivered


QUEUED_RELAY_MS = 10_000
"""How long a queued relay run keeps later commits from queueing another; if it is lost,
commits queue one again after this (and beat relays every few seconds anyway)."""


def claim_relay_wake() -> bool:
    """True when no relay run is queued and not yet started, marking one as queued now.

    A burst of commits then queues one relay run, not one each: the queued run
    starts after them (it clears the mark first, then claims due events), so it
    sees every event they committed; a commit after that start queues the next.
    Without Redis it answers True (publishing will fail and be handled there).
    """
    from backend.workers.locks import broker_redis

    try:
        return bool(broker_redis().set(key("relay-queued"), "1", nx=True, px=QUEUED_RELAY_MS))
    except RedisError:
        return True


def _release_queued_relay() -> None:
    from backend.workers.locks import broker_redis

    try:
        broker_redis().delete(key("relay-queued"))
    except RedisError:
        pass


def wake_relay_at(when: datetime) -> bool:
    """Schedules a relay run at `when`, unless one is already coming before then.

    Redis keeps the time of the next scheduled wake-up; a duplicate wake-up
    (two relays racing here) only costs an empty relay run.
    """
    from backend.core.clock import utcnow
    from backend.workers.locks import broker_redis

    now = utcnow()
    countdown = min(
        max((when - now).total_seconds(), 0.0), float(task_options()["retry_backoff_max"])
    )
    target = now.timestamp() + countdown
    name = key("relay-wake")
    try:
        client = broker_redis()
        current = client.get(name)
        if current is not None and now.timestamp() < float(current) <= target:  # type: ignore[arg-type]
            return False
        client.set(name, repr(target), px=int(countdown * 1000) + 5000)
    except RedisError:
        return False
    relay_outbox_task.apply_async(countdown=countdown + 0.05)
    return True


@celery_app.task(base=InboundTask, **task_options())
def process_inbound_task(message_id: str) -> None:
    """Runs the assistant on a stored inbound message (a no-op once processed)."""
    from backend.services.assistant import inbound

    inbound.process_inbound_message(uuid.UUID(message_id))


class RetryLater(Exception):
    """The provider failed in a way another attempt may fix; autoretry backs off."""


@celery_app.task(base=ReliableTask, **task_options(max_retries=4))
def deliver_message_task(message_id: str) -> str:
    """Sends a queued outbound message (a no-op once sent); retries a retryable failure."""
    from backend.services.chats.messaging import DeliveryResult, deliver_message

    result = deliver_message(uuid.UUID(message_id))
    if result == DeliveryResult.RETRY:
        raise RetryLater(f"message {message_id} will be tried again")
    return str(result)


def _sweep_task(name: str, sweep_name: str):  # type: ignore[no-untyped-def]
    sweep = SWEEPS_BY_NAME[sweep_name]

    def run() -> int | None:
        return sweep()

    run.__name__ = name
    run.__qualname__ = name
    run.__doc__ = f"Beat sweep '{sweep_name}' (every {int(sweep.every.total_seconds())} s)."
    # a sweep that fails just runs again at its next beat: no retries piling up
    return celery_app.task(
        base=ReliableTask, name=f"backend.workers.tasks.{name}", acks_late=True, max_retries=0
    )(run)


sweep_conversation_timeouts_task = _sweep_task(
    "sweep_conversation_timeouts_task", "conversation-timeouts"
)
send_due_reminders_task = _sweep_task("send_due_reminders_task", "due-reminders")
send_due_follow_ups_task = _sweep_task("send_due_follow_ups_task", "due-follow-ups")
expire_slot_holds_task = _sweep_task("expire_slot_holds_task", "slot-holds")
resubmit_pending_messages_task = _sweep_task("resubmit_pending_messages_task", "resubmit-messages")
recover_stuck_messages_task = _sweep_task("recover_stuck_messages_task", "stuck-messages")
retry_alert_deliveries_task = _sweep_task("retry_alert_deliveries_task", "alert-deliveries")
resubmit_calendar_syncs_task = _sweep_task("resubmit_calendar_syncs_task", "calendar-syncs")
poll_calendar_busy_time_task = _sweep_task("poll_calendar_busy_time_task", "calendar-busy")
renew_calendar_channels_task = _sweep_task("renew_calendar_channels_task", "calendar-channels")


def sweep_task_names() -> set[str]:
    return {sweep.task for sweep in SWEEPS_BY_NAME.values()}


@celery_app.task(bind=True, base=ReliableTask, **task_options(max_retries=5))
def sync_calendar_task(self: Task, appointment_id: str) -> str:
    """Writes an appointment's current state to Google Calendar (a no-op once it is there).

    A retryable Google failure retries with exponential backoff and jitter;
    the last attempt records it as failed (and alerts) instead.
    """
    from backend.services.calendar_sync.outbound import SyncOutcome, sync_appointment

    last = self.request.retries >= (self.max_retries or 0)
    outcome = sync_appointment(uuid.UUID(appointment_id), last_attempt=last)
    if outcome is SyncOutcome.RETRY:
        raise RetryLater(f"calendar sync of {appointment_id} will be tried again")
    return str(outcome)


POLL_LOCK_S = 60
"""How long a calendar's poll lock lives if its holder dies (a poll takes well under this)."""


@celery_app.task(bind=True, base=ReliableTask, **task_options(max_retries=5))
def poll_calendar_task(self: Task, doctor_calendar_id: str) -> str:
    """Reads a doctor's Google Calendar changes after a push notification.

    One poll per calendar at a time: while another holds the calendar's lock
    this one waits a moment and tries again (it may carry a change the running
    poll listed too early to see), so a burst of notifications runs its polls
    one after another, never side by side. A Google failure retries with
    backoff; when retries run out the poll sweep's safety net reads it.
    """
    from backend.services.calendar_sync.inbound import PollOutcome, poll_doctor_calendar
    from backend.workers.locks import exclusive

    with exclusive(f"calendar-poll:{doctor_calendar_id}", timeout_s=POLL_LOCK_S) as held:
        if not held:
            raise self.retry(countdown=0.5)
        outcome = poll_doctor_calendar(uuid.UUID(doctor_calendar_id))
    if outcome is PollOutcome.RETRY:
        raise RetryLater(f"poll of calendar {doctor_calendar_id} will be tried again")
    return str(outcome)


@celery_app.task(base=ReliableTask, **task_options())
def send_alert_delivery_task(delivery_id: str) -> str:
    """Sends one e-mail/Slack alert delivery (a no-op once it is not pending)."""
    from backend.services.alerting.alerts import send_alert_delivery

    return send_alert_delivery(uuid.UUID(delivery_id))
