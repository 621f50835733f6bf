"""Appointments: the REST face of `services.booking`."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query

from backend.api.deps import PrincipalDep
from backend.api.errors import error_responses
from backend.api.fields import Instant, Offset, PlainText
from backend.api.schemas import (
    AppointmentCreate,
    AppointmentList,
    AppointmentOut,
    AppointmentPatch,
    VersionIn,
)
from backend.domain.appointment_rules import Source, Status, parse_status
from backend.domain.errors import ValidationFailed
from backend.services.scheduling import appointment_directory, booking

router = APIRouter(
    prefix="/api/v1/appointments", tags=["appointments"], responses=error_responses(401, 422)
)


def _version(body_version: int | None, if_match: str | None) -> int | None:
    if body_version is not None:
        return body_version
    if if_match:
        raw = if_match.strip().removeprefix("W/").strip('"')
        if not re.fullmatch(r"[0-9]{1,9}", raw):
            raise ValidationFailed("If-Match must carry the appointment version", field="If-Match")
        return int(raw)
    return None


@router.post(
    "",
    status_code=201,
    response_model=AppointmentOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409),
)
def create_appointment(body: AppointmentCreate, principal: PrincipalDep) -> AppointmentOut:
    """Books an appointment; the client (and pet) may be given inline."""
    if body.client_id is None and body.client is None:
        raise ValidationFailed("give clientId or client", field="clientId")
    new_client = None
    if body.client_id is None and body.client is not None:
        new_client = booking.NewClient(
            phone=body.client.phone, name=body.client.name, email=body.client.email
        )
    new_pet = None
    if body.pet_id is None and body.pet is not None:
        new_pet = booking.NewPet(
            name=body.pet.name,
            species=body.pet.species,
            breed=body.pet.breed,
            birth_date=body.pet.birth_date,
        )
    appointment = booking.book(
        tenant_id=principal.tenant.id,
        actor=principal.actor,
        client=new_client,
        pet=new_pet,
        data=booking.NewAppointment(
            doctor_id=body.doctor_id,
            client_id=body.client_id,
            pet_id=body.pet_id,
            start_at=body.start_at,
            end_at=body.end_at,
            reason=body.reason,
            notes=body.notes,
            status=body.status,
            priority=body.priority,
            procedure_type=body.procedure_type,
            service_id=body.service_id,
            source=Source.API,
        ),
    )
    return AppointmentOut.model_validate(appointment)


@router.get("", response_model=AppointmentList, response_model_by_alias=True)
def list_appointments(
    principal: PrincipalDep,
    doctor_id: Annotated[uuid.UUID | None, Query(alias="doctorId")] = None,
    client_id: Annotated[uuid.UUID | None, Query(alias="clientId")] = None,
    phone: Annotated[PlainText | None, Query(max_length=40)] = None,
    date_from: Annotated[Instant | None, Query(alias="from")] = None,
    date_to: Annotated[Instant | None, Query(alias="to")] = None,
    status: Annotated[PlainText | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> AppointmentList:
    """Appointments of the key's clinic, soonest first, filtered."""
    statuses = [parse_status(s.strip()) for s in status.split(",") if s.strip()] if status else None
    items, total = appointment_directory.search_appointments(
        tenant=principal.tenant,
        doctor_id=doctor_id,
        client_id=client_id,
        phone=phone,
        statuses=statuses,
        date_from=date_from,
        date_to=date_to,
        limit=limit,
        offset=offset,
    )
    return AppointmentList(items=[AppointmentOut.model_validate(a) for a in items], total=total)


@router.get(
    "/{appointment_id}",
    response_model=AppointmentOut,
    response_model_by_alias=True,
    responses=error_responses(404),
)
def get_appointment(appointment_id: uuid.UUID, principal: PrincipalDep) -> AppointmentOut:
    appointment = appointment_directory.read_appointment(
        tenant_id=principal.tenant.id, appointment_id=appointment_id
    )
    return AppointmentOut.model_validate(appointment)


@router.patch(
    "/{appointment_id}",
    response_model=AppointmentOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409),
)
def patch_appointment(
    appointment_id: uuid.UUID,
    body: AppointmentPatch,
    principal: PrincipalDep,
    if_match: Annotated[str | None, Header()] = None,
) -> AppointmentOut:
    """Reschedules (startAt/endAt/doctorId), changes status, or edits notes; needs the version."""
    version = _version(body.version, if_match)
    if version is None:
        raise ValidationFailed(
            "send the version you last saw (body 'version' or If-Match)", field="version"
        )
    appointment = booking.edit(
        tenant_id=principal.tenant.id,
        actor=principal.actor,
        appointment_id=appointment_id,
        expected_version=version,
        change=booking.AppointmentChange(
            start_at=body.start_at,
            end_at=body.end_at,
            doctor_id=body.doctor_id,
            status=body.status,
            cancel_reason=body.cancel_reason,
            procedure_type=body.procedure_type,
            notes=body.notes,
            reason=body.reason,
            notify_client=body.notify_client,
        ),
    )
    return AppointmentOut.model_validate(appointment)


@router.post(
    "/{appointment_id}/undo-status",
    response_model=AppointmentOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409),
)
def undo_status(
    appointment_id: uuid.UUID,
    principal: PrincipalDep,
    body: VersionIn | None = None,
    if_match: Annotated[str | None, Header()] = None,
) -> AppointmentOut:
    """Takes back a completion or a no-show made in the last 24 hours (409
    `nothing_to_undo` otherwise)."""
    appointment = booking.undo_status(
        tenant_id=principal.tenant.id,
        actor=principal.actor,
        appointment_id=appointment_id,
        expected_version=_version(body.version if body else None, if_match),
    )
    return AppointmentOut.model_validate(appointment)


@router.delete(
    "/{appointment_id}",
    response_model=AppointmentOut,
    response_model_by_alias=True,
    responses=error_responses(404, 409),
)
def cancel_appointment(
    appointment_id: uuid.UUID,
    principal: PrincipalDep,
    reason: Annotated[PlainText | None, Query(max_length=500)] = None,
    if_match: Annotated[str | None, Header()] = None,
) -> AppointmentOut:
    """Cancels (the row stays, status cancelled); If-Match guards against a stale view."""
    appointment = booking.edit(
        tenant_id=principal.tenant.id,
        actor=principal.actor,
        appointment_id=appointment_id,
        expected_version=_version(None, if_match),
        change=booking.AppointmentChange(status=Status.CANCELLED, cancel_reason=reason),
    )
    return AppointmentOut.model_validate(appointment)
