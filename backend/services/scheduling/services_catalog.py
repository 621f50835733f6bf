"""A clinic's services (consulta, vacunación, cirugía…): the catalog and its rules.

Booking, availability and the assistant read the active services through
`bookable_services` / `service_for_booking` (cached per process for seconds,
like the doctors' schedules); the settings page lists and edits them here,
each change one unit of work. Every clinic has exactly one default service,
the general consultation used when a booking names none; it cannot be
deactivated.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.row_cache import RowCache, read_apart
from backend.domain.errors import NotFound, ValidationFailed
from backend.domain.service_matching import BookableService, match_service
from backend.models import Service, ServiceDoctor, StaffUser

DEFAULT_NAME = "Consulta general"
DEFAULT_MINUTES = 30
DEFAULT_KEYWORDS = ("consulta", "revisión", "chequeo", "control general")
MIN_DURATION, MAX_DURATION = 5, 480
MAX_BUFFER = 120
MAX_KEYWORDS = 20
SERVICE_CACHE_SECONDS = 5.0

_catalogs: RowCache[tuple[BookableService, ...]] = RowCache(
    tables=frozenset({"clinic_service", "service_doctor"}), ttl_s=SERVICE_CACHE_SECONDS
)


@dataclass(frozen=True)
class ServiceRow:
    """A service as the settings page shows it (inactive ones included)."""

    id: uuid.UUID
    name: str
    duration_minutes: int
    buffer_minutes: int
    deposit_required: bool
    is_active: bool
    is_default: bool
    keywords: tuple[str, ...]
    doctor_ids: tuple[uuid.UUID, ...]


def bookable_services(session: Session, tenant_id: uuid.UUID) -> tuple[BookableService, ...]:
    """The clinic's active services, default first then by name (cached for seconds)."""

    def read(apart: Session) -> tuple[BookableService, ...]:
        services = apart.exec(
            select(Service).where(Service.tenant_id == tenant_id, col(Service.is_active))
        ).all()
        doctors = _doctors_of(apart, [s.id for s in services])
        return tuple(
            BookableService(
                id=s.id,
                name=s.name,
                duration_minutes=s.duration_minutes,
                buffer_minutes=s.buffer_minutes,
                deposit_required=s.deposit_required,
                is_default=s.is_default,
                keywords=tuple(s.keywords or ()),
                doctor_ids=frozenset(doctors.get(s.id, ())),
            )
            for s in sorted(services, key=lambda s: (not s.is_default, s.name.casefold()))
        )

    return _catalogs.get(tenant_id, lambda: read_apart(session, read))


def service_for_booking(
    session: Session, tenant_id: uuid.UUID, service_id: uuid.UUID | None
) -> BookableService | None:
    """The active service asked for, else the clinic's default (None when it has none).

    Raises:
        NotFound: `service_id` is not an active service of this clinic.
    """
    services = bookable_services(session, tenant_id)
    if service_id is None:
        return next((s for s in services if s.is_default), None)
    found = next((s for s in services if s.id == service_id), None)
    if found is None:
        raise NotFound("ese servicio no existe o no está activo", field="serviceId")
    return found


def service_for_reason(
    session: Session, tenant_id: uuid.UUID, reason: str | None
) -> BookableService | None:
    """The active service a client's reason asks for, else the default one."""
    return match_service(reason, bookable_services(session, tenant_id))


def services_of_doctor(*, tenant_id: uuid.UUID, doctor_id: uuid.UUID) -> list[BookableService]:
    """The active services the doctor offers, the default first, in a read-only unit."""
    with session_scope(read_only=True) as session:
        return [s for s in bookable_services(session, tenant_id) if s.offered_by(doctor_id)]


