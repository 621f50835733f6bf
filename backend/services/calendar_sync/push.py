"""Google tells us when a doctor's calendar changes (push), so busy time is read at once.

Each doctor calendar of a connected clinic gets an `events.watch` channel
posting to GOOGLE_PUSH_URL (only when it is set: Google needs a public https
address; without it the poll sweep reads every calendar each pass, as in
development). A notification carries no change, only "something changed":
`receive_notification` checks the channel's token, ignores the first
("sync") message and repeated or late message numbers, and submits a poll of
that calendar after its commit (`inbound.poll_doctor_calendar`, whose
compare-and-set makes extra polls harmless).

Channels expire (Google allows about a week): `renew_channels`, a beat sweep,
opens one where there is none and replaces those expiring within
`RENEW_BEFORE` or watching a calendar the doctor no longer uses. A
replacement is saved before the old channel is stopped, so no change falls
between them. Notifications can be lost, so calendars with a live channel
are still polled every `SAFETY_POLL_EVERY` (see `inbound.poll_connected_calendars`).
"""

from __future__ import annotations

import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, func, or_, true
from sqlmodel import col, select

from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.core.jobs import Job, submit_after_commit
from backend.core.secrets import SecretsUnavailable
from backend.integrations.google_calendar.gateway import (
    CalendarError,
    CalendarGateway,
    ConnectionBroken,
)
from backend.models import DoctorCalendar, GoogleConnection
from backend.services.calendar_sync import connections

log = logging.getLogger(__name__)

CHANNEL_TTL = timedelta(days=7)
"""How long a channel is asked to live (Google's maximum for calendar events)."""
RENEW_BEFORE = timedelta(days=1)
"""A channel expiring within this is replaced by the renewal sweep."""
RENEW_BATCH = 50
"""Channels one renewal pass opens at most (those expiring first)."""
SAFETY_POLL_EVERY = timedelta(minutes=30)
"""A calendar with a live channel is still polled this often: notifications can be lost."""


class ChannelOutcome(StrEnum):
    OPENED = "opened"  # a new channel is saved (an older one, if any, stopped)
    SKIPPED = "skipped"  # push is off, no such calendar, or its clinic is not connected
    RETRY = "retry"  # Google failed: nothing saved, the next pass tries again
    BROKEN = "broken"  # Google refused the clinic's token


class NotificationOutcome(StrEnum):
    ACCEPTED = "accepted"  # a poll of the calendar was submitted
    IGNORED = "ignored"  # the channel's first ("sync") message, or a number already seen
    UNKNOWN_CHANNEL = "unknown_channel"  # no calendar has this channel (stopped or never ours)
    REFUSED = "refused"  # the token or the resource does not match the channel


@dataclass(frozen=True)
class _Watching:
    doctor_calendar_id: uuid.UUID
    calendar_id: str
    old_channel_id: str | None
    old_resource_id: str | None
    target: connections.SyncTarget


def open_channel(doctor_calendar_id: uuid.UUID) -> ChannelOutcome:
    """Opens a push channel on the doctor's calendar, replacing (then stopping) any older one."""
    if not settings.google_push_on or not settings.GOOGLE_PUSH_URL:
        return ChannelOutcome.SKIPPED
    watching = _watching(doctor_calendar_id)
    if watching is None:
        return ChannelOutcome.SKIPPED
    channel_id, token = str(uuid.uuid4()), secrets.token_urlsafe(32)
    try:
        google = watching.target.gateway()
        channel = google.watch(
            watching.calendar_id,
            channel_id=channel_id,
            address=settings.GOOGLE_PUSH_URL,
            token=token,
            ttl_s=int(CHANNEL_TTL.total_seconds()),
        )
    except ConnectionBroken as exc:
        with session_scope(write=True) as session:
            connections.mark_broken(session, watching.target.connection_id, str(exc))
        return ChannelOutcome.BROKEN
    except (CalendarError, SecretsUnavailable) as exc:
        log.warning("opening a channel on calendar %s failed: %s", doctor_calendar_id, exc)
        return ChannelOutcome.RETRY
    expires_at = (
        datetime.fromtimestamp(channel.expiration_ms / 1000, UTC)
        if channel.expiration_ms
        else utcnow() + CHANNEL_TTL
    )
    with session_scope(write=True) as session:
        row = session.get(DoctorCalendar, doctor_calendar_id, with_for_update=True)
        saved = (
            row is not None
            and row.calendar_id == watching.calendar_id
            and row.channel_id == watching.old_channel_id
        )
        if row is not None and saved:
            row.channel_id = channel.id
            row.channel_resource_id = channel.resource_id
            row.channel_token = token
            row.channel_expires_at = expires_at
            row.channel_calendar_id = watching.calendar_id
            row.channel_message_number = None
            session.add(row)
    if not saved:  # another renewal (or a calendar change) got there first: ours is not needed
        _stop(google, channel.id, channel.resource_id)
        return ChannelOutcome.SKIPPED
    if watching.old_channel_id and watching.old_resource_id:
        _stop(google, watching.old_channel_id, watching.old_resource_id)
    return ChannelOutcome.OPENED


def _watching(doctor_calendar_id: uuid.UUID) -> _Watching | None:
    with session_scope(read_only=True) as session:
        row = session.get(DoctorCalendar, doctor_calendar_id)
        if row is None:
            return None
        target = connections.target_for(session, row.tenant_id, row.doctor_id)
        if target is None:
            return None
        return _Watching(
            doctor_calendar_id=row.id,
            calendar_id=row.calendar_id,
            old_channel_id=row.channel_id,
            old_resource_id=row.channel_resource_id,
            target=target,
        )


