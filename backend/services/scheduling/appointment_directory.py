"""Finding a clinic's appointments as rows: by filters, or one by its id.

Reads only, each in its own read-only unit of work and scoped to one clinic;
every change goes through `scheduling.booking`. The rows come back detached
(sessions do not expire on commit), ready for the caller to present.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, func, select

from backend.core.db import session_scope
from backend.domain.appointment_rules import Status
from backend.domain.errors import NotFound
from backend.models import Appointment, Client, Tenant
from backend.services.phones import to_e164


def search_appointments(
    *,
    tenant: Tenant,
    doctor_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    phone: str | None = None,
    statuses: Sequence[Status] | None = None,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Appointment], int]:
    """The clinic's appointments matching every filter given, soonest first, and their total.

    `phone` is the client's number in any form the clinic's country reads;
    `statuses` keeps those statuses (None: any); `date_from`/`date_to` keep
    the appointments overlapping that span.
    """
    query = select(Appointment).where(Appointment.tenant_id == tenant.id)
    if doctor_id:
        query = query.where(Appointment.doctor_id == doctor_id)
    if client_id:
        query = query.where(Appointment.client_id == client_id)
    if statuses is not None:
        query = query.where(col(Appointment.status).in_(statuses))
    if date_from:
        query = query.where(Appointment.end_at > date_from)
    if date_to:
        query = query.where(Appointment.start_at < date_to)
    if phone:
        query = query.join(Client, col(Client.id) == Appointment.client_id).where(
            Client.phone == to_e164(phone, tenant.country)
        )
    with session_scope(read_only=True) as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        items = session.exec(
            query.order_by(col(Appointment.start_at)).offset(offset).limit(limit)
        ).all()
    return list(items), total


def read_appointment(*, tenant_id: uuid.UUID, appointment_id: uuid.UUID) -> Appointment:
    """One appointment of the clinic; NotFound for an unknown id or another clinic's."""
    with session_scope(read_only=True) as session:
        appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.tenant_id != tenant_id:
        raise NotFound("appointment not found")
    return appointment
