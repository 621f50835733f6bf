"""Our own events changed in Google Calendar: applied through booking, or left for a person.

The poll (`inbound.poll_doctor_calendar`) hands over each of VetAssist's
events it read back, after its own transaction committed; `reconcile` takes
them one at a time. The rules:

- Only an event whose private `clinicId` is the polled calendar's clinic, whose
  id is the one we gave the appointment, whose appointment is live (pending or
  confirmed) and whose appointment's event is in this calendar
  (`calendar_synced_to`). Anything else is not ours to act on.
- Echo guard: the event's private `version` must be the appointment's
  `calendar_synced_version`, and so must the appointment's `version` (no
  local change waiting to be written). If a local change waits, local wins:
  the outbound job overwrites Google. Then an event at the appointment's own
  start and end is our write coming back: nothing happens (no echo loops).
- Moved in Google: applied with `booking.edit` (actor `actors.GOOGLE`, the
  version read, the client told on WhatsApp as for any move). Booking decides
  validity (past, outside hours, closure, taken, busy time); when it refuses,
  the appointment is marked "needs review" with a Spanish reason naming why
  and Google's proposed time, and the event stays where the doctor put it
  until a person decides. A successful move bumps the version, so the
  outbound job patches the event with it (same time), which comes back equal.
  Applying clears any earlier review.
- Deleted (cancelled) in Google while the appointment is live: never
  cancelled here (a Google error or a stray delete must not cancel an
  appointment); marked "needs review" — "Eliminada en Google Calendar".
- An event already under review for the same proposal changes nothing and
  raises no second alert. A review raises one alert per appointment (kind
  `calendar_review`) through the alert service.

Staff settle a review with `keep_ours` (our time is written over Google's, a
deleted event is recreated: Google answers an insert of a deleted id with 409
and the patch that follows restores it) or `use_google_time` (booking with
the proposal as the staff member). Moving or ending the appointment also
clears it (`booking`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.jobs import Job, submit_after_commit
from backend.domain import spanish_dates
from backend.domain.appointment_rules import Status
from backend.domain.errors import DomainError, NotFound, SlotTaken, StaleVersion
from backend.models import Alert, Appointment, Tenant
from backend.services.actors import GOOGLE, Actor
from backend.services.alerting import alerts
from backend.services.calendar_sync import connections, event_body
from backend.services.scheduling import booking

log = logging.getLogger(__name__)

ALERT_KIND = "calendar_review"
LIVE_STATUSES = frozenset({Status.PENDING, Status.CONFIRMED})
DELETED_REASON = "Eliminada en Google Calendar"
NO_TIME_REASON = "Cambiada en Google Calendar a un evento sin hora"

REFUSALS = {
    "in_past": "ese horario ya pasó",
    "outside_working_hours": "está fuera del horario de trabajo del médico",
    "inside_min_notice": "no cumple la anticipación mínima",
    "beyond_horizon": "está más allá de lo que se puede agendar",
    "blocked": "el médico no está disponible a esa hora (ausencia o bloqueo)",
    "clinic_closed": "la clínica está cerrada ese día",
    "doctor_busy": "el médico tiene ese horario ocupado en su Google Calendar",
}
"""Why booking refused Google's time, by error code, as the review reason ends."""
TAKEN = "ese horario ya está ocupado"


class ChangeOutcome(StrEnum):
    APPLIED = "applied"  # the move was booked
    FLAGGED = "flagged"  # marked "needs review"
    UNCHANGED = "unchanged"  # our own write coming back, or the same proposal again
    SKIPPED = "skipped"  # not ours to act on, or a local change waits to be written


class GoogleTimeRefused(DomainError):
    """Google's proposed time cannot be booked (the message says why, in Spanish)."""


@dataclass(frozen=True)
class _Seen:
    """What Google shows for the appointment's event: deleted, or a time (None: no time)."""

    deleted: bool
    start: datetime | None = None
    end: datetime | None = None


