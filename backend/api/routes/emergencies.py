"""Emergencies raised by the WhatsApp assistant: the clinic's board."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from backend.api.deps import PrincipalDep
from backend.api.errors import error_responses
from backend.api.fields import Offset, PlainText
from backend.api.schemas import ApiModel
from backend.services.alerting import emergencies

router = APIRouter(
    prefix="/api/v1/emergencies", tags=["emergencies"], responses=error_responses(401, 422)
)


class EmergencyOut(ApiModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, from_attributes=True, extra="ignore"
    )

    id: uuid.UUID
    conversation_id: uuid.UUID | None
    client_id: uuid.UUID | None
    appointment_id: uuid.UUID | None
    client_phone: str
    pet_name: str | None
    pet_species: str | None
    description: str
    keywords: list[str]
    category: str | None
    status: str
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    notes: str | None


class EmergencyList(ApiModel):
    items: list[EmergencyOut]
    total: int


class ResolveIn(ApiModel):
    outcome: Literal["resolved", "false_alarm"]
    notes: PlainText | None = Field(default=None, max_length=2000)


@router.get("", response_model=EmergencyList, response_model_by_alias=True)
def list_emergencies(
    principal: PrincipalDep,
    status: Annotated[PlainText | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> EmergencyList:
    """The clinic's emergencies: active first, newest first."""
    items, total = emergencies.search_emergencies(
        tenant_id=principal.tenant.id, status=status, limit=limit, offset=offset
    )
    return EmergencyList(items=[EmergencyOut.model_validate(e) for e in items], total=total)


@router.get(
    "/{emergency_id}",
    response_model=EmergencyOut,
    response_model_by_alias=True,
    responses=error_responses(404),
)
def get_emergency(emergency_id: uuid.UUID, principal: PrincipalDep) -> EmergencyOut:
    """One emergency of the clinic."""
    return EmergencyOut.model_validate(
        emergencies.read_emergency(tenant_id=principal.tenant.id, emergency_id=emergency_id)
    )


@router.post(
    "/{emergency_id}/acknowledge",
    response_model=EmergencyOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409),
)
def acknowledge(emergency_id: uuid.UUID, principal: PrincipalDep) -> EmergencyOut:
    """Marks the emergency as seen by the clinic."""
    return EmergencyOut.model_validate(
        emergencies.acknowledge_emergency(
            tenant_id=principal.tenant.id, emergency_id=emergency_id, by=principal.actor.display
        )
    )


@router.post(
    "/{emergency_id}/resolve",
    response_model=EmergencyOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409),
)
def resolve(emergency_id: uuid.UUID, body: ResolveIn, principal: PrincipalDep) -> EmergencyOut:
    """Closes the emergency as resolved or as a false alarm, with notes."""
    return EmergencyOut.model_validate(
        emergencies.resolve_emergency(
            tenant_id=principal.tenant.id,
            emergency_id=emergency_id,
            outcome=body.outcome,
            notes=body.notes,
            by=principal.actor.display,
        )
    )
