"""Request dependencies: the API-key principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from backend.services.clinics.auth import Principal, authenticate_api_key


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
    principal = authenticate_api_key(_bearer(request))
    if principal is None:
        raise HTTPException(
            401, "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"}
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(api_principal)]