def appointment_of(item: dict[str, Any]) -> uuid.UUID | None:
    """The appointment an event read back belongs to, if it looks like one of ours.

    Google may send a deleted event with its id and status only, so a
    cancelled event is recognised by its id (the appointment UUID's hex) too.
    """
    private = (item.get("extendedProperties") or {}).get("private") or {}
    raw = private.get("appointmentId")
    if raw is None and item.get("status") == "cancelled":
        raw = item.get("id")
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def reconcile(*, tenant_id: uuid.UUID, calendar_id: str, item: dict[str, Any]) -> ChangeOutcome:
    """Applies or flags one of our events as Google shows it (the rules are the module's)."""
    appointment_id = appointment_of(item)
    if appointment_id is None:
        return ChangeOutcome.SKIPPED
    private = (item.get("extendedProperties") or {}).get("private") or {}
    if private.get("clinicId") not in (None, str(tenant_id)):
        return ChangeOutcome.SKIPPED
    seen = _seen(item)
    with session_scope(read_only=True) as session:
        appointment = session.get(Appointment, appointment_id)
        if appointment is None or not _ours_here(appointment, tenant_id, calendar_id, item):
            return ChangeOutcome.SKIPPED
        if not _settled(appointment, private.get("version")):
            return ChangeOutcome.SKIPPED  # a local change waits: the outbound job overwrites Google
        version = appointment.version
        at_our_time = (
            not seen.deleted
            and seen.start == appointment.start_at
            and seen.end == appointment.end_at
        )
        under_review = appointment.calendar_review_reason is not None
        fixed_reason = _fixed_reason(seen)
        same_proposal = (
            under_review
            and appointment.calendar_review_start == seen.start
            and appointment.calendar_review_end == seen.end
            and fixed_reason in (None, appointment.calendar_review_reason)
        )
        timezone = _timezone(session, tenant_id)
    if at_our_time:
        if under_review:
            _clear_review(appointment_id, version)
        return ChangeOutcome.UNCHANGED
    if same_proposal:
        return ChangeOutcome.UNCHANGED
    if fixed_reason is not None or seen.start is None:
        return _flag(appointment_id, version, fixed_reason or NO_TIME_REASON, seen)
    try:
        booking.edit(
            tenant_id=tenant_id,
            actor=GOOGLE,
            appointment_id=appointment_id,
            change=booking.AppointmentChange(start_at=seen.start, end_at=seen.end),
            expected_version=version,
        )
    except StaleVersion:
        return ChangeOutcome.SKIPPED  # changed meanwhile: local wins
    except DomainError as exc:
        reason = f"Movida en Google Calendar al {_when(seen.start, timezone)}, pero {_why(exc)}"
        return _flag(appointment_id, version, reason, seen)
    log.info("appointment %s moved in Google Calendar: applied", appointment_id)
    return ChangeOutcome.APPLIED


def _seen(item: dict[str, Any]) -> _Seen:
    if item.get("status") == "cancelled":
        return _Seen(deleted=True)
    start = (item.get("start") or {}).get("dateTime")
    end = (item.get("end") or {}).get("dateTime")
    if not start or not end:
        return _Seen(deleted=False)
    return _Seen(deleted=False, start=_utc(start), end=_utc(end))


def _fixed_reason(seen: _Seen) -> str | None:
    """The review reason of an event with no time to apply (deleted, or made all-day)."""
    if seen.deleted:
        return DELETED_REASON
    if seen.start is None or seen.end is None:
        return NO_TIME_REASON
    return None


