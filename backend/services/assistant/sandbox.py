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
from backend.domain.conversation_states import State
from backend.domain.errors import PermissionDenied, ValidationFailed
from backend.domain.sandbox_numbers import is_sandbox_number
from backend.models import Conversation, EmergencyEvent, Tenant
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


STEPS: dict[str, str] = {
    State.INTENT_DETECTION: "Leyó el mensaje para entender qué necesita el cliente.",
    State.ASK_REASON: "Preguntó el motivo de la consulta.",
    State.OFFER_SLOTS: "Buscó horarios libres en la agenda y los ofreció.",
    State.AWAIT_SELECTION: "Esperó a que el cliente eligiera un horario.",
    State.CONFIRM_BOOKING: "Pidió confirmar la cita antes de agendarla.",
    State.CONFIRM_EMERGENCY: "Notó una posible emergencia y pidió confirmarla.",
    State.COLLECT_STATUS: "Preguntó cómo sigue la mascota (seguimiento).",
    State.REMINDER: "Envió un recordatorio de la cita.",
    State.COMPLETED: "Dio la solicitud por resuelta.",
    State.CLOSED: "Cerró la conversación.",
}
"""What the assistant did on entering each state, as a clinic's staff would say it."""

ESCALATED = {
    None: "Registró la emergencia y está avisando al veterinario.",
    "notified": "Registró la emergencia; el aviso le llegó al veterinario.",
    "unreachable": (
        "Registró la emergencia; el aviso no llegó al veterinario y le pidió al cliente "
        "llamar a la clínica."
    ),
}


def steps(*, tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> list[str]:
    """The conversation's path in plain words, oldest first (its last hops only)."""
    with session_scope(read_only=True) as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None or conversation.tenant_id != tenant_id:
            return []
        emergency = (
            session.get(EmergencyEvent, conversation.emergency_id)
            if conversation.emergency_id
            else None
        )
        trail = list((conversation.state_data or {}).get("trail", []))
        taken_over = conversation.taken_over_at is not None
    said: list[str] = []
    for hop in trail:
        target = str(hop).split("→")[-1]
        if target == State.ESCALATE:
            line = ESCALATED.get(emergency.client_notice if emergency else None, ESCALATED[None])
        else:
            line = STEPS.get(target, "")
        if line and (not said or said[-1] != line):
            said.append(line)
    if taken_over:
        said.append("Una persona del equipo tomó la conversación: el asistente ya no responde.")
    return said
