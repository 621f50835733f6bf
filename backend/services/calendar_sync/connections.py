"""A clinic's Google connection and its doctors' calendars: set up, opened, marked broken.

A manager connects the clinic in Settings with Google's OAuth web flow
(`oauth`), or an operator from the CLI with a refresh token
(`python -m backend connect-google`); both store it through
`store_connection`. The token is encrypted at rest (`core.secrets`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.core.secrets import decrypt, encrypt
from backend.domain.errors import NotFound, ValidationFailed
from backend.integrations.google_calendar.gateway import CalendarGateway
from backend.integrations.google_calendar.google_client import gateway_for
from backend.models import Appointment, DoctorCalendar, GoogleConnection, StaffUser, Tenant
from backend.services.alerting import alerts

log = logging.getLogger(__name__)

CONNECTED = "connected"
BROKEN = "broken"
DISCONNECTED = "disconnected"

GatewayFactory = Callable[[str], CalendarGateway]
"""Builds the gateway for a refresh token (tests may install another)."""


def _google_gateway(refresh_token: str) -> CalendarGateway:
    return gateway_for(
        refresh_token=refresh_token,
        client_id=settings.GOOGLE_CLIENT_ID or "",
        client_secret=settings.GOOGLE_CLIENT_SECRET or "",
        base_url=settings.GOOGLE_API_BASE_URL,
        token_uri=settings.GOOGLE_TOKEN_URI,
    )


_factory: GatewayFactory = _google_gateway


def install_gateway_factory(factory: GatewayFactory | None) -> None:
    """Replaces how gateways are built (None: Google's SDK with the settings)."""
    global _factory
    _factory = factory or _google_gateway


@dataclass(frozen=True)
class SyncTarget:
    """Where an appointment's event goes: the clinic's connection and the doctor's calendar."""

    connection_id: uuid.UUID
    calendar_id: str
    refresh_token_encrypted: str

    def gateway(self) -> CalendarGateway:
        return _factory(decrypt(self.refresh_token_encrypted))


def target_for(session: Session, tenant_id: uuid.UUID, doctor_id: uuid.UUID) -> SyncTarget | None:
    """None when the clinic is not connected (or broken) or the doctor has no calendar."""
    row = session.exec(
        select(GoogleConnection, DoctorCalendar)
        .join(DoctorCalendar, col(DoctorCalendar.tenant_id) == col(GoogleConnection.tenant_id))
        .where(
            GoogleConnection.tenant_id == tenant_id,
            GoogleConnection.status == CONNECTED,
            DoctorCalendar.doctor_id == doctor_id,
        )
    ).first()
    if row is None:
        return None
    connection, calendar = row
    return SyncTarget(connection.id, calendar.calendar_id, connection.refresh_token_encrypted)


def connected_to(session: Session, tenant_id: uuid.UUID, calendar_id: str) -> SyncTarget | None:
    """The clinic's connection writing to `calendar_id` (where an event already is), if connected."""
    connection = session.exec(
        select(GoogleConnection).where(
            GoogleConnection.tenant_id == tenant_id, GoogleConnection.status == CONNECTED
        )
    ).first()
    if connection is None:
        return None
    return SyncTarget(connection.id, calendar_id, connection.refresh_token_encrypted)


def _tenant(session: Session, slug: str) -> Tenant:
    tenant = session.exec(select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise NotFound(f"no clinic '{slug}'")
    return tenant


def connect(*, slug: str, refresh_token: str, account_email: str | None = None) -> GoogleConnection:
    """Connects the clinic to a Google account (replacing any earlier one); the CLI's way.

    Raises:
        NotFound: no clinic with that slug.
        ValidationFailed: an empty refresh token.
        SecretsUnavailable: SECRETS_KEY is not set.
    """
    with session_scope(write=True) as session:
        return store_connection(
            session, _tenant(session, slug).id, refresh_token, account_email=account_email
        )


def store_connection(
    session: Session, tenant_id: uuid.UUID, refresh_token: str, *, account_email: str | None
) -> GoogleConnection:
    """Saves the clinic's (new) refresh token, encrypted, and marks it connected.

    The one write path of `connect` and the OAuth flow (`oauth.complete_authorization`).
    Appointments whose sync failed are made pending again, so the sweep
    writes them once the connection works.

    Raises:
        ValidationFailed: an empty refresh token.
        SecretsUnavailable: SECRETS_KEY is not set.
    """
    if not refresh_token.strip():
        raise ValidationFailed("the refresh token is empty", field="refresh_token")
    token = encrypt(refresh_token.strip())
    connection = session.exec(
        select(GoogleConnection).where(GoogleConnection.tenant_id == tenant_id)
    ).first() or GoogleConnection(tenant_id=tenant_id, refresh_token_encrypted=token)
    connection.refresh_token_encrypted = token
    connection.account_email = account_email
    connection.status = CONNECTED
    connection.broken_reason = None
    connection.connected_at = utcnow()
    session.add(connection)
    session.exec(  # type: ignore[call-overload]
        update(Appointment)
        .where(
            col(Appointment.tenant_id) == tenant_id,
            col(Appointment.calendar_sync_ok).is_(False),
        )
        .values(calendar_sync_ok=None)
    )
    return connection


def set_doctor_calendar(*, slug: str, doctor_email: str, calendar_id: str) -> DoctorCalendar:
    """Chooses the Google calendar a doctor's appointments are written to.

    Raises:
        NotFound: no such clinic, or no staff member with that e-mail in it.
        ValidationFailed: an empty calendar id.
    """
    if not calendar_id.strip():
        raise ValidationFailed("the calendar id is empty", field="calendar_id")
    with session_scope(write=True) as session:
        tenant = _tenant(session, slug)
        doctor = session.exec(
            select(StaffUser).where(
                StaffUser.tenant_id == tenant.id, StaffUser.email == doctor_email.strip().lower()
            )
        ).first()
        if doctor is None:
            raise NotFound(f"no staff member '{doctor_email}' in '{slug}'")
        row = session.exec(
            select(DoctorCalendar).where(DoctorCalendar.doctor_id == doctor.id)
        ).first() or DoctorCalendar(tenant_id=tenant.id, doctor_id=doctor.id, calendar_id="")
        if row.calendar_id != calendar_id.strip():
            row.sync_token = None  # another calendar: reading it back starts over
        row.calendar_id = calendar_id.strip()
        session.add(row)
        return row


def mark_broken(session: Session, connection_id: uuid.UUID, reason: str) -> bool:
    """Marks the connection broken and alerts the clinic once; False if it already was."""
    connection = session.get(GoogleConnection, connection_id, with_for_update=True)
    if connection is None or connection.status != CONNECTED:
        return False
    connection.status = BROKEN
    connection.broken_reason = reason[:500]
    session.add(connection)
    tenant = session.get(Tenant, connection.tenant_id)
    if tenant is not None:
        alerts.raise_alert(
            session,
            tenant=tenant,
            kind="calendar_connection",
            subject_id=connection.id,
            title="Google Calendar desconectado",
            body=(
                f"Google rechazó el acceso de {tenant.name} a Google Calendar. "
                "Las citas no se sincronizan hasta que vuelvan a conectar la cuenta."
            ),
        )
    log.warning("google connection of %s broken: %s", connection.tenant_id, reason)
    return True
