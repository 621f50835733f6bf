"""The API-key principal: `last_used_at` is written at most every few minutes per key."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.models import ApiKey
from backend.services.clinics import auth

API = Path(__file__).resolve().parents[2] / "backend" / "api"


def _last_used(clinic):
    with session_scope(read_only=True) as session:
        key = session.exec(select(ApiKey).where(ApiKey.tenant_id == clinic.tenant.id)).one()
        return key.last_used_at


def test_first_request_records_last_used(clinic):
    # given
    auth.forget_cached_keys()
    assert _last_used(clinic) is None
    # when
    response = clinic.get("/api/v1/doctors")
    # then
    assert response.status_code == 200
    assert _last_used(clinic) == clock.now()


def test_last_used_is_written_again_only_after_five_minutes(clinic):
    # given
    auth.forget_cached_keys()
    clinic.get("/api/v1/doctors")
    first = _last_used(clinic)
    # when a request comes within the five minutes
    clock.advance(timedelta(minutes=4))
    clinic.get("/api/v1/doctors")
    # then nothing is written
    assert _last_used(clinic) == first
    # when one comes after them
    clock.advance(timedelta(minutes=2))
    clinic.get("/api/v1/doctors")
    # then the new time is recorded
    assert _last_used(clinic) == first + timedelta(minutes=6)


def test_unknown_key_is_not_a_principal(clinic):
    assert auth.authenticate_api_key("va_not-a-key") is None


def test_api_imports_no_tables():
    """Routes read through services, never tables (the layer rule of docs/ARCHITECTURE.md)."""
    offenders = []
    for path in sorted(API.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "backend.models"
            ):
                offenders.append(f"{path.relative_to(API.parent.parent)}: {node.module}")
            elif isinstance(node, ast.Import):
                offenders += [a.name for a in node.names if a.name.startswith("backend.models")]
    assert offenders == []


def test_a_key_revoked_elsewhere_is_refused_here_within_a_second(clinic, monkeypatch):
    # given: this process has the key cached
    auth.forget_cached_keys()
    assert clinic.get("/api/v1/doctors").status_code == 200
    # when: another process revokes it (straight in the database: this cache is not told)
    with session_scope(write=True) as session:
        key = session.exec(select(ApiKey).where(ApiKey.tenant_id == clinic.tenant.id)).one()
        key.revoked_at = clock.now()
        session.add(key)
    now = auth.time.monotonic()
    monkeypatch.setattr(auth.time, "monotonic", lambda: now + auth.KEY_CACHE_SECONDS + 0.01)
    # then
    assert auth.KEY_CACHE_SECONDS <= 1.0
    assert clinic.get("/api/v1/doctors").status_code == 401
