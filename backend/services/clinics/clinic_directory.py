"""Finding a clinic: by its id (for a signed-in viewer or key) or by the WhatsApp number clients write to."""

from __future__ import annotations

import time
import uuid

from sqlalchemy import text
from sqlmodel import Session, select

from backend.core.db import session_scope
from backend.core.row_cache import RowCache, read_apart
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


NUMBER_CACHE_SECONDS = 60.0
"""How long a process trusts the clinic it found for a WhatsApp number. A number is given
to a clinic when the clinic is created and never moves, so the cache only spares the
webhook a query per message; unknown numbers are always looked up (a clinic created a
moment ago in another process is found at once)."""
_clinic_by_number: dict[str, tuple[float, uuid.UUID]] = {}


def clinic_id_for_number(number: str) -> uuid.UUID | None:
    """The id of the clinic whose WhatsApp numbers include `number`, cached per process."""
    now = time.monotonic()
    hit = _clinic_by_number.get(number)
    if hit is not None and hit[0] > now:
        return hit[1]
    with session_scope(read_only=True) as session:
        tenant = by_whatsapp_number(session, number)
        if tenant is None:
            return None
        if len(_clinic_by_number) > 10_000:
            _clinic_by_number.clear()
        _clinic_by_number[number] = (now + NUMBER_CACHE_SECONDS, tenant.id)
        return tenant.id


def forget_cached_numbers() -> None:
    """Drops the cache (a database replaced under the process: tests, benchmarks)."""
    _clinic_by_number.clear()


def get_clinic(session: Session, tenant_id: uuid.UUID) -> Tenant:
    """The clinic, or NotFound (deleted under a live session or key)."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("clinic not found")
    return tenant


CLINIC_CACHE_SECONDS = 5.0
"""How long a process may book against a clinic's settings read earlier: a change made in
this process is seen at once, one made in another within this time. The database's
constraints, not these settings, keep appointments from overlapping."""
_clinics: RowCache[Tenant] = RowCache(tables=frozenset({"tenant"}), ttl_s=CLINIC_CACHE_SECONDS)


def clinic_to_read(session: Session, tenant_id: uuid.UUID) -> Tenant:
    """The clinic for reading its settings (booking rules), from this process's cache;
    NotFound as `get_clinic`. Shared between threads: never change what it returns."""
    return _clinics.get(tenant_id, lambda: read_apart(session, lambda s: get_clinic(s, tenant_id)))
