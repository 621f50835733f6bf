"""Post-procedure follow-ups (spec 002 §6): protocols, scheduling, sending, answers.

Protocols are per-clinic data seeded from the spec's defaults. Completing an
appointment with a procedure type schedules the protocol's messages (outbox
handler); `send_due_follow_ups` (every 5 minutes) sends the due ones, each in
a COLLECT_STATUS conversation; the client's answer comes back through the
assistant to `record_follow_up_response`, which files it, reads it as the
spec says and alerts the vet when an escalation keyword shows up.

Statuses: pending → sent → responded | escalated; a send that fails is
`failed` with its error and is tried again by the next sweeps until
`MAX_SEND_ATTEMPTS`; `cancelled` when the appointment is cancelled or a no-show,
or by hand.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from backend.core.clock import utcnow
from backend.core.db import is_postgres, session_scope
from backend.domain.appointment_rules import Status as AppointmentStatus
from backend.domain.errors import IllegalTransition, NotFound, ValidationFailed
from backend.domain.language.follow_up_analysis import analyze_follow_up_response
from backend.models import (
    Appointment,
    Client,
    Conversation,
    FollowUp,
    FollowUpProtocol,
    FollowUpResponse,
    OutboxEvent,
    Pet,
    Tenant,
)
from backend.services import events
from backend.services.outbox import EventHandler
from backend.services.outreach.notifications import ConversationBusy, safe_format, send_to_client

log = logging.getLogger(__name__)


class FollowUpStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    RESPONDED = "responded"
    ESCALATED = "escalated"
    CANCELLED = "cancelled"


S = FollowUpStatus

DEFAULT_PROTOCOLS: dict[str, dict[str, Any]] = {
    "surgery": {
        "label": "Cirugía",
        "schedule_hours": [24, 48, 72, 168],
        "messages": [
            "Hola, ¿cómo sigue {pet_name} después de la cirugía de ayer? ¿Ha comido y orinado con normalidad?",
            "Hola, segundo día post-operatorio. ¿Cómo va la recuperación de {pet_name}? ¿Alguna molestia o sangrado?",
            "Hola, ¿cómo sigue {pet_name}? ¿La herida se ve bien? ¿Ha tenido fiebre o dejado de comer?",
            "Hola, esta semana toca revisión de puntos para {pet_name}. ¿Quieres que agendemos la cita?",
        ],
        "escalation_keywords": [
            "sangre",
            "sangrado",
            "fiebre",
            "no come",
            "hinchado",
            "pus",
            "olor",
        ],
    },
    "vaccination": {
        "label": "Vacunación",
        "schedule_hours": [24],
        "messages": [
            "Hola, ¿cómo está {pet_name} después de la vacuna? Es normal algo de decaimiento. "
            "Si presenta vómito, diarrea o hinchazón en la cara, escríbenos de inmediato.",
        ],
        "escalation_keywords": ["vómito", "diarrea", "hinchazón", "cara hinchada", "no respira"],
    },
    "consultation": {
        "label": "Consulta",
        "schedule_hours": [48],
        "messages": ["Hola, ¿cómo sigue {pet_name}? ¿Ha mejorado con el tratamiento?"],
        "escalation_keywords": ["peor", "empeora", "no mejora", "igual"],
    },
}
"""Spec 002 §6.1, seeded per clinic; an unknown procedure type falls back to consultation."""

FALLBACK_PROCEDURE = "consultation"
MAX_SEND_ATTEMPTS = 3
SEND_BATCH = 100
PLACEHOLDERS = frozenset({"pet_name", "client_name", "clinic_name"})

REPLIES = {
    "continue_protocol": "¡Gracias por contarnos! Nos alegra que {pet_name} siga bien. "
    "Si notas algo raro, escríbenos por aquí.",
    "monitor": "Gracias por la información. Lo anotamos para el veterinario. "
    "Si {pet_name} empeora, deja de comer o ves sangrado, escríbenos de inmediato.",
    "alert_vet": "Gracias por avisarnos. Ya le informamos al veterinario y te contactará pronto. "
    "Si es urgente, llama a la clínica.",
}
"""What the assistant answers after filing a follow-up response, by recommendation."""


# ---------------------------------------------------------------- protocols


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


# --------------------------------------------------------------- scheduling


def schedule_follow_ups(
    session: Session, appointment: Appointment, *, now: datetime
) -> list[FollowUp]:
    """Creates the protocol's follow-ups for a completed appointment (missing ones only).

    Times count from the end of the visit (spec 6.2); a visit recorded so late
    that its first follow-up would already be overdue counts from the
    recording instead, so it does not fire its follow-ups all at once.
    """
    if not appointment.procedure_type:
        return []
    protocol = protocol_for(session, appointment.tenant_id, appointment.procedure_type)
    if protocol is None:
        return []
    base = appointment.end_at
    if protocol.schedule_hours and base + timedelta(hours=min(protocol.schedule_hours)) <= now:
        base = now  # recorded so late that the first follow-up would already be overdue
    have = set(
        session.exec(
            select(FollowUp.sequence_number).where(FollowUp.appointment_id == appointment.id)
        ).all()
    )
    created = []
    for number, (hours, template) in enumerate(
        zip(protocol.schedule_hours, protocol.messages, strict=False), 1
    ):
        if number in have:
            continue
        follow_up = FollowUp(
            tenant_id=appointment.tenant_id,
            appointment_id=appointment.id,
            client_id=appointment.client_id,
            pet_id=appointment.pet_id,
            procedure_type=appointment.procedure_type,
            message_template=template,
            escalation_keywords=list(protocol.escalation_keywords),
            scheduled_at=base + timedelta(hours=hours),
            sequence_number=number,
            created_at=now,
        )
        session.add(follow_up)
        created.append(follow_up)
    session.flush()
    return created


def cancel_pending_for_appointment(
    session: Session, appointment_id: uuid.UUID, *, reason: str
) -> int:
    """Cancels the follow-ups of an appointment that have not gone out yet."""
    rows = session.exec(
        select(FollowUp).where(
            FollowUp.appointment_id == appointment_id,
            col(FollowUp.status).in_([S.PENDING, S.FAILED]),
        )
    ).all()
    for follow_up in rows:
        follow_up.status = S.CANCELLED
        follow_up.error = reason[:1000]
        session.add(follow_up)
    return len(rows)


def wants(event: OutboxEvent) -> bool:
    return event.type in (events.APPOINTMENT_UPDATED, events.APPOINTMENT_CANCELLED) and (
        event.payload.get("action") in ("complete", "cancel", "no_show")
    )


def handle_event(session: Session, event: OutboxEvent) -> None:
    """Outbox handler: completion schedules, cancel and no-show cancel."""
    if not wants(event):
        return
    action = event.payload.get("action")
    appointment = session.get(Appointment, event.aggregate_id)
    if appointment is None:
        return
    if action == "complete" and appointment.status == AppointmentStatus.COMPLETED:
        schedule_follow_ups(session, appointment, now=event.created_at)
    elif action in ("cancel", "no_show"):
        label = "cancelada" if action == "cancel" else "el paciente no asistió"
        cancel_pending_for_appointment(session, appointment.id, reason=f"cita {label}")


HANDLER = EventHandler(handle=handle_event, wants=wants)


# ------------------------------------------------------------------ sending


def render_message(template: str, *, pet: Pet | None, client: Client | None, tenant: Tenant) -> str:
    return safe_format(
        template,
        pet_name=pet.name if pet else "tu mascota",
        client_name=(client.name or "").split(" ")[0] if client and client.name else "",
        clinic_name=tenant.name,
    )


def send_due_follow_ups(now: datetime, *, batch_size: int = SEND_BATCH) -> int:
    """Sends due follow-ups, then retries once those that failed in earlier runs.

    Each batch locks its rows (`SKIP LOCKED` on PostgreSQL), so two runners
    never send the same follow-up; a row changes state in the same
    transaction that queues its message, so a rerun finds nothing to resend.
    Returns how many went out.
    """
    sent = 0
    failed_now: set[uuid.UUID] = set()
    while True:
        picked, batch_sent = _send_batch(now, batch_size, status=S.PENDING, failed=failed_now)
        sent += batch_sent
        if picked < batch_size:
            break
    return sent + _send_batch(now, batch_size, status=S.FAILED, failed=failed_now)[1]


def _send_batch(
    now: datetime, batch_size: int, *, status: FollowUpStatus, failed: set[uuid.UUID]
) -> tuple[int, int]:
    """One locked batch of due follow-ups in `status`: (rows picked, rows sent).

    Rows that fail are added to `failed`, and a retry batch skips them: a
    failure waits for the next run (5 minutes) before it is tried again.
    """
    with session_scope(write=True) as session:
        query = (
            select(FollowUp)
            .where(col(FollowUp.scheduled_at) <= now, FollowUp.status == status)
            .order_by(col(FollowUp.scheduled_at))
            .limit(batch_size)
        )
        if status == S.FAILED:
            query = query.where(col(FollowUp.attempts) < MAX_SEND_ATTEMPTS)
            if failed:
                query = query.where(col(FollowUp.id).not_in(failed))
        if is_postgres():
            query = query.with_for_update(skip_locked=True)
        rows = list(session.exec(query).all())
        sent = 0
        for follow_up in rows:
            if _send_one(session, follow_up, now):
                sent += 1
            elif follow_up.status == S.FAILED:
                failed.add(follow_up.id)
        return len(rows), sent


def _send_one(session: Session, follow_up: FollowUp, now: datetime) -> bool:
    appointment = session.get(Appointment, follow_up.appointment_id)
    if appointment is not None and appointment.status in (
        AppointmentStatus.CANCELLED,
        AppointmentStatus.NO_SHOW,
    ):
        follow_up.status = S.CANCELLED
        follow_up.error = "la cita ya no está vigente"
        session.add(follow_up)
        return False
    tenant = session.get(Tenant, follow_up.tenant_id)
    client = session.get(Client, follow_up.client_id)
    pet = session.get(Pet, follow_up.pet_id) if follow_up.pet_id else None
    try:
        with session.begin_nested():
            text = render_message(follow_up.message_template, pet=pet, client=client, tenant=tenant)  # type: ignore[arg-type]
            delivery = send_to_client(
                session,
                tenant=tenant,  # type: ignore[arg-type]
                client=client,  # type: ignore[arg-type]
                body=text,
                conversation_type="follow_up",
                state="COLLECT_STATUS",
                state_data={
                    "follow_up_id": str(follow_up.id),
                    "appointment_id": str(follow_up.appointment_id),
                    "pet_name": pet.name if pet else None,
                },
                follow_up_id=follow_up.id,
            )
    except ConversationBusy as busy:
        log.info("follow-up %s waits: %s", follow_up.id, busy)
        return False  # stays as it was; the next run tries again
    except Exception as exc:
        log.warning("follow-up %s could not be sent: %r", follow_up.id, exc)
        return _failed(session, follow_up, str(exc) or exc.__class__.__name__)
    follow_up.attempts += 1
    follow_up.conversation_id = delivery.conversation_id
    if delivery.status == "failed":
        return _failed(
            session,
            follow_up,
            "fuera de la ventana de 24 horas y sin plantilla configurada",
            counted=True,
        )
    follow_up.status = S.SENT
    follow_up.sent_at = now
    follow_up.error = None
    session.add(follow_up)
    return True


def _failed(session: Session, follow_up: FollowUp, error: str, *, counted: bool = False) -> bool:
    if not counted:
        follow_up.attempts += 1
    follow_up.status = S.FAILED
    follow_up.error = error[:1000]
    session.add(follow_up)
    return False


# ---------------------------------------------------------------- responses


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


# ---------------------------------------------------------------- API reads


def get_follow_up(session: Session, *, tenant_id: uuid.UUID, follow_up_id: uuid.UUID) -> FollowUp:
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None or follow_up.tenant_id != tenant_id:
        raise NotFound("follow-up not found")
    return follow_up


def list_follow_ups(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    statuses: Sequence[str] = (),
    appointment_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[FollowUp], int]:
    """A clinic's follow-ups, soonest scheduled first."""
    for status in statuses:
        if status not in {s.value for s in S}:
            allowed = ", ".join(s.value for s in S)
            raise ValidationFailed(
                f"unknown status '{status}' (allowed: {allowed})", field="status"
            )
    query = select(FollowUp).where(FollowUp.tenant_id == tenant_id)
    if statuses:
        query = query.where(col(FollowUp.status).in_(list(statuses)))
    if appointment_id:
        query = query.where(FollowUp.appointment_id == appointment_id)
    if client_id:
        query = query.where(FollowUp.client_id == client_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(FollowUp.scheduled_at), col(FollowUp.sequence_number))
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total


def responses_of(session: Session, follow_up_id: uuid.UUID) -> list[FollowUpResponse]:
    return list(
        session.exec(
            select(FollowUpResponse)
            .where(FollowUpResponse.follow_up_id == follow_up_id)
            .order_by(col(FollowUpResponse.created_at))
        ).all()
    )


def cancel_follow_up(
    session: Session, *, tenant_id: uuid.UUID, follow_up_id: uuid.UUID
) -> FollowUp:
    """Cancels one follow-up that has not gone out (pending or failed).

    Raises:
        NotFound: not in this clinic.
        IllegalTransition: it was already sent, answered or cancelled.
    """
    follow_up = session.exec(
        select(FollowUp).where(FollowUp.id == follow_up_id).with_for_update()
    ).first()
    if follow_up is None or follow_up.tenant_id != tenant_id:
        raise NotFound("follow-up not found")
    if follow_up.status not in (S.PENDING, S.FAILED):
        raise IllegalTransition(
            f"a follow-up that is {follow_up.status} cannot be cancelled", field="status"
        )
    follow_up.status = S.CANCELLED
    follow_up.error = "cancelado por la clínica"
    session.add(follow_up)
    session.flush()
    return follow_up
