"""Dead letters: outbox events a handler gave up on, and retrying them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from backend.api.deps import PrincipalDep
from backend.api.errors import error_responses
from backend.api.fields import Offset
from backend.api.schemas import ApiModel
from backend.services import outbox

router = APIRouter(
    prefix="/api/v1/dead-letters", tags=["dead letters"], responses=error_responses(401, 422)
)


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


def _out(entry: outbox.DeadLetterEntry) -> DeadLetterOut:
    return DeadLetterOut.model_validate(entry, from_attributes=True)


@router.get("", response_model=DeadLetterList, response_model_by_alias=True)
def list_dead_letters(
    principal: PrincipalDep,
    include_resolved: Annotated[bool, Query(alias="includeResolved")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> DeadLetterList:
    """The clinic's unresolved dead letters (all with includeResolved=true), newest first."""
    entries, total = outbox.search_dead_letters(
        tenant_id=principal.tenant.id,
        include_resolved=include_resolved,
        limit=limit,
        offset=offset,
    )
    return DeadLetterList(items=[_out(entry) for entry in entries], total=total)


@router.post(
    "/{dead_letter_id}/retry",
    response_model=DeadLetterOut,
    response_model_by_alias=True,
    responses=error_responses(404),
)
def retry_dead_letter(dead_letter_id: uuid.UUID, principal: PrincipalDep) -> DeadLetterOut:
    """Runs the handler on the event again now; `resolvedAt` is set when it went through."""
    return _out(
        outbox.redeliver_dead_letter(tenant_id=principal.tenant.id, dead_letter_id=dead_letter_id)
    )
