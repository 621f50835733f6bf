"""Request dependencies: the API-key principal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import col, update

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.models import ApiKey, Tenant
from backend.services.actors import Actor
from backend.services.clinics.auth import resolve_api_key


@dataclass(frozen=True)
class Principal:
    """The caller: one clinic and the key acting for it."""

    tenant: Tenant
    actor: Actor


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            401,
            "send the API key as 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


def api_principal(request: Request) -> Principal:
    resolved = resolve_api_key(_bearer(request))
    if resolved is None:
        raise HTTPException(
            401, "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"}
        )
    key, tenant = resolved
    if key.last_used_at is None or (utcnow() - key.last_used_at).total_seconds() > 300:
        # a separate short write, at most every few minutes per key
        key.last_used_at = utcnow()
        with session_scope(write=True) as session:
            session.exec(
                update(ApiKey).where(col(ApiKey.id) == key.id).values(last_used_at=key.last_used_at)
            )
    return Principal(tenant=tenant, actor=Actor(type="api_key", id=str(key.id), label=key.name))


PrincipalDep = Annotated[Principal, Depends(api_principal)]
