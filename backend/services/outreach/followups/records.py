"""Reading and cancelling follow-ups (API and portal)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from backend.core.db import session_scope
from backend.domain.errors import IllegalTransition, NotFound, ValidationFailed
from backend.models import (
    FollowUp,
    FollowUpResponse,
)
from backend.services.outreach.followups.rules import (
    S,
)

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class FollowUpWithAnswers:
    follow_up: FollowUp
    responses: list[FollowUpResponse]


def find_follow_ups(
    *,
    tenant_id: uuid.UUID,
    statuses: Sequence[str] = (),
    appointment_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[FollowUp], int]:
    """`list_follow_ups` in its own read-only unit of work (the API's one call)."""
    with session_scope(read_only=True) as session:
        return list_follow_ups(
            session,
            tenant_id=tenant_id,
            statuses=statuses,
            appointment_id=appointment_id,
            client_id=client_id,
            limit=limit,
            offset=offset,
        )


def read_follow_up(*, tenant_id: uuid.UUID, follow_up_id: uuid.UUID) -> FollowUpWithAnswers:
    """One follow-up of the clinic with the client's answers, oldest first."""
    with session_scope(read_only=True) as session:
        follow_up = get_follow_up(session, tenant_id=tenant_id, follow_up_id=follow_up_id)
        return FollowUpWithAnswers(follow_up, responses_of(session, follow_up.id))


def cancel_unsent(*, tenant_id: uuid.UUID, follow_up_id: uuid.UUID) -> FollowUpWithAnswers:
    """Cancels a follow-up that has not gone out, in its own unit of work."""
    with session_scope(write=True) as session:
        follow_up = cancel_follow_up(session, tenant_id=tenant_id, follow_up_id=follow_up_id)
        return FollowUpWithAnswers(follow_up, responses_of(session, follow_up.id))
