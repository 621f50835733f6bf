"""The REST API and webhooks as one ASGI app (mounted into Reflex, or served alone).

Served alone (`uvicorn backend.api.main:app`) its lifespan wires the process
and runs the embedded background work, as the portal's does; mounted into
Reflex, Reflex's lifespan runs instead (Starlette does not start a mounted app's).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import redis
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from backend import wiring
from backend.api.errors import install_error_handlers
from backend.api.routes import (
    appointments,
    availability,
    clients,
    conversations,
    dead_letters,
    emergencies,
    follow_ups,
    google_oauth,
    google_webhooks,
    services,
    webhooks,
)
from backend.core.config import settings
from backend.core.db import limit_threads_to_pool, ping
from backend.core.heap import freeze_startup_objects
from backend.workers.inprocess import run_periodic_sweeps

log = logging.getLogger(__name__)

STARTED_AT = datetime.now(UTC).isoformat(timespec="seconds")


@contextlib.asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    """Start-up of a process that serves only the API: wiring, then the sweeps until shutdown."""
    wiring.install()
    limit_threads_to_pool()
    freeze_startup_objects()
    sweeps = asyncio.create_task(run_periodic_sweeps())
    try:
        yield
    finally:
        sweeps.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeps


def _answers(check: Callable[[], object]) -> str:
    try:
        check()
    except Exception as exc:  # any failure means "not ready"; the reason is logged
        log.warning("readiness check %s failed: %r", getattr(check, "__name__", check), exc)
        return "unavailable"
    return "ok"


def _ping_redis() -> None:
    client = redis.Redis.from_url(
        str(settings.REDIS_URL), socket_timeout=1, socket_connect_timeout=1
    )
    try:
        client.ping()
    finally:
        client.close()


def create_app() -> FastAPI:
    api = FastAPI(
        lifespan=lifespan,
        title="VetAssist API",
        version="1.0",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        # "/api/v1/appointments/" is a 404, not a redirect built from the Host header (behind a
        # proxy that names an internal address)
        redirect_slashes=False,
    )
    install_error_handlers(api)
    api.include_router(appointments.router)
    api.include_router(availability.router)
    api.include_router(webhooks.router)
    api.include_router(google_webhooks.router)
    api.include_router(conversations.router)
    api.include_router(emergencies.router)
    api.include_router(dead_letters.router)
    api.include_router(follow_ups.router)
    api.include_router(services.router)
    api.include_router(clients.router)
    api.include_router(google_oauth.router)

    @api.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness plus a database round trip; `started_at` changes when the process restarts."""
        ping()
        return {"status": "ok", "started_at": STARTED_AT}

    @api.get("/readyz", tags=["health"])
    def readyz() -> JSONResponse:
        """Whether this process can serve: 200 when the database (and Redis, when configured)
        answer, 503 naming what does not. Pooled connections are pre-pinged, so after a
        restart of either it is ready again by itself."""
        checks = {"database": _answers(ping)}
        if settings.REDIS_URL:
            checks["redis"] = _answers(_ping_redis)
        ready = all(state == "ok" for state in checks.values())
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", **checks},
            status_code=200 if ready else 503,
        )

    return api


app = create_app()
