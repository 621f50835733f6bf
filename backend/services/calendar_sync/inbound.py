"""Reading a doctor's Google Calendar back: their own events become busy time (the poll).

`poll_doctor_calendar` asks Google for what changed since the stored sync
token, following every page with no transaction open; only when the last page
has arrived are the changes applied and the new token saved, in one short
transaction, so a failure partway records nothing and the next poll reads the
same changes again. A token Google no longer accepts (410), and every
`RESYNC_EVERY`, a full read from yesterday on replaces the doctor's busy
blocks; occurrences more than `STORE_AHEAD` away are not stored.

Only the doctor's own events become busy blocks: timed ones block [start,
end), all-day ones the clinic's local days (end date exclusive), transparent
("free") ones nothing. Events carrying our `appointmentId` are VetAssist's own
appointments, already counted by availability: they make no busy block; after
the poll's transaction committed each goes to `google_changes.reconcile`
(a move or deletion made in Google applied or flagged for review), one at a
time, so a failing one loses neither the token, the busy blocks nor the
others (the weekly full read sees it again). Recurring events arrive expanded
(`singleEvents`), one block per occurrence.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.core.secrets import SecretsUnavailable
from backend.domain.intervals import Interval
from backend.integrations.google_calendar.gateway import (
    CalendarError,
    CalendarGateway,
    ConnectionBroken,
    SyncTokenExpired,
)
from backend.models import CalendarBusyBlock, DoctorCalendar, GoogleConnection, Tenant
from backend.services.calendar_sync import connections, google_changes, push

log = logging.getLogger(__name__)

RESYNC_FROM = timedelta(days=1)
"""A full read starts this long before now; older events no longer affect bookings."""
STORE_AHEAD = timedelta(days=400)
"""Occurrences starting later than this are not stored (longer than any booking horizon):
an endless daily event would otherwise fill the table."""
RESYNC_EVERY = timedelta(days=7)
"""How often the whole calendar is read again, so occurrences of a recurring event that
come within `STORE_AHEAD` are stored (an incremental read only sends changes)."""
POLL_BATCH = 50
"""Calendars one sweep pass polls at most (the least recently polled first)."""


class PollOutcome(StrEnum):
    UPDATED = "updated"  # changes read and applied, new token saved
    RESYNCED = "resynced"  # the token had expired: busy blocks replaced by a full read
    SKIPPED = "skipped"  # no such calendar, or its clinic is not connected
    RETRY = "retry"  # Google failed: nothing recorded, the next pass reads again
    BROKEN = "broken"  # Google refused the clinic's token


@dataclass(frozen=True)
class _Reading:
    doctor_calendar_id: uuid.UUID
    tenant_id: uuid.UUID
    doctor_id: uuid.UUID
    timezone: str
    sync_token: str | None
    resynced_at: datetime | None
    target: connections.SyncTarget


def poll_doctor_calendar(doctor_calendar_id: uuid.UUID) -> PollOutcome:
    """Reads the doctor's calendar changes and updates their busy blocks (one poll)."""
    reading = _reading(doctor_calendar_id)
    if reading is None:
        return PollOutcome.SKIPPED
    now = utcnow()
    full = (
        reading.sync_token is None
        or reading.resynced_at is None
        or reading.resynced_at <= now - RESYNC_EVERY
    )
    try:
        google = reading.target.gateway()
        try:
            items, token = _read_all(
                google, reading, sync_token=None if full else reading.sync_token, now=now
            )
        except SyncTokenExpired:
            log.info("sync token of calendar %s expired: full read", doctor_calendar_id)
            full = True
            items, token = _read_all(google, reading, sync_token=None, now=now)
    except ConnectionBroken as exc:
        with session_scope(write=True) as session:
            connections.mark_broken(session, reading.target.connection_id, str(exc))
        return PollOutcome.BROKEN
    except (CalendarError, SecretsUnavailable) as exc:
        log.warning(
            "polling calendar %s failed, next pass reads again: %s", doctor_calendar_id, exc
        )
        return PollOutcome.RETRY
    ours = _apply(reading, items, token, full=full, now=now)
    _reconcile_ours(reading, ours)
    return PollOutcome.RESYNCED if full and reading.sync_token else PollOutcome.UPDATED


def _reading(doctor_calendar_id: uuid.UUID) -> _Reading | None:
    with session_scope(read_only=True) as session:
        calendar = session.get(DoctorCalendar, doctor_calendar_id)
        if calendar is None:
            return None
        tenant = session.get(Tenant, calendar.tenant_id)
        target = connections.target_for(session, calendar.tenant_id, calendar.doctor_id)
        if tenant is None or target is None:
            return None
        return _Reading(
            doctor_calendar_id=calendar.id,
            tenant_id=calendar.tenant_id,
            doctor_id=calendar.doctor_id,
            timezone=tenant.timezone,
            sync_token=calendar.sync_token,
            resynced_at=calendar.busy_resynced_at,
            target=target,
        )


def _read_all(
    google: CalendarGateway, reading: _Reading, *, sync_token: str | None, now: datetime
) -> tuple[list[dict[str, Any]], str | None]:
    """Every page of changes (a full read from `RESYNC_FROM` ago without a token)."""
    time_min = None if sync_token else (now - RESYNC_FROM).isoformat().replace("+00:00", "Z")
    items: list[dict[str, Any]] = []
    page_token: str | None = None
    while True:
        page = google.list_events(
            reading.target.calendar_id,
            sync_token=sync_token,
            page_token=page_token,
            time_min=time_min,
            show_deleted=True,
            single_events=True,
        )
        items.extend(page.items)
        if not page.next_page_token:
            return items, page.next_sync_token
        page_token = page.next_page_token


