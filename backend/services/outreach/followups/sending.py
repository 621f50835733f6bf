"""Sending due follow-ups (every 5 minutes), each in a COLLECT_STATUS conversation."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlmodel import Session, col, select

from backend.core.db import is_postgres, session_scope
from backend.domain.appointment_rules import Status as AppointmentStatus
from backend.models import (
    Appointment,
    Client,
    FollowUp,
    Pet,
    Tenant,
)
from backend.services.outreach.followups.rules import (
    MAX_SEND_ATTEMPTS,
    SEND_BATCH,
    FollowUpStatus,
    S,
)
from backend.services.outreach.notifications import ConversationBusy, safe_format, send_to_client

log = logging.getLogger(__name__)


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
