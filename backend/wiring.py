"""Start-up wiring, the one place that connects the parts: every entry point calls `install`.

The API app, the portal, the Celery worker and the operator CLI each call
`install()` when they start. It registers the outbox's event handlers (in
delivery order) and installs the job runner of `backend.core.jobs`: Celery
when REDIS_URL is set, else in-process (`backend.workers.dispatch.run_job`
decides per job). Nothing here happens as a side effect of importing.
"""

from __future__ import annotations

from backend.core import jobs
from backend.core.jobs import Job
from backend.services import outbox
from backend.services.calendar_sync import outbound as calendar_outbound
from backend.services.outreach import emergency_notice, followups, notifications, reminders
from backend.workers import dispatch

EVENT_HANDLERS: tuple[tuple[str, outbox.EventHandler], ...] = (
    ("notifications", notifications.HANDLER),
    ("reminders", reminders.HANDLER),
    ("follow_ups", followups.HANDLER),
    ("emergency_notice", emergency_notice.HANDLER),
    ("calendar_sync", calendar_outbound.HANDLER),
)


def _without_eager_relay(job: Job, subject_id: str | None) -> None:
    if job is not Job.RELAY_OUTBOX:
        dispatch.run_job(job, subject_id)


def install(*, relay_outbox_after_commit: bool = True) -> None:
    """Registers the outbox handlers and installs the job runner (idempotent).

    `relay_outbox_after_commit=False` leaves outbox events to the periodic
    relay instead of relaying after each commit: the CLI uses it, so seeding
    the demo (which books with the clock moved back) does not deliver events
    on the spot; the app relays them when it starts.
    """
    for name, handler in EVENT_HANDLERS:
        outbox.register_handler(name, handler)
    jobs.install_runner(dispatch.run_job if relay_outbox_after_commit else _without_eager_relay)