def _apply(
    reading: _Reading,
    items: list[dict[str, Any]],
    token: str | None,
    *,
    full: bool,
    now: datetime,
) -> list[dict[str, Any]]:
    """Applies the changes and saves the token together; skipped if another poll got there first.

    Returns our own events among the changes (none when skipped), for `_reconcile_ours`.
    """
    zone = ZoneInfo(reading.timezone)
    ours: list[dict[str, Any]] = []
    with session_scope(write=True) as session:
        # shared lock: a disconnect (which deletes the clinic's blocks) waits for this
        # transaction, or this one sees the clinic disconnected and writes nothing back
        connection = session.get(
            GoogleConnection, reading.target.connection_id, with_for_update={"read": True}
        )
        calendar = session.get(DoctorCalendar, reading.doctor_calendar_id, with_for_update=True)
        if (
            connection is None
            or connection.status != connections.CONNECTED
            or calendar is None
            or calendar.sync_token != reading.sync_token
            or calendar.calendar_id != reading.target.calendar_id
        ):
            return []
        if full:
            session.exec(  # type: ignore[call-overload]
                delete(CalendarBusyBlock).where(
                    col(CalendarBusyBlock.doctor_id) == reading.doctor_id
                )
            )
        for item in items:
            if google_changes.appointment_of(item) is not None:
                ours.append(item)  # a deleted one may be recognised by its id only
            if is_ours(item):
                continue
            _replace_event(session, reading, item, busy_intervals(item, zone, now=now), now=now)
        calendar.sync_token = token
        calendar.busy_polled_at = now
        if full:
            calendar.busy_resynced_at = now
        session.add(calendar)
    return ours


def _reconcile_ours(reading: _Reading, ours: list[dict[str, Any]]) -> None:
    """Our events as Google shows them, each on its own: one failing is logged, not fatal."""
    for item in ours:
        try:
            google_changes.reconcile(
                tenant_id=reading.tenant_id, calendar_id=reading.target.calendar_id, item=item
            )
        except Exception:
            log.exception(
                "reconciling event %s of calendar %s failed; the next full read retries",
                item.get("id"),
                reading.doctor_calendar_id,
            )


def _replace_event(
    session: Session,
    reading: _Reading,
    item: dict[str, Any],
    intervals: list[tuple[Interval, bool]],
    *,
    now: datetime,
) -> None:
    event_id = str(item.get("id", ""))[:1024]
    session.exec(  # type: ignore[call-overload]
        delete(CalendarBusyBlock).where(
            col(CalendarBusyBlock.doctor_id) == reading.doctor_id,
            col(CalendarBusyBlock.google_event_id) == event_id,
        )
    )
    for interval, all_day in intervals:
        session.add(
            CalendarBusyBlock(
                tenant_id=reading.tenant_id,
                doctor_id=reading.doctor_id,
                google_event_id=event_id,
                start_at=interval.start,
                end_at=interval.end,
                all_day=all_day,
                updated_at=now,
            )
        )
    session.flush()


def is_ours(item: dict[str, Any]) -> bool:
    """An event VetAssist wrote for an appointment (it carries our appointment id)."""
    private = (item.get("extendedProperties") or {}).get("private") or {}
    return bool(private.get("appointmentId"))


def busy_intervals(
    item: dict[str, Any], zone: ZoneInfo, *, now: datetime
) -> list[tuple[Interval, bool]]:
    """The UTC interval the event keeps busy (with whether it is all-day), or none.

    Cancelled and transparent events, those over before `RESYNC_FROM` ago and those
    starting after `STORE_AHEAD` from now block nothing.
    """
    if item.get("status") == "cancelled" or item.get("transparency") == "transparent":
        return []
    start, end = item.get("start") or {}, item.get("end") or {}
    all_day = "date" in start and "dateTime" not in start
    if all_day:
        begin = _local_midnight(date.fromisoformat(start["date"]), zone)
        finish = _local_midnight(date.fromisoformat(end.get("date", start["date"])), zone)
    elif "dateTime" in start and "dateTime" in end:
        begin, finish = _utc(start["dateTime"]), _utc(end["dateTime"])
    else:
        return []
    if finish <= begin or finish <= now - RESYNC_FROM or begin >= now + STORE_AHEAD:
        return []
    return [(Interval(begin, finish), all_day)]


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def _utc(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def poll_connected_calendars(*, limit: int = POLL_BATCH) -> int:
    """Polls up to `limit` calendars of connected clinics, least recently polled first
    (the sweep's pass); returns how many were polled. Calendars push keeps fresh are
    polled only as a safety net (`push.due_for_poll`)."""
    if not settings.google_sync_on:
        return 0
    with session_scope(read_only=True) as session:
        ids = session.exec(
            select(DoctorCalendar.id)
            .join(
                GoogleConnection,
                col(GoogleConnection.tenant_id) == col(DoctorCalendar.tenant_id),
            )
            .where(GoogleConnection.status == connections.CONNECTED, push.due_for_poll(utcnow()))
            .order_by(
                func.coalesce(col(DoctorCalendar.busy_polled_at), datetime(1970, 1, 1, tzinfo=UTC)),
                col(DoctorCalendar.id),
            )
            .limit(limit)
        ).all()
    for calendar_id in ids:
        outcome = poll_doctor_calendar(calendar_id)
        if outcome in (PollOutcome.RETRY, PollOutcome.BROKEN):
            _mark_polled(calendar_id)
    return len(ids)


def _mark_polled(doctor_calendar_id: uuid.UUID) -> None:
    """A failed poll still counts as a turn, so one failing calendar does not starve the rest."""
    with session_scope(write=True) as session:
        calendar = session.get(DoctorCalendar, doctor_calendar_id, with_for_update=True)
        if calendar is not None:
            calendar.busy_polled_at = utcnow()
            session.add(calendar)
