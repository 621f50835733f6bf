"""Free slots and the doctors who take appointments."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from backend.api.deps import PrincipalDep
from backend.api.schemas import AvailabilityOut, DoctorOut
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.domain.errors import NotFound
from backend.services.scheduling.availability import bookable_doctors, find_free_slots, get_doctor

router = APIRouter(prefix="/api/v1", tags=["availability"])


@router.get("/availability", response_model=AvailabilityOut, response_model_by_alias=True)
def availability(
    principal: PrincipalDep,
    day: Annotated[date, Query(alias="date")],
    tenant_id: Annotated[str | None, Query(alias="tenantId")] = None,
    doctor_id: Annotated[uuid.UUID | None, Query(alias="doctorId")] = None,
    days: Annotated[int, Query(ge=1, le=31)] = 1,
    limit: Annotated[int, Query(ge=1, le=500)] = 10,
) -> dict[str, object]:
    """Free slots on a local date (or `days` from it); all bookable doctors when no doctorId."""
    tenant = principal.tenant
    if tenant_id is not None and tenant_id not in (str(tenant.id), tenant.slug):
        raise NotFound("clinic not found", field="tenantId")
    with session_scope(read_only=True) as session:
        doctors = (
            [get_doctor(session, tenant.id, doctor_id)]
            if doctor_id
            else bookable_doctors(session, tenant.id)
        )
        slots = find_free_slots(
            session,
            tenant=tenant,
            doctors=doctors,
            start_day=day,
            end_day=day + timedelta(days=days - 1),
            now=utcnow(),
            limit=limit,
        )
    tz = ZoneInfo(tenant.timezone)
    return {
        "tenant_id": tenant.id,
        "timezone": tenant.timezone,
        "date": day,
        "slots": [
            {
                "doctor_id": s.doctor_id,
                "start_at": s.start,
                "end_at": s.end,
                "local_start": s.start.astimezone(tz).isoformat(),
            }
            for s in slots
        ],
    }


@router.get("/doctors", response_model=list[DoctorOut], response_model_by_alias=True)
def doctors(principal: PrincipalDep) -> list[object]:
    with session_scope() as session:
        return list(bookable_doctors(session, principal.tenant.id))
