"""The WhatsApp sandbox: staff chat with the assistant as a test client, without Twilio.

It exists in the embedded default (the sandbox channel) and, in production,
only in clinics marked as demo. It writes only as fictional numbers
(`domain.sandbox_numbers`), so it cannot impersonate a real client, and
replies to those numbers never leave the machine. Each message records the
staff user who typed it, and whatever the assistant does in that
conversation is attributed to that user in the audit log.
"""

from __future__ import annotations

import uuid

from backend.core.config import settings
from backend.core.db import session_scope
from backend.domain.errors import PermissionDenied, ValidationFailed
from backend.domain.sandbox_numbers import is_sandbox_number
from backend.models import Tenant
from backend.services.assistant.inbound import InboundMessage, accept
from backend.services.clinics import clinic_directory
from backend.services.phones import to_e164


def _allowed(clinic: Tenant) -> bool:
    return settings.WHATSAPP_CHANNEL == "sandbox" or clinic.is_demo


def available(tenant_id: uuid.UUID) -> bool:
    """Whether the clinic's staff may use the sandbox here."""
    with session_scope(read_only=True) as session:
        return _allowed(clinic_directory.get_clinic(session, tenant_id))


def sandbox_number(raw: str, country: str) -> str:
    """The typed number in E.164 when it is a fictional test number; else ValidationFailed."""
    phone = to_e164(raw, country)
    if not is_sandbox_number(phone):
        raise ValidationFailed(
            "the sandbox only writes as test numbers (+1 NXX 555 01XX)", field="phone"
        )
    return phone


def send_as_client(*, tenant_id: uuid.UUID, staff_id: uuid.UUID, phone: str, body: str) -> None:
    """Stores `body` as a message from the test number `phone`, typed by `staff_id`, and has
    the assistant answer it after the commit (the webhook's path, without HTTP).

    Raises:
        PermissionDenied: the sandbox is off for this clinic (production, not a demo).
        ValidationFailed: an empty message, or a number that is not a test number.
    """
    text = body.strip()
    if not text:
        raise ValidationFailed("the message is empty", field="body")
    if not is_sandbox_number(phone):
        raise ValidationFailed("the sandbox only writes as test numbers", field="phone")
    with session_scope(read_only=True) as session:
        clinic = clinic_directory.get_clinic(session, tenant_id)
        if not _allowed(clinic):
            raise PermissionDenied("the WhatsApp sandbox is only available in demo clinics")
        number = clinic.whatsapp_numbers[0] if clinic.whatsapp_numbers else "+10000000000"
    accept(
        InboundMessage(
            tenant_id=tenant_id,
            from_phone=phone,
            to_phone=number,
            body=text,
            provider_sid=f"SANDBOX{uuid.uuid4().hex}",
            typed_by=staff_id,
        )
    )
