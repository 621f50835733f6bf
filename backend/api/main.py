"""The REST API and webhooks as one ASGI app (mounted into Reflex, or served alone)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import text

from backend.api.errors import install_error_handlers
from backend.api.routes import (
    appointments,
    availability,
    conversations,
    dead_letters,
    emergencies,
    follow_ups,
    webhooks,
)
from backend.core.db import session_scope

STARTED_AT = datetime.now(UTC).isoformat(timespec="seconds")


def create_app() -> FastAPI:
    api = FastAPI(
        title="VetAssist API",
        version="1.0",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    install_error_handlers(api)
    api.include_router(appointments.router)
    api.include_router(availability.router)
    api.include_router(webhooks.router)
    api.include_router(conversations.router)
    api.include_router(emergencies.router)
    api.include_router(dead_letters.router)
    api.include_router(follow_ups.router)

    @api.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness plus a database round trip; `started_at` changes when the process restarts."""
        with session_scope(read_only=True) as session:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        return {"status": "ok", "started_at": STARTED_AT}

    return api


app = create_app()
