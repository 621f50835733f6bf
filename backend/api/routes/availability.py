"""Free slots and the doctors who take appointments."""

from __future__ import annotations

import uuid
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from backend.api.deps import PrincipalDep
from backend.api.errors import error_responses
from backend.api.fields import BookingDay, PlainText
from backend.api.schemas import AvailabilityOut, DoctorOut, SlotOut
from backend.domain.errors import NotFound
from backend.services.scheduling.availability import free_slots, read_bookable_doctors

router = APIRouter(prefix="/api/v1", tags=["availability"], responses=error_responses(401))


@router.get(
    "/availability",
    response_model=AvailabilityOut,
    response_model_by_alias=True,
    responses=error_responses(404, 422),
)
def availability(
    principal: PrincipalDep,
    day: Annotated[BookingDay, Query(alias="date")],
    tenant_id: Annotated[PlainText | None, Query(alias="tenantId", max_length=100)] = None,
    doctor_id: Annotated[uuid.UUID | None, Query(alias="doctorId")] = None,
    days: Annotated[int, Query(ge=1, le=31)] = 1,
    limit: Annotated[int, Query(ge=1, le=500)] = 10,
    service_id: Annotated[uuid.UUID | None, Query(alias="serviceId")] = None,
) -> AvailabilityOut:
    """Free slots on a local date (or `days` from it); all bookable doctors when no doctorId;
    as long as the service `serviceId` (default: the clinic's consultation)."""
    tenant = principal.tenant
    if tenant_id is not None and tenant_id not in (str(tenant.id), tenant.slug):
        raise NotFound("clinic not found", field="tenantId")
    free = free_slots(
        tenant=tenant, day=day, days=days, doctor_id=doctor_id, limit=limit, service_id=service_id
    )
    tz = ZoneInfo(tenant.timezone)
    return AvailabilityOut(
        tenant_id=tenant.id,
        timezone=tenant.timezone,
        date=day,
        slots=[
            SlotOut(
                doctor_id=s.doctor_id,
                start_at=s.start,
                end_at=s.end,
                local_start=s.start.astimezone(tz).isoformat(),
            )
            for s in free
        ],
    )


@router.get("/doctors", response_model=list[DoctorOut], response_model_by_alias=True)
def doctors(principal: PrincipalDep) -> list[DoctorOut]:
    return [
        DoctorOut.model_validate(d) for d in read_bookable_doctors(tenant_id=principal.tenant.id)
    ]