def _utc(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _ours_here(
    appointment: Appointment, tenant_id: uuid.UUID, calendar_id: str, item: dict[str, Any]
) -> bool:
    return (
        appointment.tenant_id == tenant_id
        and appointment.status in LIVE_STATUSES
        and appointment.calendar_synced_to == calendar_id
        and item.get("id") == event_body.event_id(appointment.id)
    )


def _settled(appointment: Appointment, event_version: str | None) -> bool:
    """Google shows the appointment's current version (a deleted event may carry none)."""
    synced = appointment.calendar_synced_version
    if synced is None or appointment.version != synced:
        return False
    return event_version is None or event_version == str(synced)


def _timezone(session: Session, tenant_id: uuid.UUID) -> str:
    tenant = session.get(Tenant, tenant_id)
    return tenant.timezone if tenant is not None else "UTC"


def _when(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{spanish_dates.long_date(local.date())} {spanish_dates.clock_time(local)}"


def _why(exc: DomainError) -> str:
    if exc.code in REFUSALS:
        return REFUSALS[exc.code]
    if isinstance(exc, SlotTaken):
        return TAKEN
    return f"no se pudo aplicar ({exc.message})"


def _flag(appointment_id: uuid.UUID, version: int, reason: str, seen: _Seen) -> ChangeOutcome:
    """Marks the appointment "needs review" (unless it changed meanwhile) and alerts once."""
    with session_scope(write=True) as session:
        appointment = session.get(Appointment, appointment_id, with_for_update=True)
        if appointment is None or appointment.version != version:
            return ChangeOutcome.SKIPPED
        appointment.calendar_review_reason = reason[:300]
        appointment.calendar_review_at = utcnow()
        appointment.calendar_review_start = seen.start
        appointment.calendar_review_end = seen.end
        session.add(appointment)
        _alert_once(session, appointment, reason)
    log.info("appointment %s changed in Google Calendar needs review: %s", appointment_id, reason)
    return ChangeOutcome.FLAGGED


def _clear_review(appointment_id: uuid.UUID, version: int) -> None:
    """The event is back at our time: an earlier review has nothing left to decide."""
    with session_scope(write=True) as session:
        appointment = session.get(Appointment, appointment_id, with_for_update=True)
        if (
            appointment is None
            or appointment.version != version
            or appointment.calendar_review_reason is None
        ):
            return
        _unmark(appointment)
        session.add(appointment)


def _unmark(appointment: Appointment) -> None:
    appointment.calendar_review_reason = None
    appointment.calendar_review_at = None
    appointment.calendar_review_start = None
    appointment.calendar_review_end = None


def _alert_once(session: Session, appointment: Appointment, reason: str) -> None:
    already = session.exec(
        select(Alert.id).where(Alert.kind == ALERT_KIND, Alert.subject_id == appointment.id)
    ).first()
    tenant = session.get(Tenant, appointment.tenant_id)
    if already is not None or tenant is None:
        return
    alerts.raise_alert(
        session,
        tenant=tenant,
        kind=ALERT_KIND,
        subject_id=appointment.id,
        title="Cita cambiada en Google Calendar: hay que revisarla",
        body=(
            f"La cita del {_when(appointment.start_at, tenant.timezone)} se cambió en Google "
            f"Calendar y VetAssist no la aplicó: {reason}. La cita sigue igual en VetAssist; "
            "decidan en el portal si usar la hora de Google o mantener la de VetAssist."
        ),
    )


# ---- staff decisions ------------------------------------------------------------------


def keep_ours(*, tenant_id: uuid.UUID, appointment_id: uuid.UUID, actor: Actor) -> bool:
    """Settles the review keeping VetAssist's time: our state is written over Google's.

    The appointment is marked pending and its sync submitted after commit (as
    `outbound.retry`), so a moved event goes back and a deleted one is
    recreated. False when there was no review to settle.
    """
    with session_scope(write=True) as session:
        appointment = session.get(Appointment, appointment_id, with_for_update=True)
        if (
            appointment is None
            or appointment.tenant_id != tenant_id
            or appointment.calendar_review_reason is None
        ):
            return False
        _unmark(appointment)
        if connections.target_for(session, tenant_id, appointment.doctor_id) is not None:
            appointment.calendar_sync_ok = None
            appointment.calendar_synced_version = None  # rewrite even what looks synced
            appointment.calendar_event_id = event_body.event_id(appointment.id)
            submit_after_commit(session, Job.SYNC_CALENDAR, appointment.id)
        session.add(appointment)
    log.info("%s kept VetAssist's time of appointment %s", actor.display, appointment_id)
    return True


def use_google_time(
    *, tenant_id: uuid.UUID, appointment_id: uuid.UUID, actor: Actor
) -> Appointment:
    """Settles the review moving the appointment to Google's proposed time, as `actor`
    (the client is told on WhatsApp); booking clears the review.

    Raises:
        GoogleTimeRefused: no proposal (the event was deleted), or booking refuses it;
            the review stays.
    """
    with session_scope(read_only=True) as session:
        appointment = session.get(Appointment, appointment_id)
        if appointment is None or appointment.tenant_id != tenant_id:
            raise NotFound("appointment not found")
        start, end = appointment.calendar_review_start, appointment.calendar_review_end
        version = appointment.version
        timezone = _timezone(session, tenant_id)
    if start is None or end is None:
        raise GoogleTimeRefused(
            "Google no propone otra hora (el evento se eliminó o no tiene hora): "
            "mantenga la hora de VetAssist o reprograme la cita.",
            code="no_google_time",
        )
    try:
        return booking.edit(
            tenant_id=tenant_id,
            actor=actor,
            appointment_id=appointment_id,
            change=booking.AppointmentChange(start_at=start, end_at=end),
            expected_version=version,
        )
    except StaleVersion:
        raise  # changed meanwhile: the portal reloads
    except DomainError as exc:
        raise GoogleTimeRefused(
            f"No se pudo usar la hora de Google ({_when(start, timezone)}): {_why(exc)}.",
            code="google_time_refused",
        ) from exc
