"""The Google Calendar event that shows an appointment: Spanish text, the clinic's zone.

The event id is the appointment UUID's hex, which Google accepts as a
client-chosen id (base32hex: 0-9 and a-v), so inserting twice can never make
two events: the second insert answers 409 and becomes a patch.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from backend.core.config import settings
from backend.domain.appointment_rules import Priority
from backend.models import Appointment, Client, Pet, Service, Tenant

PORTAL_APPOINTMENT_PATH = "/citas/{id}"
"""The portal's own page of an appointment, linked from the event's description."""


def event_id(appointment_id: uuid.UUID) -> str:
    return appointment_id.hex


def summary(appointment: Appointment, client: Client | None, pet: Pet | None) -> str:
    """ "🐾 Luna (gato) · Camila Rodríguez", prefixed "🚨 EMERGENCIA · " for an emergency."""
    parts = []
    if pet is not None:
        parts.append(f"{pet.name} ({pet.species})" if pet.species else pet.name)
    if client is not None:
        parts.append(client.name or client.phone)
    text = "🐾 " + (" · ".join(parts) or "Cita")
    if appointment.priority == Priority.EMERGENCY:
        text = "🚨 EMERGENCIA · " + text
    return text


def _local(moment: datetime, zone: ZoneInfo) -> dict[str, str]:
    return {"dateTime": moment.astimezone(zone).isoformat(), "timeZone": zone.key}


def build(
    appointment: Appointment,
    *,
    tenant: Tenant,
    client: Client | None,
    pet: Pet | None,
    service: Service | None,
) -> dict[str, Any]:
    """The full event body for an insert or a patch (a patch resurrects a deleted event)."""
    zone = ZoneInfo(tenant.timezone)
    link = settings.PUBLIC_BASE_URL.rstrip("/") + PORTAL_APPOINTMENT_PATH.format(id=appointment.id)
    lines = [
        f"Motivo: {appointment.reason}" if appointment.reason else None,
        f"Teléfono: {client.phone}" if client is not None else None,
        f"Servicio: {service.name}" if service is not None else None,
        "Prioridad: EMERGENCIA" if appointment.priority == Priority.EMERGENCY else None,
        f"Ver en VetAssist: {link}",
    ]
    body: dict[str, Any] = {
        "id": event_id(appointment.id),
        "status": "confirmed",
        "summary": summary(appointment, client, pet),
        "description": "\n".join(line for line in lines if line),
        "start": _local(appointment.start_at, zone),
        "end": _local(appointment.end_at, zone),
        "source": {"title": "VetAssist", "url": link},
        "extendedProperties": {
            "private": {
                "appointmentId": str(appointment.id),
                "clinicId": str(appointment.tenant_id),
                "version": str(appointment.version),
            }
        },
    }
    if appointment.priority == Priority.EMERGENCY:
        body["colorId"] = "11"  # Google's red
    return body