def _stop(google: CalendarGateway, channel_id: str, resource_id: str) -> None:
    """Best-effort: a channel left open expires by itself, and its notifications are refused."""
    try:
        google.stop_channel(channel_id, resource_id)
    except CalendarError as exc:
        log.info("stopping channel %s failed (it expires by itself): %s", channel_id, exc)


def renew_channels(*, limit: int = RENEW_BATCH) -> int:
    """Opens channels where missing, expiring or watching an old calendar (the sweep's pass).

    Returns how many calendars were tried; a failure is logged and tried again next pass.
    """
    if not settings.google_push_on:
        return 0
    due = utcnow() + RENEW_BEFORE
    with session_scope(read_only=True) as session:
        ids = session.exec(
            select(DoctorCalendar.id)
            .join(
                GoogleConnection,
                col(GoogleConnection.tenant_id) == col(DoctorCalendar.tenant_id),
            )
            .where(
                GoogleConnection.status == connections.CONNECTED,
                or_(
                    col(DoctorCalendar.channel_id).is_(None),
                    col(DoctorCalendar.channel_expires_at).is_(None),
                    col(DoctorCalendar.channel_expires_at) <= due,
                    col(DoctorCalendar.channel_calendar_id).is_(None),
                    col(DoctorCalendar.channel_calendar_id) != col(DoctorCalendar.calendar_id),
                ),
            )
            .order_by(
                func.coalesce(
                    col(DoctorCalendar.channel_expires_at), datetime(1970, 1, 1, tzinfo=UTC)
                ),
                col(DoctorCalendar.id),
            )
            .limit(limit)
        ).all()
    for calendar_id in ids:
        outcome = open_channel(calendar_id)
        if outcome is not ChannelOutcome.OPENED:
            log.info("channel of calendar %s not renewed: %s", calendar_id, outcome)
    return len(ids)


def stop_channels_for_tenant(tenant_id: uuid.UUID) -> int:
    """Stops the clinic's channels (best-effort) and forgets them; returns how many it had.

    Call it outside a transaction and before the clinic's token is revoked
    (stopping needs it); the fields are cleared even when Google refuses.
    """
    with session_scope(read_only=True) as session:
        connection = session.exec(
            select(GoogleConnection).where(GoogleConnection.tenant_id == tenant_id)
        ).first()
        channels = [
            (row.channel_id, row.channel_resource_id)
            for row in session.exec(
                select(DoctorCalendar).where(
                    DoctorCalendar.tenant_id == tenant_id,
                    col(DoctorCalendar.channel_id).is_not(None),
                )
            ).all()
        ]
    if not channels:
        return 0
    if connection is not None:
        try:
            google = connections.SyncTarget(
                connection.id, "", connection.refresh_token_encrypted
            ).gateway()
        except SecretsUnavailable as exc:
            log.warning("channels of clinic %s not stopped: %s", tenant_id, exc)
        else:
            for channel_id, resource_id in channels:
                if channel_id and resource_id:
                    _stop(google, channel_id, resource_id)
    with session_scope(write=True) as session:
        for row in session.exec(
            select(DoctorCalendar)
            .where(
                DoctorCalendar.tenant_id == tenant_id,
                col(DoctorCalendar.channel_id).in_([c for c, _ in channels]),
            )
            .with_for_update()
        ).all():
            row.channel_id = row.channel_resource_id = row.channel_token = None
            row.channel_expires_at = row.channel_calendar_id = None
            row.channel_message_number = None
            session.add(row)
    return len(channels)


def receive_notification(
    *,
    channel_id: str,
    token: str,
    resource_id: str,
    resource_state: str,
    message_number: int,
) -> NotificationOutcome:
    """Checks one of Google's notifications and submits a poll of its calendar (after commit)."""
    with session_scope(write=True) as session:
        row = session.exec(
            select(DoctorCalendar).where(DoctorCalendar.channel_id == channel_id).with_for_update()
        ).first()
        if row is None:
            return NotificationOutcome.UNKNOWN_CHANNEL
        if not row.channel_token or not hmac.compare_digest(
            row.channel_token.encode(), token.encode()
        ):
            return NotificationOutcome.REFUSED
        if row.channel_resource_id != resource_id:
            return NotificationOutcome.REFUSED
        if resource_state == "sync":
            return NotificationOutcome.IGNORED
        if row.channel_message_number is not None and message_number <= row.channel_message_number:
            return NotificationOutcome.IGNORED
        row.channel_message_number = message_number
        row.push_notified_at = utcnow()
        session.add(row)
        submit_after_commit(session, Job.POLL_CALENDAR, row.id)
        return NotificationOutcome.ACCEPTED


def due_for_poll(now: datetime) -> ColumnElement[bool]:
    """SQL condition for the poll sweep: every pass without push, else only as a safety net.

    A calendar whose live channel watches it was read by a notification's poll
    recently enough; it is polled again `SAFETY_POLL_EVERY` after the last read.
    """
    if not settings.google_push_on:
        return true()
    return or_(
        col(DoctorCalendar.channel_id).is_(None),
        col(DoctorCalendar.channel_expires_at).is_(None),
        col(DoctorCalendar.channel_expires_at) <= now,
        col(DoctorCalendar.channel_calendar_id).is_(None),
        col(DoctorCalendar.channel_calendar_id) != col(DoctorCalendar.calendar_id),
        col(DoctorCalendar.busy_polled_at).is_(None),
        col(DoctorCalendar.busy_polled_at) <= now - SAFETY_POLL_EVERY,
    )
