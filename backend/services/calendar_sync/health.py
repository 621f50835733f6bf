"""How a clinic's Google Calendar sync is doing: the Settings page's read and its one action.

One read gives the connection (connected, broken with Google's reason, or
none), each doctor's calendar with when busy time was last read and how many
appointments wait or failed, and the failed ones themselves with their error.
"Reintentar todas" puts every failed appointment that is not long over back
to pending through `outbound.retry`, the same as the appointment's own button.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.models import Appointment, Client, DoctorCalendar, GoogleConnection, StaffUser
from backend.services.calendar_sync import google_changes, outbound

FAILURES_SHOWN = 50
RETRY_HORIZON = timedelta(days=1)
"""Appointments over longer ago than this are history: "retry all" leaves them."""


@dataclass(frozen=True)
class DoctorSync:
    doctor_id: uuid.UUID
    doctor_name: str
    calendar_id: str | None
    busy_read_at: datetime | None
    failed: int
    pending: int


@dataclass(frozen=True)
class FailedSync:
    appointment_id: uuid.UUID
    doctor_name: str
    client_name: str | None
    start_at: datetime
    error: str


@dataclass(frozen=True)
class SyncHealth:
    enabled: bool  # the install has a Google OAuth client (GOOGLE_CLIENT_ID/SECRET)
    status: str  # "none", "connected", "broken" or "disconnected"
    account_email: str | None
    broken_reason: str | None
    connected_at: datetime | None
    doctors: list[DoctorSync]
    failures: list[FailedSync]


def _failed() -> object:
    return col(Appointment.calendar_sync_ok).is_(False)


def _pending() -> object:
    return (
        col(Appointment.calendar_event_id).is_not(None)
        & col(Appointment.calendar_sync_ok).is_not(False)
        & (
            col(Appointment.calendar_synced_version).is_(None)
            | (col(Appointment.calendar_synced_version) < col(Appointment.version))
        )
    )


def sync_health(tenant_id: uuid.UUID) -> SyncHealth:
    """The clinic's sync at a glance (read-only)."""
    with session_scope(read_only=True) as session:
        connection = session.exec(
            select(GoogleConnection).where(GoogleConnection.tenant_id == tenant_id)
        ).first()
        doctors = session.exec(
            select(StaffUser, DoctorCalendar)
            .join(
                DoctorCalendar,
                col(DoctorCalendar.doctor_id) == col(StaffUser.id),
                isouter=True,
            )
            .where(
                StaffUser.tenant_id == tenant_id,
                StaffUser.role == "doctor",
                col(StaffUser.is_active),
            )
            .order_by(col(StaffUser.full_name))
        ).all()
        counts = {
            (doctor_id, kind): count
            for kind, condition in (("failed", _failed()), ("pending", _pending()))
            for doctor_id, count in session.exec(
                select(Appointment.doctor_id, func.count())
                .where(Appointment.tenant_id == tenant_id, condition)  # type: ignore[arg-type]
                .group_by(col(Appointment.doctor_id))
            )
        }
        names = {doctor.id: doctor.full_name for doctor, _ in doctors}
        failures = session.exec(
            select(Appointment, Client.name)
            .join(Client, col(Client.id) == col(Appointment.client_id))
            .where(Appointment.tenant_id == tenant_id, _failed())  # type: ignore[arg-type]
            .order_by(col(Appointment.start_at).desc())
            .limit(FAILURES_SHOWN)
        ).all()
        return SyncHealth(
            enabled=settings.google_sync_on,
            status=connection.status if connection else "none",
            account_email=connection.account_email if connection else None,
            broken_reason=connection.broken_reason if connection else None,
            connected_at=connection.connected_at if connection else None,
            doctors=[
                DoctorSync(
                    doctor_id=doctor.id,
                    doctor_name=doctor.full_name,
                    calendar_id=calendar.calendar_id if calendar else None,
                    busy_read_at=calendar.busy_polled_at if calendar else None,
                    failed=counts.get((doctor.id, "failed"), 0),
                    pending=counts.get((doctor.id, "pending"), 0),
                )
                for doctor, calendar in doctors
            ],
            failures=[
                FailedSync(
                    appointment_id=appointment.id,
                    doctor_name=names.get(appointment.doctor_id, ""),
                    client_name=client_name,
                    start_at=appointment.start_at,
                    error=appointment.calendar_sync_error or "Error desconocido",
                )
                for appointment, client_name in failures
            ],
        )


def retry_all_failed(tenant_id: uuid.UUID) -> int:
    """Submits again the sync of every failed appointment not long over; how many."""
    with session_scope(read_only=True) as session:
        ids = session.exec(
            select(Appointment.id).where(
                Appointment.tenant_id == tenant_id,
                _failed(),  # type: ignore[arg-type]
                col(Appointment.end_at) >= utcnow() - RETRY_HORIZON,
            )
        ).all()
    return sum(
        1
        for appointment_id in ids
        if outbound.retry(tenant_id=tenant_id, appointment_id=appointment_id)
    )


# ---- changes made in Google waiting for a person (google_changes) -------------------

REVIEWS_SHOWN = 100


@dataclass(frozen=True)
class ReviewItem:
    appointment_id: uuid.UUID
    doctor_name: str
    client_name: str | None
    start_at: datetime
    reason: str


def needs_review(tenant_id: uuid.UUID) -> list[ReviewItem]:
    """The clinic's live appointments a change in Google left for a person, by doctor and time."""
    with session_scope(read_only=True) as session:
        rows = session.exec(
            select(Appointment, Client.name, StaffUser.full_name)
            .join(Client, col(Client.id) == col(Appointment.client_id))
            .join(StaffUser, col(StaffUser.id) == col(Appointment.doctor_id))
            .where(
                Appointment.tenant_id == tenant_id,
                col(Appointment.calendar_review_reason).is_not(None),
                col(Appointment.status).in_(google_changes.LIVE_STATUSES),
            )
            .order_by(col(StaffUser.full_name), col(Appointment.start_at))
            .limit(REVIEWS_SHOWN)
        ).all()
        return [
            ReviewItem(
                appointment_id=appointment.id,
                doctor_name=doctor_name,
                client_name=client_name,
                start_at=appointment.start_at,
                reason=appointment.calendar_review_reason or "",
            )
            for appointment, client_name, doctor_name in rows
        ]
