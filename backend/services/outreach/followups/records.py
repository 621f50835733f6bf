"""Reading and cancelling follow-ups (API and portal)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
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
from backend.services.patients import client_directory

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


@dataclass(frozen=True)
class FollowUpLine:
    """A follow-up with what the portal's list shows beside it."""

    follow_up: FollowUp
    client_name: str
    client_phone: str
    pet_name: str
    pet_species: str | None
    responses: list[FollowUpResponse]


def follow_up_lines(
    *, tenant_id: uuid.UUID, statuses: Sequence[str] = (), limit: int = 200
) -> list[FollowUpLine]:
    """The clinic's follow-ups in `statuses` with client, pet and the answers of answered ones."""
    with session_scope(read_only=True) as session:
        items, _ = list_follow_ups(session, tenant_id=tenant_id, statuses=statuses, limit=limit)
        client_ids = [f.client_id for f in items]
        names = client_directory.names_of(session, tenant_id, client_ids)
        phones = client_directory.phones_of(session, tenant_id, client_ids)
        pets = client_directory.pets_by_id(
            session, tenant_id, [f.pet_id for f in items if f.pet_id]
        )
        lines = []
        for item in items:
            pet_name, species = pets.get(item.pet_id, ("", None)) if item.pet_id else ("", None)
            answered = item.status in (S.RESPONDED, S.ESCALATED)
            lines.append(
                FollowUpLine(
                    follow_up=item,
                    client_name=names.get(item.client_id, ""),
                    client_phone=phones.get(item.client_id, ""),
                    pet_name=pet_name,
                    pet_species=species,
                    responses=responses_of(session, item.id) if answered else [],
                )
            )
        return lines


def count_by_statuses(
    *, tenant_id: uuid.UUID, groups: Mapping[str, Sequence[str]]
) -> dict[str, int]:
    """How many follow-ups the clinic has in each group of statuses (one read)."""
    with session_scope(read_only=True) as session:
        return {
            key: list_follow_ups(session, tenant_id=tenant_id, statuses=statuses, limit=1)[1]
            for key, statuses in groups.items()
        }