def _doctors_of(
    session: Session, service_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    if not service_ids:
        return {}
    found: dict[uuid.UUID, list[uuid.UUID]] = {}
    for service_id, doctor_id in session.exec(
        select(ServiceDoctor.service_id, ServiceDoctor.doctor_id).where(
            col(ServiceDoctor.service_id).in_(service_ids)
        )
    ):
        found.setdefault(service_id, []).append(doctor_id)
    return found


def list_services(*, tenant_id: uuid.UUID) -> list[ServiceRow]:
    """Every service of the clinic, active first (default first), then by name."""
    with session_scope(read_only=True) as session:
        services = session.exec(select(Service).where(Service.tenant_id == tenant_id)).all()
        doctors = _doctors_of(session, [s.id for s in services])
        ordered = sorted(
            services, key=lambda s: (not s.is_active, not s.is_default, s.name.casefold())
        )
        return [
            ServiceRow(
                id=s.id,
                name=s.name,
                duration_minutes=s.duration_minutes,
                buffer_minutes=s.buffer_minutes,
                deposit_required=s.deposit_required,
                is_active=s.is_active,
                is_default=s.is_default,
                keywords=tuple(s.keywords or ()),
                doctor_ids=tuple(sorted(doctors.get(s.id, ()), key=str)),
            )
            for s in ordered
        ]


def add_default_service(
    session: Session, tenant_id: uuid.UUID, *, duration_minutes: int = DEFAULT_MINUTES
) -> Service:
    """The clinic's default "Consulta general" (a new clinic gets one at setup)."""
    service = Service(
        tenant_id=tenant_id,
        name=DEFAULT_NAME,
        duration_minutes=duration_minutes,
        is_default=True,
        keywords=list(DEFAULT_KEYWORDS),
    )
    session.add(service)
    return service


def create_service(
    *,
    tenant_id: uuid.UUID,
    name: str,
    duration_minutes: int,
    buffer_minutes: int = 0,
    deposit_required: bool = False,
    doctor_ids: Sequence[uuid.UUID] = (),
    keywords: Sequence[str] = (),
) -> uuid.UUID:
    """Adds an active service; returns its id.

    Raises:
        ValidationFailed: empty or repeated name, length or buffer out of range,
            too many keywords.
        NotFound: a doctor who is not an active doctor of the clinic.
    """
    with session_scope(write=True) as session:
        clean_name = _check_name(session, tenant_id, name)
        service = Service(
            tenant_id=tenant_id,
            name=clean_name,
            duration_minutes=_check_duration(duration_minutes),
            buffer_minutes=_check_buffer(buffer_minutes),
            deposit_required=deposit_required,
            is_default=not _has_default(session, tenant_id),
            keywords=_check_keywords(keywords),
        )
        session.add(service)
        session.flush()
        _set_doctors(session, tenant_id, service.id, doctor_ids)
        _flush_or_duplicate(session)
        return service.id


def update_service(
    *,
    tenant_id: uuid.UUID,
    service_id: uuid.UUID,
    name: str,
    duration_minutes: int,
    buffer_minutes: int,
    deposit_required: bool,
    doctor_ids: Sequence[uuid.UUID],
    keywords: Sequence[str],
    is_active: bool = True,
) -> None:
    """Replaces a service's settings (and reactivates it when `is_active`).

    Existing appointments keep their times; only new bookings use the new length.

    Raises:
        NotFound: no such service in this clinic, or a doctor who is not one of its
            active doctors.
        ValidationFailed: as `create_service`, or deactivating the default service.
    """
    with session_scope(write=True) as session:
        service = _get(session, tenant_id, service_id)
        if service.is_default and not is_active:
            raise _default_stays()
        service.name = _check_name(session, tenant_id, name, ignore=service.id)
        service.duration_minutes = _check_duration(duration_minutes)
        service.buffer_minutes = _check_buffer(buffer_minutes)
        service.deposit_required = deposit_required
        service.keywords = _check_keywords(keywords)
        service.is_active = is_active
        service.updated_at = utcnow()
        _set_doctors(session, tenant_id, service.id, doctor_ids)
        _flush_or_duplicate(session)


def deactivate_service(*, tenant_id: uuid.UUID, service_id: uuid.UUID) -> None:
    """Stops offering a service; its past appointments keep it. The default one stays.

    Raises:
        NotFound: no such service in this clinic.
        ValidationFailed: it is the default service.
    """
    with session_scope(write=True) as session:
        service = _get(session, tenant_id, service_id)
        if service.is_default:
            raise _default_stays()
        service.is_active = False
        service.updated_at = utcnow()


def _default_stays() -> ValidationFailed:
    return ValidationFailed(
        "La consulta general es el servicio por defecto: no se puede desactivar.",
        field="isActive",
        code="default_service",
    )


def _get(session: Session, tenant_id: uuid.UUID, service_id: uuid.UUID) -> Service:
    service = session.get(Service, service_id)
    if service is None or service.tenant_id != tenant_id:
        raise NotFound("ese servicio no existe en tu clínica", field="serviceId")
    return service


def _has_default(session: Session, tenant_id: uuid.UUID) -> bool:
    return (
        session.exec(
            select(Service.id).where(Service.tenant_id == tenant_id, col(Service.is_default))
        ).first()
        is not None
    )


def _check_name(
    session: Session, tenant_id: uuid.UUID, name: str, *, ignore: uuid.UUID | None = None
) -> str:
    clean = " ".join((name or "").split())
    if not clean:
        raise ValidationFailed("El servicio necesita un nombre.", field="serviceName")
    if len(clean) > 80:
        raise ValidationFailed("El nombre va hasta 80 caracteres.", field="serviceName")
    others = session.exec(
        select(Service.id, Service.name).where(Service.tenant_id == tenant_id)
    ).all()
    if any(n.casefold() == clean.casefold() and i != ignore for i, n in others):
        raise ValidationFailed(f"Ya existe un servicio llamado «{clean}».", field="serviceName")
    return clean


def _check_duration(minutes: int) -> int:
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        raise ValidationFailed(
            "La duración del servicio va de 5 a 480 minutos.", field="durationMinutes"
        )
    return minutes


def _check_buffer(minutes: int) -> int:
    if not 0 <= minutes <= MAX_BUFFER:
        raise ValidationFailed("El margen va de 0 a 120 minutos.", field="bufferMinutes")
    return minutes


def _check_keywords(keywords: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(" ".join(k.split()).lower() for k in keywords if k.strip()))
    if len(cleaned) > MAX_KEYWORDS or any(len(k) > 40 for k in cleaned):
        raise ValidationFailed(
            "Hasta 20 palabras clave, de 40 caracteres como máximo.", field="keywords"
        )
    return cleaned


def _set_doctors(
    session: Session, tenant_id: uuid.UUID, service_id: uuid.UUID, doctor_ids: Sequence[uuid.UUID]
) -> None:
    wanted = set(doctor_ids)
    if wanted:
        found = set(
            session.exec(
                select(StaffUser.id).where(
                    col(StaffUser.id).in_(wanted),
                    StaffUser.tenant_id == tenant_id,
                    StaffUser.role == "doctor",
                    col(StaffUser.is_active),
                )
            ).all()
        )
        if found != wanted:
            raise NotFound("uno de los médicos no existe en tu clínica", field="doctorIds")
    session.exec(delete(ServiceDoctor).where(col(ServiceDoctor.service_id) == service_id))  # type: ignore[call-overload]
    for doctor_id in sorted(wanted, key=str):
        session.add(ServiceDoctor(service_id=service_id, doctor_id=doctor_id))


def _flush_or_duplicate(session: Session) -> None:
    """Two people adding the same name at once: the unique index answers."""
    try:
        session.flush()
    except IntegrityError:
        raise ValidationFailed(
            "Ya existe un servicio con ese nombre.", field="serviceName"
        ) from None
