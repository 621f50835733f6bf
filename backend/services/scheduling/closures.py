"""Clinic holidays and closures: kept in Settings, read by availability and booking.

Nobody can be booked while the clinic is closed (portal, API and assistant all go
through `free_slots` and `booking`); emergencies still can, and go to the doctor
on call (`on_call`). Times are stored in UTC; days are the clinic's local days.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.domain.closures import all_day_closure, closure_touching, partial_closure
from backend.domain.errors import NotFound, ValidationFailed
from backend.domain.intervals import Interval
from backend.models import ClinicClosure
from backend.services.clinics.clinic_directory import get_clinic


@dataclass(frozen=True)
class ClosureEntry:
    id: uuid.UUID
    start_at: datetime
    end_at: datetime
    all_day: bool
    reason: str | None


def add_closure(
    *,
    tenant_id: uuid.UUID,
    first_day: date,
    last_day: date | None = None,
    start: time | None = None,
    end: time | None = None,
    reason: str | None = None,
) -> uuid.UUID:
    """Closes the clinic on local days first..last (all day), or on one day from `start`
    to `end` (both given; `end` 00:00 is midnight). Booked appointments are kept.

    Raises:
        ValidationFailed: a range that ends before it starts or lasts over a year.
    """
    with session_scope(write=True) as session:
        tenant = get_clinic(session, tenant_id)
        try:
            if start is None and end is None:
                span = all_day_closure(tenant.timezone, first_day, last_day or first_day)
            elif start is not None and end is not None and last_day in (None, first_day):
                span = partial_closure(tenant.timezone, first_day, start, end)
            else:
                raise ValueError("a partial closure is one day with a start and an end")
        except ValueError as exc:
            raise ValidationFailed(str(exc), field="closure", code="closure_invalid") from None
        closure = ClinicClosure(
            tenant_id=tenant.id,
            start_at=span.start,
            end_at=span.end,
            all_day=start is None,
            reason=(reason or "").strip()[:200] or None,
        )
        session.add(closure)
        session.flush()
        return closure.id


def remove_closure(*, tenant_id: uuid.UUID, closure_id: uuid.UUID) -> None:
    with session_scope(write=True) as session:
        row = session.get(ClinicClosure, closure_id)
        if row is None or row.tenant_id != tenant_id:
            raise NotFound("closure not found")
        session.delete(row)


def upcoming_closures(tenant_id: uuid.UUID) -> list[ClosureEntry]:
    """Closures not over yet, soonest first."""
    with session_scope(read_only=True) as session:
        rows = session.exec(
            select(ClinicClosure)
            .where(ClinicClosure.tenant_id == tenant_id, ClinicClosure.end_at > utcnow())
            .order_by(col(ClinicClosure.start_at))
        ).all()
        return [
            ClosureEntry(
                id=r.id, start_at=r.start_at, end_at=r.end_at, all_day=r.all_day, reason=r.reason
            )
            for r in rows
        ]


def closures_within(
    session: Session, tenant_id: uuid.UUID, window: tuple[datetime, datetime]
) -> list[Interval]:
    """The clinic's closures that touch `window`, as UTC intervals."""
    start, end = window
    rows = session.exec(
        select(ClinicClosure.start_at, ClinicClosure.end_at).where(
            ClinicClosure.tenant_id == tenant_id,
            ClinicClosure.start_at < end,
            ClinicClosure.end_at > start,
        )
    ).all()
    return [Interval(s, e) for s, e in rows]


def refuse_if_closed(
    session: Session, tenant_id: uuid.UUID, start_at: datetime, end_at: datetime
) -> None:
    """Raises ValidationFailed (code "clinic_closed") when a closure touches the booking."""
    closures = closures_within(session, tenant_id, (start_at, end_at))
    if closure_touching(closures, start_at, end_at) is not None:
        raise ValidationFailed(
            "the clinic is closed at that time", field="startAt", code="clinic_closed"
        )
