"""Finding a clinic: by its id (for a signed-in viewer or key) or by the WhatsApp number clients write to."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlmodel import Session, select

from backend.domain.errors import NotFound
from backend.models import Tenant


def by_whatsapp_number(session: Session, number: str) -> Tenant | None:
    """The clinic whose WhatsApp numbers include `number` (E.164), on either database."""
    if session.get_bind().dialect.name == "postgresql":
        condition = text("CAST(tenant.whatsapp_numbers AS jsonb) @> CAST(:numbers AS jsonb)")
        numbers = f'["{number}"]'
    else:
        condition = text(
            "EXISTS (SELECT 1 FROM json_each(tenant.whatsapp_numbers) WHERE value = :numbers)"
        )
        numbers = number
    return session.exec(
        select(Tenant).where(condition.bindparams(numbers=numbers)).limit(1)
    ).first()


def get_clinic(session: Session, tenant_id: uuid.UUID) -> Tenant:
    """The clinic, or NotFound (deleted under a live session or key)."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("clinic not found")
    return tenant
