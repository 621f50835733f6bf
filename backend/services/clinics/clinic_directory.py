"""Finding a clinic by what identifies it from outside: the WhatsApp number clients write to."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, select

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
