"""Appointments: the REST face of `services.booking`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query
from sqlmodel import Session, col, func, select

from backend.api.deps import Principal, PrincipalDep
from backend.api.schemas import AppointmentCreate, AppointmentList, AppointmentOut, AppointmentPatch
from backend.core.db import session_scope
from backend.domain.appointment_rules import Source, Status, parse_status
from backend.domain.errors import NotFound, ValidationFailed
from backend.models import Appointment, Client
from backend.services.phones import to_e164
from backend.services.scheduling import booking

router = APIRouter(prefix="/api/v1/appointments", tags=["appointments"])


def _version(body_version: int | None, if_match: str | None) -> int | None:
    if body_version is not None:
        return body_version
    if if_match:
        raw = if_match.strip().removeprefix("W/").strip('"')
        if not raw.isdigit():
            raise ValidationFailed("If-Match must carry the appointment version", field="If-Match")
        return int(raw)
    return None


def _get(session: Session, principal: Principal, appointment_id: uuid.UUID) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.tenant_id != principal.tenant.id:
        raise NotFound("appointment not found")
    return appointment


@router.post("", status_code=201, response_model=AppointmentOut, response_model_by_alias=True)
def create_appointment(body: AppointmentCreate, principal: PrincipalDep) -> Appointment:
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
    return booking.book(
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
            source=Source.API,
        ),
    )


@router.get("", response_model=AppointmentList, response_model_by_alias=True)
def list_appointments(
    principal: PrincipalDep,
    doctor_id: Annotated[uuid.UUID | None, Query(alias="doctorId")] = None,
    client_id: Annotated[uuid.UUID | None, Query(alias="clientId")] = None,
    phone: str | None = None,
    date_from: Annotated[datetime | None, Query(alias="from")] = None,
    date_to: Annotated[datetime | None, Query(alias="to")] = None,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, object]:
    """Appointments of the key's clinic, soonest first, filtered."""
    query = select(Appointment).where(Appointment.tenant_id == principal.tenant.id)
    if doctor_id:
        query = query.where(Appointment.doctor_id == doctor_id)
    if client_id:
        query = query.where(Appointment.client_id == client_id)
    if status:
        statuses = [parse_status(s.strip()) for s in status.split(",") if s.strip()]
        query = query.where(col(Appointment.status).in_(statuses))
    for value, name in ((date_from, "from"), (date_to, "to")):
        if value is not None and value.tzinfo is None:
            raise ValidationFailed("give the time with an offset (e.g. Z)", field=name)
    if date_from:
        query = query.where(Appointment.end_at > date_from)
    if date_to:
        query = query.where(Appointment.start_at < date_to)
    with session_scope() as session:
        if phone:
            e164 = to_e164(phone, principal.tenant.country)
            query = query.join(Client, col(Client.id) == Appointment.client_id).where(
                Client.phone == e164
            )
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        items = session.exec(
            query.order_by(col(Appointment.start_at)).offset(offset).limit(limit)
        ).all()
        return {"items": list(items), "total": total}


@router.get("/{appointment_id}", response_model=AppointmentOut, response_model_by_alias=True)
def get_appointment(appointment_id: uuid.UUID, principal: PrincipalDep) -> Appointment:
    with session_scope() as session:
        return _get(session, principal, appointment_id)


@router.patch("/{appointment_id}", response_model=AppointmentOut, response_model_by_alias=True)
def patch_appointment(
    appointment_id: uuid.UUID,
    body: AppointmentPatch,
    principal: PrincipalDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Appointment:
    """Reschedules (startAt/endAt/doctorId), changes status, or edits notes; needs the version."""
    version = _version(body.version, if_match)
    if version is None:
        raise ValidationFailed(
            "send the version you last saw (body 'version' or If-Match)", field="version"
        )
    moves = body.start_at is not None or body.end_at is not None or body.doctor_id is not None
    if moves and body.status is not None:
        raise ValidationFailed("reschedule and status change are separate requests", field="status")
    tenant, actor = principal.tenant, principal.actor
    with session_scope(write=True) as session:
        _get(session, principal, appointment_id)
        if moves:
            if body.start_at is None:
                raise ValidationFailed("give startAt to reschedule", field="startAt")
            return booking.reschedule(
                session,
                tenant=tenant,
                actor=actor,
                appointment_id=appointment_id,
                start_at=body.start_at,
                end_at=body.end_at,
                doctor_id=body.doctor_id,
                expected_version=version,
            )
        if body.status is not None:
            return booking.change_status(
                session,
                tenant=tenant,
                actor=actor,
                appointment_id=appointment_id,
                status=parse_status(body.status),
                expected_version=version,
                reason=body.cancel_reason,
                procedure_type=body.procedure_type,
            )
        if body.notes is not None or body.reason is not None:
            return booking.update_notes(
                session,
                tenant=tenant,
                actor=actor,
                appointment_id=appointment_id,
                notes=body.notes,
                reason=body.reason,
                expected_version=version,
            )
        raise ValidationFailed("nothing to change", field=None)


@router.delete("/{appointment_id}", response_model=AppointmentOut, response_model_by_alias=True)
def cancel_appointment(
    appointment_id: uuid.UUID,
    principal: PrincipalDep,
    reason: Annotated[str | None, Query(max_length=500)] = None,
    if_match: Annotated[str | None, Header()] = None,
) -> Appointment:
    """Cancels (the row stays, status cancelled); If-Match guards against a stale view."""
    with session_scope(write=True) as session:
        _get(session, principal, appointment_id)
        return booking.change_status(
            session,
            tenant=principal.tenant,
            actor=principal.actor,
            appointment_id=appointment_id,
            status=Status.CANCELLED,
            expected_version=_version(None, if_match),
            reason=reason,
        )
