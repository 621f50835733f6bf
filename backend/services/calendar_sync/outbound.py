"""Writing appointments to the doctor's Google Calendar: after commit, idempotent, converging.

An appointment event (outbox) of a connected clinic submits `Job.SYNC_CALENDAR`
after the relay's commit; the job (`sync_appointment`) loads the *current*
appointment, so however many jobs run, in whatever order, each writes the
latest state. Google is called with no transaction open; what it answered is
recorded in a short transaction afterwards:

- `calendar_synced_version` is the version the event shows; a job finding it
  at the appointment's version does nothing (replays, older events).
- A job whose write raced another one (the appointment changed, or another
  job recorded meanwhile) cannot know which write Google kept: it records the
  lower version and submits the job again, which rewrites the latest state.
- Retryable failures (5xx, 429, rate-limit 403, no answer) are left pending
  for the caller's retry (Celery backoff) or the sweep; once the retries are
  spent, or for any other 4xx at once, the appointment is marked failed and
  one alert per appointment is raised. `invalid_grant` marks the clinic's
  connection broken (one alert) and stops its syncing until reconnected.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.core.jobs import Job, submit, submit_after_commit
from backend.core.secrets import SecretsUnavailable
from backend.domain.appointment_rules import Status
from backend.integrations.google_calendar.gateway import (
    AlreadyExists,
    CalendarError,
    CalendarGateway,
    ConnectionBroken,
    is_gone,
)
from backend.models import (
    Alert,
    Appointment,
    Client,
    DoctorCalendar,
    GoogleConnection,
    OutboxEvent,
    Pet,
    Service,
    Tenant,
)
from backend.services import events
from backend.services.alerting import alerts
from backend.services.calendar_sync import connections, event_body
from backend.services.outbox import EventHandler

log = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(minutes=15)
"""A retryable failure still failing this long after the appointment's last change is final
(the bound for runners without Celery's retry count: the in-process one and the sweep)."""
REMOVED_STATUSES = frozenset({Status.CANCELLED, Status.NO_SHOW})
ALERT_KIND = "calendar_sync"
APPOINTMENT_EVENTS = frozenset(
    {events.APPOINTMENT_CREATED, events.APPOINTMENT_UPDATED, events.APPOINTMENT_CANCELLED}
)


class SyncOutcome(StrEnum):
    SYNCED = "synced"
    REMOVED = "removed"  # the event was deleted (cancelled, no-show)
    UP_TO_DATE = "up_to_date"
    SKIPPED = "skipped"  # no appointment, clinic not connected, or doctor without a calendar
    RETRY = "retry"  # a retryable failure: try again later
    FAILED = "failed"  # recorded as failed (and alerted)
    BROKEN = "broken"  # Google refused the clinic's token


# ---- outbox handler ---------------------------------------------------------------


def wants(event: OutboxEvent) -> bool:
    return event.type in APPOINTMENT_EVENTS and settings.google_sync_on


def handle_event(session: Session, event: OutboxEvent) -> None:
    """Submits the sync job for after the relay's commit, if the event's calendar is connected.

    The deterministic event id is set now, so the portal can tell "pending"
    (an event id, a version not yet synced) from "not synced at all".
    """
    appointment = session.get(Appointment, event.aggregate_id)
    if appointment is None or _up_to_date(appointment):
        return
    target = connections.target_for(session, appointment.tenant_id, appointment.doctor_id)
    if target is None and appointment.calendar_synced_to is None:
        return
    if appointment.calendar_event_id is None:
        appointment.calendar_event_id = event_body.event_id(appointment.id)
        session.add(appointment)
    submit_after_commit(session, Job.SYNC_CALENDAR, appointment.id)


HANDLER = EventHandler(handle=handle_event, wants=wants)


def _up_to_date(appointment: Appointment) -> bool:
    synced = appointment.calendar_synced_version
    return synced is not None and synced >= appointment.version


# ---- the job ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    appointment_id: uuid.UUID
    tenant_id: uuid.UUID
    version: int
    loaded_synced_at: datetime | None
    target: connections.SyncTarget
    body: dict[str, Any] | None  # None: delete the event
    give_up: bool
    moved_from: str | None = None  # the calendar the event leaves (another doctor's)
    written: bool = False  # the event was written to this calendar before: patch it first

    @property
    def event_id(self) -> str:
        return event_body.event_id(self.appointment_id)


def sync_appointment(appointment_id: uuid.UUID, *, last_attempt: bool = False) -> SyncOutcome:
    """Brings the appointment's Google event to its current state (the job's whole work).

    `last_attempt` tells that no retry follows a retryable failure (Celery's
    last retry): it is then recorded as failed.
    """
    plan = _plan(appointment_id)
    if isinstance(plan, SyncOutcome):
        return plan
    try:
        _write(plan)
    except ConnectionBroken as exc:
        _record_broken(plan, exc)
        return SyncOutcome.BROKEN
    except CalendarError as exc:
        if exc.retryable and not (last_attempt or plan.give_up):
            _record_retry(plan, exc)
            return SyncOutcome.RETRY
        _record_failure(plan, _describe(exc))
        return SyncOutcome.FAILED
    except SecretsUnavailable as exc:
        _record_failure(plan, f"No se pudo abrir la credencial de Google: {exc}")
        return SyncOutcome.FAILED
    _record_success(plan)
    return SyncOutcome.REMOVED if plan.body is None else SyncOutcome.SYNCED


def _plan(appointment_id: uuid.UUID) -> _Plan | SyncOutcome:
    if not settings.google_sync_on:
        return SyncOutcome.SKIPPED
    with session_scope(read_only=True) as session:
        appointment = session.get(Appointment, appointment_id)
        if appointment is None:
            return SyncOutcome.SKIPPED
        if _up_to_date(appointment):
            return SyncOutcome.UP_TO_DATE
        tenant = session.get(Tenant, appointment.tenant_id)
        if tenant is None:
            return SyncOutcome.SKIPPED
        target = connections.target_for(session, appointment.tenant_id, appointment.doctor_id)
        was_in = appointment.calendar_synced_to
        removed = appointment.status in REMOVED_STATUSES
        if target is None or (removed and was_in is not None):
            # the event leaves the calendar it is in (cancelled, or its doctor has none now)
            target = (
                connections.connected_to(session, appointment.tenant_id, was_in) if was_in else None
            )
            removed = True
        if target is None:
            return SyncOutcome.SKIPPED
        body = None
        if not removed:
            body = event_body.build(
                appointment,
                tenant=tenant,
                client=session.get(Client, appointment.client_id),
                pet=session.get(Pet, appointment.pet_id) if appointment.pet_id else None,
                service=session.get(Service, appointment.service_id)
                if appointment.service_id
                else None,
            )
        return _Plan(
            appointment_id=appointment.id,
            tenant_id=appointment.tenant_id,
            version=appointment.version,
            loaded_synced_at=appointment.calendar_synced_at,
            target=target,
            body=body,
            give_up=utcnow() - appointment.updated_at > GIVE_UP_AFTER,
            moved_from=was_in if body is not None and was_in != target.calendar_id else None,
            written=appointment.calendar_synced_version is not None
            and was_in == target.calendar_id,
        )


def _write(plan: _Plan) -> None:
    """Upserts or deletes (404/410 count as done) the event; an event moving to another
    doctor's calendar is deleted from the one it was in."""
    google = plan.target.gateway()
    calendar_id = plan.target.calendar_id
    if plan.body is None:
        try:
            google.delete_event(calendar_id, plan.event_id)
        except CalendarError as exc:
            if not is_gone(exc):
                raise
        return
    _upsert(google, calendar_id, plan.event_id, plan.body, written=plan.written)
    if plan.moved_from is not None:
        try:
            google.delete_event(plan.moved_from, plan.event_id)
        except CalendarError as exc:
            if not is_gone(exc):
                raise


def _upsert(
    google: CalendarGateway,
    calendar_id: str,
    event_id: str,
    body: dict[str, Any],
    *,
    written: bool,
) -> None:
    """One call in the usual case: a patch for an event written before (which also brings
    back one deleted in Google), an insert for a new one; the other one when Google says
    the event is not there (404/410) or already is (409)."""
    patch = {key: value for key, value in body.items() if key != "id"}
    if written:
        try:
            google.patch_event(calendar_id, event_id, patch)
            return
        except CalendarError as exc:
            if not is_gone(exc):
                raise
    try:
        google.insert_event(calendar_id, body)
    except AlreadyExists:
        google.patch_event(calendar_id, event_id, patch)


def _describe(error: CalendarError) -> str:
    if error.status == 0:
        return f"Google no respondió ({error.reason})"
    detail = f": {error.message}" if error.message else ""
    return f"Google respondió {error.status} ({error.reason}){detail}"[:500]


def _locked(session: Session, plan: _Plan) -> Appointment | None:
    return session.get(Appointment, plan.appointment_id, with_for_update=True)


def _record_success(plan: _Plan) -> None:
    with session_scope(write=True) as session:
        appointment = _locked(session, plan)
        if appointment is None:
            return
        raced = (
            appointment.version != plan.version
            or appointment.calendar_synced_at != plan.loaded_synced_at
        )
        shown = plan.version
        if raced and appointment.calendar_synced_version is not None:
            shown = min(shown, appointment.calendar_synced_version)
        appointment.calendar_synced_version = shown
        appointment.calendar_synced_at = utcnow()
        appointment.calendar_sync_ok = True
        appointment.calendar_sync_error = None
        appointment.calendar_event_id = plan.event_id
        appointment.calendar_synced_to = None if plan.body is None else plan.target.calendar_id
        session.add(appointment)
        if raced:  # which write Google kept is unknown: write the latest state once more
            submit_after_commit(session, Job.SYNC_CALENDAR, appointment.id)


def _record_retry(plan: _Plan, error: CalendarError) -> None:
    log.info("calendar sync of %s will be retried: %s", plan.appointment_id, error)
    with session_scope(write=True) as session:
        appointment = _locked(session, plan)
        if appointment is None or appointment.version != plan.version or _up_to_date(appointment):
            return
        appointment.calendar_sync_ok = None
        appointment.calendar_sync_error = _describe(error)
        session.add(appointment)


def _record_failure(plan: _Plan, message: str) -> None:
    log.warning("calendar sync of %s failed: %s", plan.appointment_id, message)
    with session_scope(write=True) as session:
        appointment = _locked(session, plan)
        if appointment is None or appointment.version != plan.version or _up_to_date(appointment):
            return  # a newer version's job owns the outcome
        appointment.calendar_sync_ok = False
        appointment.calendar_sync_error = message[:500]
        appointment.calendar_event_id = plan.event_id
        session.add(appointment)
        _alert_once(session, appointment, message)


def _alert_once(session: Session, appointment: Appointment, message: str) -> None:
    already = session.exec(
        select(Alert.id).where(Alert.kind == ALERT_KIND, Alert.subject_id == appointment.id)
    ).first()
    tenant = session.get(Tenant, appointment.tenant_id)
    if already is not None or tenant is None:
        return
    when = appointment.start_at.astimezone(ZoneInfo(tenant.timezone))
    alerts.raise_alert(
        session,
        tenant=tenant,
        kind=ALERT_KIND,
        subject_id=appointment.id,
        title="Cita sin sincronizar con Google Calendar",
        body=(
            f"La cita del {when:%d/%m/%Y %H:%M} no se pudo sincronizar con Google Calendar "
            f"({message}). La cita sigue vigente en VetAssist; revisen y reintenten desde el portal."
        ),
    )


def _record_broken(plan: _Plan, error: ConnectionBroken) -> None:
    with session_scope(write=True) as session:
        connections.mark_broken(session, plan.target.connection_id, str(error))
        appointment = _locked(session, plan)
        if appointment is None or _up_to_date(appointment):
            return
        appointment.calendar_sync_ok = False
        appointment.calendar_sync_error = (
            "Google rechazó el acceso de la clínica: hay que volver a conectar la cuenta"
        )
        session.add(appointment)


# ---- retry from the portal, and the sweep -----------------------------------------


def retry(*, tenant_id: uuid.UUID, appointment_id: uuid.UUID) -> bool:
    """Puts a failed appointment back to pending and submits its sync (the portal's action).

    False when the clinic or the doctor is not connected (nothing to retry).
    """
    if not settings.google_sync_on:
        return False
    with session_scope(write=True) as session:
        appointment = session.get(Appointment, appointment_id, with_for_update=True)
        if appointment is None or appointment.tenant_id != tenant_id:
            return False
        if connections.target_for(session, tenant_id, appointment.doctor_id) is None:
            return False
        appointment.calendar_sync_ok = None
        appointment.calendar_synced_version = None  # rewrite even what looks synced
        appointment.calendar_event_id = event_body.event_id(appointment.id)
        session.add(appointment)
        submit_after_commit(session, Job.SYNC_CALENDAR, appointment.id)
    return True


RESUBMIT_AFTER = timedelta(minutes=1)
RESUBMIT_HORIZON = timedelta(days=1)
"""Appointments that ended longer ago than this are history: not written to Google."""
RESUBMIT_BATCH = 200


def resubmit_unsynced(now: datetime | None = None, *, limit: int = RESUBMIT_BATCH) -> int:
    """Submits again the sync of appointments whose hand-over was lost (the sweep's pass).

    Picks, in connected clinics and for doctors with a calendar, appointments
    whose latest version is not on Google, unchanged for `RESUBMIT_AFTER`, not
    marked failed (a failure waits for a change, a retry or a reconnection).
    """
    if not settings.google_sync_on:
        return 0
    now = now or utcnow()
    with session_scope(read_only=True) as session:
        ids = session.exec(
            select(Appointment.id)
            .join(DoctorCalendar, col(DoctorCalendar.doctor_id) == col(Appointment.doctor_id))
            .join(
                GoogleConnection,
                col(GoogleConnection.tenant_id) == col(Appointment.tenant_id),
            )
            .where(
                GoogleConnection.status == connections.CONNECTED,
                or_(
                    col(Appointment.calendar_synced_version).is_(None),
                    col(Appointment.calendar_synced_version) < col(Appointment.version),
                ),
                or_(
                    col(Appointment.calendar_sync_ok).is_(None),
                    col(Appointment.calendar_sync_ok).is_(True),
                ),
                col(Appointment.updated_at) <= now - RESUBMIT_AFTER,
                col(Appointment.end_at) >= now - RESUBMIT_HORIZON,
            )
            .order_by(col(Appointment.updated_at))
            .limit(limit)
        ).all()
    for appointment_id in ids:
        submit(Job.SYNC_CALENDAR, appointment_id)
    return len(ids)
