"""Counts for the manager's dashboard: appointments, WhatsApp activity, emergencies.

Aggregates in the database (GROUP BY), one clinic and one time window at a
time, so the cost does not depend on how much history the clinic has.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from backend.core.db import session_scope
from backend.models import Appointment, Conversation, EmergencyEvent, FollowUp, Message


@dataclass(frozen=True)
class ClinicStats:
    appointments_by_status: dict[str, int]
    appointments_by_source: dict[str, int]
    appointments_by_day: dict[str, int]  # local ISO date → live appointments starting that day
    messages_in: int
    messages_out_assistant: int
    messages_out_staff: int
    conversations_started: int
    conversations_taken_over: int
    emergencies_by_status: dict[str, int]
    minutes_to_acknowledge: float | None
    follow_ups_by_status: dict[str, int]
    no_show_rate: float | None = None  # no-shows / (completed + no-shows); None without either


def no_show_rate(by_status: dict[str, int]) -> float | None:
    """The share of visits that were due and missed: cancelled and still open
    appointments have no outcome, so they count on neither side."""
    missed = by_status.get("no_show", 0)
    attended = by_status.get("completed", 0)
    return missed / (missed + attended) if missed + attended else None


def _grouped(session: Session, column, *conditions) -> dict[str, int]:  # type: ignore[no-untyped-def]
    rows = session.exec(select(column, func.count()).where(*conditions).group_by(column))
    return {str(key): int(count) for key, count in rows}


def clinic_stats(
    tenant_id: uuid.UUID, start: datetime, end: datetime, *, tz_name: str
) -> ClinicStats:
    """Everything counted over [start, end): appointments by when they take place,
    messages, conversations and emergencies by when they happened (days in `tz_name`)."""
    with session_scope(read_only=True) as session:
        return _count(session, tenant_id, start, end, tz_name=tz_name)


def _count(
    session: Session, tenant_id: uuid.UUID, start: datetime, end: datetime, *, tz_name: str
) -> ClinicStats:
    in_window = (
        Appointment.tenant_id == tenant_id,
        Appointment.start_at >= start,
        Appointment.start_at < end,
    )
    by_status = _grouped(session, Appointment.status, *in_window)
    by_source = _grouped(session, Appointment.source, *in_window, Appointment.status != "cancelled")
    zone = ZoneInfo(tz_name)
    by_day: dict[str, int] = {}
    day = start.astimezone(zone).date()
    while datetime.combine(day, datetime.min.time(), zone) < end:
        by_day[day.isoformat()] = 0
        day += timedelta(days=1)
    starts = session.exec(
        select(Appointment.start_at).where(*in_window, Appointment.status != "cancelled")
    )
    for start_at in starts:
        key = start_at.astimezone(zone).date().isoformat()
        by_day[key] = by_day.get(key, 0) + 1

    message_window = (
        Message.tenant_id == tenant_id,
        Message.created_at >= start,
        Message.created_at < end,
    )
    authors = _grouped(session, Message.author, *message_window)
    conversations_started = session.exec(
        select(func.count()).where(
            Conversation.tenant_id == tenant_id,
            Conversation.started_at >= start,
            Conversation.started_at < end,
        )
    ).one()
    taken_over = session.exec(
        select(func.count()).where(
            Conversation.tenant_id == tenant_id,
            col(Conversation.taken_over_at).is_not(None),
            Conversation.last_message_at >= start,
        )
    ).one()
    emergency_window = (
        EmergencyEvent.tenant_id == tenant_id,
        EmergencyEvent.created_at >= start,
        EmergencyEvent.created_at < end,
    )
    emergencies = _grouped(session, EmergencyEvent.status, *emergency_window)
    waits = [
        (acknowledged - created).total_seconds() / 60
        for created, acknowledged in session.exec(
            select(EmergencyEvent.created_at, EmergencyEvent.acknowledged_at).where(
                *emergency_window, col(EmergencyEvent.acknowledged_at).is_not(None)
            )
        )
        if acknowledged is not None
    ]
    follow_ups = _grouped(
        session,
        FollowUp.status,
        FollowUp.tenant_id == tenant_id,
        FollowUp.scheduled_at >= start,
        FollowUp.scheduled_at < end,
    )
    return ClinicStats(
        appointments_by_status=by_status,
        appointments_by_source=by_source,
        appointments_by_day=by_day,
        messages_in=authors.get("client", 0),
        messages_out_assistant=authors.get("assistant", 0) + authors.get("system", 0),
        messages_out_staff=authors.get("staff", 0),
        conversations_started=int(conversations_started),
        conversations_taken_over=int(taken_over),
        emergencies_by_status=emergencies,
        minutes_to_acknowledge=sum(waits) / len(waits) if waits else None,
        follow_ups_by_status=follow_ups,
        no_show_rate=no_show_rate(by_status),
    )
