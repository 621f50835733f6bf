"""The one way to hand work to the background: after the caller's commit.

A service calls `submit_after_commit(session, Job.X, subject_id)` inside its
unit of work. When the outermost transaction commits, every job it collected
goes to the installed runner; a rollback drops them, so no work runs for
changes that did not happen. The runner (in-process, or a Celery queue) is
installed at start-up by each entry point (`backend.wiring`); services never
know which. A job whose hand-over fails, or that was collected with no runner
installed, is not lost: its rows stay pending in the database and the
workers' sweeps submit them again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from enum import StrEnum

from sqlalchemy import event
from sqlmodel import Session

log = logging.getLogger(__name__)


class Job(StrEnum):
    """Background work, named by what it does; each takes the id of its row (or none)."""

    PROCESS_INBOUND = "process_inbound"  # answer a stored inbound WhatsApp message
    DELIVER_MESSAGE = "deliver_message"  # send a queued outbound WhatsApp message
    SEND_ALERT_DELIVERY = "send_alert_delivery"  # send a pending e-mail/Slack alert delivery
    RELAY_OUTBOX = "relay_outbox"  # deliver due outbox events to their handlers
    SYNC_CALENDAR = "sync_calendar"  # write an appointment's current state to Google Calendar
    POLL_CALENDAR = "poll_calendar"  # read a doctor's Google Calendar changes (push said so)


Runner = Callable[[Job, str | None], None]

_runner: Runner | None = None
_PENDING_KEY = "jobs_after_commit"


def install_runner(runner: Runner | None) -> None:
    """Sets what runs submitted jobs (None: nothing runs eagerly; the sweeps catch up)."""
    global _runner
    _runner = runner


def installed_runner() -> Runner | None:
    return _runner


def submit(job: Job, subject_id: uuid.UUID | str | None = None) -> None:
    """Hands a job to the runner now: for callers with nothing left to commit (the sweeps)."""
    if _runner is None:
        return
    subject = str(subject_id) if subject_id is not None else None
    try:
        _runner(job, subject)
    except Exception:  # the row is still pending; a sweep submits it again
        log.exception("handing %s %s to the background failed", job, subject)


def submit_after_commit(
    session: Session, job: Job, subject_id: uuid.UUID | str | None = None
) -> None:
    """Hands `job` to the runner once `session`'s transaction has committed."""
    pending: list[tuple[Job, uuid.UUID | str | None]] = session.info.setdefault(_PENDING_KEY, [])
    if job is Job.RELAY_OUTBOX and (job, subject_id) in pending:
        return  # one wake-up of the relay per commit is enough
    pending.append((job, subject_id))


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a SAVEPOINT released: the real commit comes later
        return
    for job, subject_id in session.info.pop(_PENDING_KEY, []):
        submit(job, subject_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    if (
        session.in_nested_transaction()
    ):  # only a SAVEPOINT: jobs for rows it undid find nothing to do
        return
    session.info.pop(_PENDING_KEY, None)
