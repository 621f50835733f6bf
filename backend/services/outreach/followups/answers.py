"""A client's answer to a follow-up: filed, read as the spec says, the vet alerted on a warning sign."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from backend.core.clock import utcnow
from backend.domain.language.follow_up_analysis import analyze_follow_up_response
from backend.models import (
    Conversation,
    FollowUp,
    FollowUpResponse,
    Pet,
    Tenant,
)
from backend.services.outreach.followups.rules import (
    DEFAULT_PROTOCOLS,
    REPLIES,
    S,
)
from backend.services.outreach.notifications import safe_format

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FollowUpOutcome:
    """What happened to a client's answer, and what the assistant should reply."""

    follow_up_id: uuid.UUID
    response_id: uuid.UUID
    status: str  # normal, concern
    recommendation: str  # continue_protocol, monitor, alert_vet
    matched_keywords: tuple[str, ...]
    escalated: bool
    alert_id: uuid.UUID | None
    reply: str


def record_follow_up_response(
    session: Session, conversation: Conversation, text: str
) -> FollowUpOutcome | None:
    """Files the client's answer to the conversation's follow-up and acts on its analysis.

    "More negative than positive" words mean concern and monitor; an
    escalation keyword of the protocol marks the follow-up escalated and
    alerts the vet through `alerts.raise_alert`. A follow-up once escalated
    stays escalated. Returns None when the conversation has no follow-up.
    """
    follow_up_id = conversation.follow_up_id or _uuid(conversation.state_data.get("follow_up_id"))
    follow_up = session.get(FollowUp, follow_up_id) if follow_up_id else None
    if follow_up is None or follow_up.tenant_id != conversation.tenant_id:
        return None
    now = utcnow()
    analysis = analyze_follow_up_response(text, follow_up.escalation_keywords)
    response = FollowUpResponse(
        follow_up_id=follow_up.id,
        conversation_id=conversation.id,
        response_text=text,
        analysis={
            "status": analysis.status,
            "recommendation": analysis.recommendation,
            "requires_escalation": analysis.requires_escalation,
            "matched_keywords": list(analysis.matched_keywords),
            "negated_keywords": list(analysis.negated_keywords),
        },
        requires_escalation=analysis.requires_escalation,
        created_at=now,
    )
    session.add(response)
    alert_id = None
    tenant = session.get(Tenant, follow_up.tenant_id)
    pet = session.get(Pet, follow_up.pet_id) if follow_up.pet_id else None
    if analysis.requires_escalation:
        alert_id = _alert_vet(
            session,
            tenant,  # type: ignore[arg-type]
            follow_up,
            pet,
            conversation,
            text,
            analysis.matched_keywords,
        )
        response.escalated_at = now
        follow_up.status = S.ESCALATED
    elif follow_up.status != S.ESCALATED:
        follow_up.status = S.RESPONDED
    session.add(follow_up)
    session.add(response)
    session.flush()
    return FollowUpOutcome(
        follow_up_id=follow_up.id,
        response_id=response.id,
        status=analysis.status,
        recommendation=analysis.recommendation,
        matched_keywords=tuple(analysis.matched_keywords),
        escalated=analysis.requires_escalation,
        alert_id=alert_id,
        reply=safe_format(
            REPLIES[analysis.recommendation], pet_name=pet.name if pet else "tu mascota"
        ),
    )


def _alert_vet(
    session: Session,
    tenant: Tenant,
    follow_up: FollowUp,
    pet: Pet | None,
    conversation: Conversation,
    text: str,
    keywords: Sequence[str],
) -> uuid.UUID | None:
    from backend.services.alerting import alerts

    procedure = DEFAULT_PROTOCOLS.get(follow_up.procedure_type, {}).get(
        "label", follow_up.procedure_type
    )
    title = (
        f"⚠️ Seguimiento: {pet.name if pet else 'mascota'} ({procedure.lower()}) necesita revisión"
    )
    body = (
        f"Respuesta al seguimiento #{follow_up.sequence_number} de {procedure.lower()}:\n"
        f"«{text.strip()[:500]}»\n"
        f"Palabras de alerta: {', '.join(keywords)}\n"
        f"Cliente: {conversation.client_phone}"
    )
    alert = alerts.raise_alert(
        session,
        tenant=tenant,
        kind="follow_up_escalation",
        title=title,
        body=body,
        subject_id=follow_up.id,
    )
    return getattr(alert, "id", None)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None
