"""GET /oauth/google/callback: where Google sends the manager back after the consent page.

Who is logged in comes from the portal's session cookie (its digest, as the
ASGI layer in front of the app rewrote it). That cookie is SameSite=Strict,
so a browser coming straight from accounts.google.com (a cross-site
navigation) does not send it: such a request gets a tiny page that reloads
the same URL from our own origin, which does carry it. The answer is always a
303 to Settings → Google Calendar with the outcome in the query
(`google=conectado`, or `google=error&motivo=<reason>`), never an error page.
"""

from __future__ import annotations

import html
import logging
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.services.calendar_sync import oauth
from backend.services.clinics import auth

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

SETTINGS_PAGE = "/configuracion/"  # the production build serves each page as a folder
HOP = "hop"  # marks the reload from our own origin


def _session_key(request: Request) -> str:
    """The session key from the portal's cookie."""
    return request.cookies.get(auth.session_cookie_name(), "")


def _outcome(reason: str | None = None) -> Response:
    query = {"tab": "google", "google": "conectado"}
    if reason is not None:
        query = {"tab": "google", "google": "error", "motivo": reason}
    response = RedirectResponse(f"{SETTINGS_PAGE}?{urlencode(query)}", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _reload_from_our_origin(request: Request) -> Response:
    again = urlencode([*request.query_params.multi_items(), (HOP, "1")])
    target = html.escape(f"{oauth.CALLBACK_PATH}?{again}", quote=True)
    page = (
        '<!doctype html><html lang="es"><head><meta charset="utf-8">'
        '<meta name="referrer" content="no-referrer">'
        f'<meta http-equiv="refresh" content="0;url={target}">'
        "<title>Conectando con Google…</title></head>"
        f'<body><p>Conectando con Google… <a href="{target}">Continuar</a></p></body></html>'
    )
    return HTMLResponse(
        page,
        headers={
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'none'",
        },
    )


@router.get(oauth.CALLBACK_PATH)
def google_callback(request: Request) -> Response:
    """Completes the clinic's Google connection and returns to Settings with the outcome."""
    params = request.query_params
    if params.get("error"):
        cancelled = params["error"] == "access_denied"
        return _outcome("cancelado" if cancelled else "google")
    state, code = params.get("state", ""), params.get("code", "")
    if not state or not code:
        return _outcome("invalido")
    key = _session_key(request)
    if not key and not params.get(HOP):
        return _reload_from_our_origin(request)
    try:
        identity = auth.identify(key, touch=True)
        if identity is None:
            return _outcome("sesion")
        oauth.complete_authorization(state, code, staff_id=identity.user_id)
    except oauth.GoogleConnectFailed as exc:
        return _outcome(exc.reason)
    except Exception:  # the manager lands on Settings with a reason, never on an error page
        log.exception("completing the Google connection failed")
        return _outcome("google")
    return _outcome()
