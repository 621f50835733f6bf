"""Emergencies raised by the WhatsApp assistant: the clinic's board."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from backend.api.deps import PrincipalDep
from backend.api.schemas import ApiModel
from backend.core.db import session_scope
from backend.models import EmergencyEvent
from backend.services.alerting import emergencies

router = APIRouter(prefix="/api/v1/emergencies", tags=["emergencies"])


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
    notes: str | None = Field(default=None, max_length=2000)


@router.get("", response_model=EmergencyList, response_model_by_alias=True)
def list_emergencies(
    principal: PrincipalDep,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, object]:
    """The clinic's emergencies: active first, newest first."""
    with session_scope(read_only=True) as session:
        items, total = emergencies.list_emergencies(
            session, principal.tenant.id, status=status, limit=limit, offset=offset
        )
        return {"items": items, "total": total}


@router.get("/{emergency_id}", response_model=EmergencyOut, response_model_by_alias=True)
def get_emergency(emergency_id: uuid.UUID, principal: PrincipalDep) -> EmergencyEvent:
    """One emergency of the clinic."""
    with session_scope(read_only=True) as session:
        return emergencies.get_emergency(session, principal.tenant.id, emergency_id)


@router.post(
    "/{emergency_id}/acknowledge", response_model=EmergencyOut, response_model_by_alias=True
)
def acknowledge(emergency_id: uuid.UUID, principal: PrincipalDep) -> EmergencyEvent:
    """Marks the emergency as seen by the clinic."""
    with session_scope(write=True) as session:
        return emergencies.acknowledge(
            session, tenant=principal.tenant, emergency_id=emergency_id, by=principal.actor.display
        )


@router.post("/{emergency_id}/resolve", response_model=EmergencyOut, response_model_by_alias=True)
def resolve(emergency_id: uuid.UUID, body: ResolveIn, principal: PrincipalDep) -> EmergencyEvent:
    """Closes the emergency as resolved or as a false alarm, with notes."""
    with session_scope(write=True) as session:
        return emergencies.resolve(
            session,
            tenant=principal.tenant,
            emergency_id=emergency_id,
            outcome=body.outcome,
            notes=body.notes,
            by=principal.actor.display,
        )
