"""Opening a clinic and adding its doctors: the only way clinic rows are created.

Operators and scripts go through these functions (`python -m backend
create-clinic`, `add-doctor`), so a clinic always starts with a real time
zone, a served country and WhatsApp numbers that route to it alone, and a
doctor can be booked as soon as they exist.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from backend.domain.errors import Conflict, ValidationFailed
from backend.models import DoctorSchedule, StaffUser, Tenant
from backend.services.clinics import auth, clinic_directory
from backend.services.phones import to_e164
from backend.services.scheduling import services_catalog

SUPPORTED_COUNTRIES = ("CO", "PE", "CL", "MX", "AR")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SLUG_MAX = 80


def _check_slug(slug: str) -> str:
    slug = slug.strip().lower()
    if not _SLUG.match(slug) or len(slug) > _SLUG_MAX:
        raise ValidationFailed(
            f"slug '{slug}' must be 1-{_SLUG_MAX} lowercase letters, digits and single hyphens",
            field="slug",
        )
    return slug


def _check_timezone(name: str) -> str:
    name = name.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            f"'{name}' is not an IANA time zone (e.g. America/Bogota)", field="timezone"
        ) from None
    return name


def _check_country(code: str) -> str:
    code = code.strip().upper()
    if code not in SUPPORTED_COUNTRIES:
        raise ValidationFailed(
            f"country '{code}' is not served; use one of {', '.join(SUPPORTED_COUNTRIES)}",
            field="country",
        )
    return code


def create_clinic(
    session: Session,
    *,
    slug: str,
    name: str,
    timezone: str,
    country: str,
    whatsapp_numbers: Sequence[str],
    phone: str | None = None,
    address: str | None = None,
) -> Tenant:
    """Creates a clinic (tenant) after checking everything its first message will rely on.

    Incoming WhatsApp messages are routed to a clinic by the number they were
    sent to, so a number may belong to one clinic only; times are shown in the
    clinic's zone and phones parsed with its country, so both must be real.

    Raises:
        ValidationFailed: a bad slug, name, time zone, country or phone number.
        Conflict: the slug or a WhatsApp number is already taken.
    """
    slug = _check_slug(slug)
    name = name.strip()
    if not name:
        raise ValidationFailed("the clinic needs a name", field="name")
    timezone = _check_timezone(timezone)
    country = _check_country(country)
    numbers = list(dict.fromkeys(to_e164(raw, country) for raw in whatsapp_numbers))
    if not numbers:
        raise ValidationFailed(
            "the clinic needs at least one WhatsApp number", field="whatsappNumbers"
        )
    clinic_phone = to_e164(phone, country) if phone and phone.strip() else None
    if session.exec(select(Tenant.id).where(Tenant.slug == slug)).first() is not None:
        raise Conflict(f"a clinic with slug '{slug}' exists", field="slug")
    for number in numbers:
        owner = clinic_directory.by_whatsapp_number(session, number)
        if owner is not None:
            raise Conflict(
                f"WhatsApp number {number} is already used by clinic '{owner.slug}'",
                field="whatsappNumbers",
            )
    tenant = Tenant(
        slug=slug,
        name=name[:200],
        timezone=timezone,
        country=country,
        whatsapp_numbers=numbers,
        phone=clinic_phone,
        address=(address or "").strip()[:300] or None,
    )
    session.add(tenant)
    session.flush()
    services_catalog.add_default_service(session, tenant.id)
    session.flush()
    return tenant


def add_doctor(
    session: Session,
    *,
    tenant: Tenant,
    email: str,
    full_name: str,
    password: str,
    speciality: str | None = None,
    active_for_ai_booking: bool = False,
) -> StaffUser:
    """Creates a doctor's portal user together with the default weekly schedule.

    Availability only offers doctors that have a schedule, so creating both in
    one step makes the doctor bookable at once; the clinic adjusts the plan later
    in its settings.
    """
    if not full_name.strip():
        raise ValidationFailed("the doctor needs a name", field="name")
    doctor = auth.create_user(
        session,
        tenant=tenant,
        email=email,
        password=password,
        full_name=full_name.strip(),
        role="doctor",
        speciality=(speciality or "").strip() or None,
        active_for_ai_booking=active_for_ai_booking,
    )
    session.add(DoctorSchedule(tenant_id=tenant.id, doctor_id=doctor.id))
    session.flush()
    return doctor
