"""Dead letters: outbox events a handler gave up on, and retrying them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from backend.api.deps import PrincipalDep
from backend.api.schemas import ApiModel
from backend.core.db import session_scope
from backend.models import DeadLetter, OutboxEvent
from backend.services import outbox

router = APIRouter(prefix="/api/v1/dead-letters", tags=["dead letters"])


class DeadLetterOut(ApiModel):
    id: uuid.UUID
    event_id: int
    event_type: str | None
    aggregate_id: uuid.UUID | None
    payload: dict[str, Any] | None
    handler: str
    error: str
    attempts: int
    created_at: datetime
    retried_at: datetime | None
    resolved_at: datetime | None


class DeadLetterList(ApiModel):
    items: list[DeadLetterOut]
    total: int


def _out(letter: DeadLetter, event: OutboxEvent | None) -> DeadLetterOut:
    return DeadLetterOut(
        id=letter.id,
        event_id=letter.event_id,
        event_type=event.type if event else None,
        aggregate_id=event.aggregate_id if event else None,
        payload=event.payload if event else None,
        handler=letter.handler,
        error=letter.error,
        attempts=letter.attempts,
        created_at=letter.created_at,
        retried_at=letter.retried_at,
        resolved_at=letter.resolved_at,
    )


@router.get("", response_model=DeadLetterList, response_model_by_alias=True)
def list_dead_letters(
    principal: PrincipalDep,
    include_resolved: Annotated[bool, Query(alias="includeResolved")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DeadLetterList:
    """The clinic's unresolved dead letters (all with includeResolved=true), newest first."""
    with session_scope(read_only=True) as session:
        rows, total = outbox.list_dead_letters(
            session,
            tenant_id=principal.tenant.id,
            include_resolved=include_resolved,
            limit=limit,
            offset=offset,
        )
        return DeadLetterList(items=[_out(letter, event) for letter, event in rows], total=total)


@router.post("/{dead_letter_id}/retry", response_model=DeadLetterOut, response_model_by_alias=True)
def retry_dead_letter(dead_letter_id: uuid.UUID, principal: PrincipalDep) -> DeadLetterOut:
    """Runs the handler on the event again now; `resolvedAt` is set when it went through."""
    with session_scope(write=True) as session:
        letter = outbox.retry_dead_letter(
            session, tenant_id=principal.tenant.id, dead_letter_id=dead_letter_id
        )
        return _out(letter, session.get(OutboxEvent, letter.event_id))
