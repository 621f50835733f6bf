"""The portal's session cookie: set and cleared by the server, never readable by the page.

The login form posts straight to `POST /auth/login` (a plain browser form, not
a Reflex event), which answers with the token in an `HttpOnly; SameSite=Strict`
cookie (`Secure` and named `__Host-va_session` when PUBLIC_BASE_URL is https)
and a redirect into the portal; `POST /auth/logout` revokes the session and
clears the cookie. Page scripts never see the token (ASVS V3.4).

Reflex reads the cookie from the headers of the event WebSocket's handshake.
Those headers become part of Reflex's state, which Reflex keeps on disk
(`.states/*.pkl`) or in Redis, so `hash_session_cookie` rewrites the cookie's
value to the token's SHA-256 (what the database stores, `auth.session_key`)
before Reflex sees any request: the state only ever holds a digest, and a
digest copied from it is useless as a cookie, because the server hashes
whatever arrives.

Origins (ASVS V14.5.3): `accepts_origin` is the one rule. A browser request
is accepted when it carries no Origin, one of the configured origins
(`rxconfig.py`'s `cors_allowed_origins`: PUBLIC_BASE_URL, ALLOWED_ORIGINS,
loopback in the embedded default), or the origin of the very host it was sent
to (a phone on the clinic's network opening http://192.168.1.10:3000). The
login and logout endpoints apply it (login CSRF) and so does the event
WebSocket's handshake (`guard_event_socket`); credentialed CORS answers only
the configured origins.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlencode

import reflex as rx
from reflex.config import get_config
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.core.config import settings
from backend.services.clinics import auth
from vetassist_app import routes

LOGIN_PATH = "/auth/login"
LOGOUT_PATH = "/auth/logout"
MAX_FORM_BYTES = 8 * 1024


def cookie_name() -> str:
    return auth.session_cookie_name()


def session_key_from(cookie_header: str | None) -> str:
    """The session key in a request's Cookie header as Reflex sees it (already hashed)."""
    if not cookie_header:
        return ""
    try:
        jar = SimpleCookie(cookie_header)
    except CookieError:
        return ""
    morsel = jar.get(cookie_name())
    return morsel.value if morsel is not None else ""


# ------------------------------------------------------------ the ASGI layer


def _hashed_cookie_header(value: bytes, name: str) -> bytes:
    parts = []
    for part in value.decode("latin-1").split(";"):
        key, sep, raw = part.strip().partition("=")
        if sep and key == name and raw:
            part = f"{key}={auth.session_key(raw)}"
        parts.append(part.strip())
    return "; ".join(parts).encode("latin-1")


def hash_session_cookie(app: ASGIApp) -> ASGIApp:
    """Wraps `app` so every request it sees carries the session key instead of the token."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            name = cookie_name()
            headers = [
                (k, _hashed_cookie_header(v, name) if k == b"cookie" else v)
                for k, v in scope.get("headers", [])
            ]
            scope = {**scope, "headers": headers}
        await app(scope, receive, send)

    return wrapped


def with_session_routes(app: ASGIApp) -> ASGIApp:
    """The Reflex backend (with the API) behind the login/logout endpoints and the cookie
    hashing: the `api_transformer` that `vetassist_app.py` hands to Reflex."""
    routed = Starlette(
        routes=[
            Route(LOGIN_PATH, log_in, methods=["POST"]),
            Route(LOGOUT_PATH, log_out, methods=["POST"]),
            Mount("", app=app),
        ]
    )
    return hash_session_cookie(routed)


# ------------------------------------------------------------ origins


def accepts_origin(origin: str | None, environ: Mapping[str, Any] | None = None) -> bool:
    """Whether a browser request from `origin` may reach the portal (see the module doc).

    `environ` is the request as a WSGI environ (what engine.io hands its origin
    check): its Host and scheme give the request's own origin.
    """
    if not origin:
        return True
    origin = origin.rstrip("/").lower()
    configured = {o.rstrip("/").lower() for o in get_config().cors_allowed_origins}
    if origin in configured or "*" in configured:
        return True
    host = (environ or {}).get("HTTP_HOST", "")
    scheme = (environ or {}).get("wsgi.url_scheme", "http")
    return bool(host) and origin == f"{scheme}://{host}".lower()


def guard_event_socket(app: rx.App) -> None:
    """The event WebSocket's handshake refuses other origins (`accepts_origin`).

    Reflex hands its Socket.IO server the configured list only; engine.io also
    takes a function, which adds the request's own host.
    """
    if app.sio is not None:
        app.sio.eio.cors_allowed_origins = accepts_origin


# ------------------------------------------------------------ the endpoints


def _allowed_origin(request: Request) -> str | None:
    """The request's Origin when `accepts_origin` takes it ("" when the browser sent
    none); None when it comes from anywhere else."""
    origin = (request.headers.get("origin") or "").rstrip("/").lower()
    environ = {"HTTP_HOST": request.headers.get("host", ""), "wsgi.url_scheme": request.url.scheme}
    return origin if accepts_origin(origin, environ) else None


def _see_other(origin: str, path: str, query: dict[str, str | int] | None = None) -> Response:
    """A redirect into the portal's pages, on the page's own origin (in `make dev` the pages
    and this backend are on different ports). Reflex's production build serves each page
    as a folder (`/agenda/`): a full page load goes there directly, not through the static
    server's own redirect."""
    target = origin + path.rstrip("/") + "/" + (f"?{urlencode(query)}" if query else "")
    response = RedirectResponse(target, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused_origin() -> Response:
    return PlainTextResponse("Origin not allowed", status_code=403)


async def log_in(request: Request) -> Response:
    """POST /auth/login (email, password): the session cookie and the user's home page,
    or back to the login page with the reason (`/login/?error=invalid|throttled&minutes=N`)."""
    origin = _allowed_origin(request)
    if origin is None:
        return _refused_origin()
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        return PlainTextResponse("Form too large", status_code=413)
    form = await request.form()
    email = str(form.get("email") or "")
    password = str(form.get("password") or "")
    address = request.client.host if request.client else None
    try:
        token = await run_in_threadpool(
            auth.sign_in, email=email, password=password, address=address
        )
    except auth.LoginThrottled as exc:
        minutes = math.ceil(exc.retry_after_s / 60)
        return _see_other(origin, routes.LOGIN, {"error": "throttled", "minutes": minutes})
    if token is None:
        return _see_other(origin, routes.LOGIN, {"error": "invalid"})
    identity = await run_in_threadpool(auth.identify, auth.session_key(token), touch=False)
    response = _see_other(origin, routes.home_for(identity.role) if identity else routes.HOME)
    response.set_cookie(
        cookie_name(),
        token,
        max_age=settings.SESSION_TTL_HOURS * 3600,
        path="/",
        secure=settings.serves_https,
        httponly=True,
        samesite="strict",
    )
    return response


async def log_out(request: Request) -> Response:
    """POST /auth/logout: the session revoked server-side, the cookie cleared, to /login."""
    origin = _allowed_origin(request)
    if origin is None:
        return _refused_origin()
    key = session_key_from(request.headers.get("cookie"))
    if key:
        await run_in_threadpool(auth.sign_out, key)
    response = _see_other(origin, routes.LOGIN)
    response.delete_cookie(
        cookie_name(), path="/", secure=settings.serves_https, httponly=True, samesite="strict"
    )
    return response
