"""The clinic's services: what can be booked and how long each takes."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.deps import PrincipalDep
from backend.api.errors import error_responses
from backend.api.schemas import ServiceOut
from backend.services.scheduling import services_catalog

router = APIRouter(prefix="/api/v1", tags=["services"], responses=error_responses(401))


@router.get("/services", response_model=list[ServiceOut], response_model_by_alias=True)
def services(principal: PrincipalDep) -> list[ServiceOut]:
    """Active services of the key's clinic, the default one first; `doctorIds` empty = all."""
    return [
        ServiceOut.model_validate(s)
        for s in services_catalog.list_services(tenant_id=principal.tenant.id)
        if s.is_active
    ]
