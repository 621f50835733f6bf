"""Clients and their pets: search, read, create, edit, merge duplicates.

Each route is one call to `services.patients` (profiles, merging, the client
directory). Phones are normalised to E.164 in the clinic's country; a phone
another client already has is a 409 (`phone_taken`).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from backend.api.deps import PrincipalDep
from backend.api.errors import error_responses
from backend.api.fields import PlainText
from backend.api.schemas import (
    ClientDetailOut,
    ClientIn,
    ClientMergeIn,
    ClientMergeOut,
    ClientOut,
    ClientSummaryOut,
    PetDetailsIn,
    PetOut,
)
from backend.services.patients import client_directory, merging, profiles

router = APIRouter(prefix="/api/v1", tags=["clients"], responses=error_responses(401, 422))


def _client(body: ClientIn) -> profiles.ClientDetails:
    return profiles.ClientDetails(phone=body.phone, name=body.name, email=body.email)


def _pet(body: PetDetailsIn) -> profiles.PetDetails:
    return profiles.PetDetails(
        name=body.name,
        species=body.species,
        breed=body.breed,
        birth_date=body.birth_date,
        weight_kg=body.weight_kg,
    )


@router.get("/clients", response_model=list[ClientSummaryOut], response_model_by_alias=True)
def search_clients(
    principal: PrincipalDep,
    q: Annotated[PlainText, Query(max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 60,
) -> list[ClientSummaryOut]:
    """Clients by name, pet name or phone digits (a merged duplicate's number too)."""
    found = client_directory.search(principal.tenant.id, q, limit=limit)
    return [ClientSummaryOut.model_validate(c) for c in found]


@router.post(
    "/clients",
    status_code=201,
    response_model=ClientOut,
    response_model_by_alias=True,
    responses=error_responses(409),
)
def create_client(body: ClientIn, principal: PrincipalDep) -> ClientOut:
    """A client without an appointment."""
    created = profiles.create_client(tenant_id=principal.tenant.id, details=_client(body))
    return ClientOut.model_validate(created)


@router.get(
    "/clients/{client_id}",
    response_model=ClientDetailOut,
    response_model_by_alias=True,
    responses=error_responses(404),
)
def get_client(client_id: uuid.UUID, principal: PrincipalDep) -> ClientDetailOut:
    card = client_directory.client_card(principal.tenant.id, client_id)
    return ClientDetailOut.model_validate(card)


@router.put(
    "/clients/{client_id}",
    response_model=ClientOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409),
)
def replace_client(client_id: uuid.UUID, body: ClientIn, principal: PrincipalDep) -> ClientOut:
    """Replaces the client's phone, name and e-mail (a field left out is cleared)."""
    updated = profiles.update_client(
        tenant_id=principal.tenant.id, client_id=client_id, details=_client(body)
    )
    return ClientOut.model_validate(updated)


@router.post(
    "/clients/{client_id}/merge",
    response_model=ClientMergeOut,
    response_model_by_alias=True,
    responses=error_responses(404),
)
def merge_client(
    client_id: uuid.UUID, body: ClientMergeIn, principal: PrincipalDep
) -> ClientMergeOut:
    """Merges the client `mergeId` into this one (same person, two numbers) and deletes it:
    every appointment, pet and conversation moves; its number stays as another phone."""
    result = merging.merge_clients(
        tenant_id=principal.tenant.id,
        actor=principal.actor,
        keep_id=client_id,
        merge_id=body.merge_id,
    )
    return ClientMergeOut(
        kept_id=result.kept_id, appointments=result.appointments, moved=result.moved
    )


@router.post(
    "/clients/{client_id}/pets",
    status_code=201,
    response_model=PetOut,
    response_model_by_alias=True,
    responses=error_responses(404),
)
def add_pet(client_id: uuid.UUID, body: PetDetailsIn, principal: PrincipalDep) -> PetOut:
    pet = profiles.add_pet(tenant_id=principal.tenant.id, client_id=client_id, details=_pet(body))
    return PetOut.model_validate(pet)


@router.put(
    "/pets/{pet_id}",
    response_model=PetOut,
    response_model_by_alias=True,
    responses=error_responses(404),
)
def replace_pet(pet_id: uuid.UUID, body: PetDetailsIn, principal: PrincipalDep) -> PetOut:
    """Replaces the pet's name, species, breed, birth date and weight."""
    pet = profiles.update_pet(tenant_id=principal.tenant.id, pet_id=pet_id, details=_pet(body))
    return PetOut.model_validate(pet)
