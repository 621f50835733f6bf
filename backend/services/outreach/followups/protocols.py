"""Each clinic's follow-up protocols: seeded from the spec's defaults, edited by the manager."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from backend.domain.errors import ValidationFailed
from backend.models import (
    FollowUpProtocol,
)
from backend.services.outreach.followups.rules import (
    DEFAULT_PROTOCOLS,
    FALLBACK_PROCEDURE,
    PLACEHOLDERS,
)

log = logging.getLogger(__name__)


def ensure_protocols(session: Session, tenant_id: uuid.UUID) -> list[FollowUpProtocol]:
    """Seeds the spec's default protocols the clinic does not have yet; returns all of them."""
    existing = {
        p.procedure_type: p
        for p in session.exec(
            select(FollowUpProtocol).where(FollowUpProtocol.tenant_id == tenant_id)
        )
    }
    for procedure_type, spec in DEFAULT_PROTOCOLS.items():
        if procedure_type in existing:
            continue
        protocol = FollowUpProtocol(
            tenant_id=tenant_id,
            procedure_type=procedure_type,
            label=spec["label"],
            schedule_hours=list(spec["schedule_hours"]),
            messages=list(spec["messages"]),
            escalation_keywords=list(spec["escalation_keywords"]),
        )
        try:
            with session.begin_nested():
                session.add(protocol)
        except IntegrityError:  # seeded concurrently
            continue
        existing[procedure_type] = protocol
    return sorted(existing.values(), key=lambda p: p.procedure_type)


def protocol_for(
    session: Session, tenant_id: uuid.UUID, procedure_type: str
) -> FollowUpProtocol | None:
    """The clinic's protocol for the procedure (seeding defaults on first use)."""
    protocols = {p.procedure_type: p for p in ensure_protocols(session, tenant_id)}
    return protocols.get(procedure_type) or protocols.get(FALLBACK_PROCEDURE)


def check_protocol(schedule_hours: Sequence[int], messages: Sequence[str]) -> None:
    """Validates an edited protocol: one message per time, times positive and increasing."""
    if len(schedule_hours) != len(messages):
        raise ValidationFailed("give one message per follow-up time", field="messages")
    if any(h <= 0 for h in schedule_hours) or list(schedule_hours) != sorted(set(schedule_hours)):
        raise ValidationFailed(
            "follow-up times are positive hours in increasing order", field="scheduleHours"
        )
    if any(h > 24 * 90 for h in schedule_hours):
        raise ValidationFailed(
            "a follow-up is at most 90 days after the visit", field="scheduleHours"
        )
    for message in messages:
        if not message.strip():
            raise ValidationFailed("a follow-up message cannot be empty", field="messages")
        unknown = _placeholders(message) - PLACEHOLDERS
        if unknown:
            raise ValidationFailed(
                f"unknown placeholder {{{sorted(unknown)[0]}}} (use {{pet_name}}, {{client_name}}, {{clinic_name}})",
                field="messages",
            )


def _placeholders(template: str) -> set[str]:
    import string

    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError as exc:
        raise ValidationFailed(
            f"the message has unbalanced braces: {exc}", field="messages"
        ) from None


def update_protocol(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    procedure_type: str,
    schedule_hours: Sequence[int],
    messages: Sequence[str],
    escalation_keywords: Sequence[str],
    label: str | None = None,
) -> FollowUpProtocol:
    """Edits a clinic's protocol; follow-ups already scheduled keep their own copy."""
    check_protocol(schedule_hours, messages)
    ensure_protocols(session, tenant_id)
    protocol = session.exec(
        select(FollowUpProtocol).where(
            FollowUpProtocol.tenant_id == tenant_id,
            FollowUpProtocol.procedure_type == procedure_type,
        )
    ).first()
    if protocol is None:
        protocol = FollowUpProtocol(
            tenant_id=tenant_id, procedure_type=procedure_type, label=label or procedure_type
        )
    protocol.schedule_hours = list(schedule_hours)
    protocol.messages = [m.strip() for m in messages]
    protocol.escalation_keywords = [k.strip().lower() for k in escalation_keywords if k.strip()]
    if label:
        protocol.label = label
    session.add(protocol)
    session.flush()
    return protocol
