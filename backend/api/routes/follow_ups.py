"""Post-procedure follow-ups: list, read (with the client's answers), cancel."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

from backend.api.deps import PrincipalDep
from backend.api.errors import error_responses
from backend.api.fields import Offset, PlainText
from backend.api.schemas import ApiModel
from backend.services.outreach import followups

router = APIRouter(
    prefix="/api/v1/follow-ups", tags=["follow-ups"], responses=error_responses(401, 422)
)


class FollowUpResponseOut(ApiModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)

    id: uuid.UUID
    response_text: str
    analysis: dict[str, Any]
    requires_escalation: bool
    escalated_at: datetime | None
    created_at: datetime


class FollowUpOut(ApiModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)

    id: uuid.UUID
    appointment_id: uuid.UUID
    client_id: uuid.UUID
    pet_id: uuid.UUID | None
    procedure_type: str
    sequence_number: int
    message_template: str
    escalation_keywords: list[str]
    scheduled_at: datetime
    sent_at: datetime | None
    status: str
    attempts: int
    error: str | None
    conversation_id: uuid.UUID | None
    created_at: datetime


class FollowUpDetail(FollowUpOut):
    responses: list[FollowUpResponseOut]


class FollowUpList(ApiModel):
    items: list[FollowUpOut]
    total: int


@router.get("", response_model=FollowUpList, response_model_by_alias=True)
def list_follow_ups(
    principal: PrincipalDep,
    status: Annotated[PlainText | None, Query(max_length=200)] = None,
    appointment_id: Annotated[uuid.UUID | None, Query(alias="appointmentId")] = None,
    client_id: Annotated[uuid.UUID | None, Query(alias="clientId")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> dict[str, object]:
    """The clinic's follow-ups, soonest first; `status` takes a comma-separated list."""
    statuses = [s.strip() for s in (status or "").split(",") if s.strip()]
    items, total = followups.find_follow_ups(
        tenant_id=principal.tenant.id,
        statuses=statuses,
        appointment_id=appointment_id,
        client_id=client_id,
        limit=limit,
        offset=offset,
    )
    return {"items": items, "total": total}


@router.get(
    "/{follow_up_id}",
    response_model=FollowUpDetail,
    response_model_by_alias=True,
    responses=error_responses(404),
)
def get_follow_up(follow_up_id: uuid.UUID, principal: PrincipalDep) -> FollowUpDetail:
    return _detail(
        followups.read_follow_up(tenant_id=principal.tenant.id, follow_up_id=follow_up_id)
    )


@router.post(
    "/{follow_up_id}/cancel",
    response_model=FollowUpDetail,
    response_model_by_alias=True,
    responses=error_responses(404, 409),
)
def cancel_follow_up(follow_up_id: uuid.UUID, principal: PrincipalDep) -> FollowUpDetail:
    """Cancels a follow-up that has not been sent (409 once it has)."""
    return _detail(
        followups.cancel_unsent(tenant_id=principal.tenant.id, follow_up_id=follow_up_id)
    )


def _detail(found: followups.FollowUpWithAnswers) -> FollowUpDetail:
    return FollowUpDetail.model_validate(
        {
            **FollowUpOut.model_validate(found.follow_up).model_dump(),
            "responses": [FollowUpResponseOut.model_validate(r) for r in found.responses],
        }
    )
