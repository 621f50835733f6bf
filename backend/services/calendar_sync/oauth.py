"""Connecting a clinic's Google account from Settings (OAuth 2.0 web flow), disconnecting it,
and choosing each doctor's calendar.

The redirect URL is PUBLIC_BASE_URL + "/oauth/google/callback" (`redirect_url`);
it must be listed exactly so among the "Authorized redirect URIs" of the
install's OAuth client (GOOGLE_CLIENT_ID) in Google Cloud. The consent page
and token endpoint come from GOOGLE_AUTH_URI and GOOGLE_TOKEN_URI, so the
local fake (`fake_server`) can stand in for Google.

No table holds a flow in progress: `authorization_url` puts the clinic, the
staff member, a nonce, the PKCE code verifier and the time into `state`,
encrypted and authenticated with SECRETS_KEY (Fernet), so the browser carries
it but can neither read the verifier nor change a field; it is valid for
`STATE_TTL`. `complete_authorization` opens it, checks that the person
finishing is the one who started (login CSRF) and still manages the clinic,
exchanges the code and stores the refresh token through
`connections.store_connection`, the CLI's own path.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import requests
from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from sqlalchemy import update
from sqlmodel import Session, col, delete, select

from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.core.jobs import Job, submit_after_commit
from backend.core.secrets import SecretsUnavailable, decrypt, encrypt
from backend.domain.errors import DomainError, NotFound, ValidationFailed
from backend.integrations.google_calendar.gateway import (
    CalendarError,
    CalendarInfo,
    ConnectionBroken,
)
from backend.integrations.google_calendar.google_client import SCOPES
from backend.models import (
    Appointment,
    CalendarBusyBlock,
    DoctorCalendar,
    GoogleConnection,
    StaffUser,
)
from backend.services.actors import Actor
from backend.services.calendar_sync import connections, event_body, push
from backend.services.calendar_sync.outbound import REMOVED_STATUSES

log = logging.getLogger(__name__)

CALLBACK_PATH = "/oauth/google/callback"
STATE_TTL = timedelta(minutes=10)
MANAGERS = frozenset({"manager", "admin"})
WRITABLE_ROLES = frozenset({"owner", "writer"})
"""Calendars the account may write events to (readers cannot hold appointments)."""
HTTP_TIMEOUT_S = 10.0
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


class GoogleConnectFailed(DomainError):
    """Connecting (or reading the calendars of) a clinic's Google account failed.

    `reason` is a short Spanish slug the callback puts in its redirect
    (`cancelado`, `vencido`, `invalido`, `otra-sesion`, `sin-permiso`,
    `sin-token`, `sin-calendario`, `google`, `desactivado`, `sin-conexion`).
    """

    code = "google_connect_failed"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _failed(reason: str) -> GoogleConnectFailed:
    return GoogleConnectFailed(reason, MESSAGES[reason])


MESSAGES = {
    "cancelado": "Se canceló la conexión con Google: no se dio el permiso.",
    "vencido": "La conexión con Google tardó demasiado; hay que intentarlo de nuevo.",
    "invalido": "La respuesta de Google no es válida; hay que conectar de nuevo desde Configuración.",
    "otra-sesion": (
        "La conexión se inició con otra sesión; hay que conectar de nuevo desde Configuración."
    ),
    "sin-permiso": "Solo el gerente o un administrador de la clínica puede conectar Google.",
    "sin-token": (
        "Google no entregó un permiso permanente: hay que quitar el acceso de VetAssist en la "
        "cuenta de Google (myaccount.google.com/permissions) y conectar de nuevo."
    ),
    "sin-calendario": (
        "No se dio permiso para Google Calendar: hay que conectar de nuevo y marcar el acceso "
        "al calendario."
    ),
    "google": "Google no respondió como se esperaba; hay que intentarlo de nuevo en unos minutos.",
    "desactivado": "Este servidor no tiene configurado un cliente de Google.",
    "sin-conexion": "La clínica no está conectada con Google Calendar.",
    "sesion": "La sesión terminó: hay que iniciar sesión y conectar Google de nuevo.",
}


def redirect_url() -> str:
    """Where Google sends the browser back: PUBLIC_BASE_URL + /oauth/google/callback."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + CALLBACK_PATH


def _allow_local_http() -> None:
    """requests-oauthlib refuses plain http; it is allowed only when every http address
    involved is a loopback one (development, tests, the fake), never otherwise."""
    urls = (settings.GOOGLE_AUTH_URI, settings.GOOGLE_TOKEN_URI, redirect_url())
    plain = [urlsplit(u) for u in urls if urlsplit(u).scheme != "https"]
    if not plain:
        return
    if all(u.scheme == "http" and u.hostname in _LOOPBACK for u in plain):
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
        return
    log.error("Google OAuth needs https addresses: %s", [u.geturl() for u in plain])
    raise _failed("desactivado")


def _flow(code_verifier: str, state: str | None = None) -> Flow:
    _allow_local_http()
    config = {
        "web": {
            "client_id": settings.GOOGLE_CLIENT_ID,
            "client_secret": settings.GOOGLE_CLIENT_SECRET,
            "auth_uri": settings.GOOGLE_AUTH_URI,
            "token_uri": settings.GOOGLE_TOKEN_URI,
            "redirect_uris": [redirect_url()],
        }
    }
    return Flow.from_client_config(
        config,
        scopes=SCOPES,
        redirect_uri=redirect_url(),
        state=state,
        code_verifier=code_verifier,
        autogenerate_code_verifier=False,
    )


def _require_sync_on() -> None:
    if not settings.google_sync_on:
        raise _failed("desactivado")


def _manager(session: Session, staff_id: uuid.UUID, tenant_id: uuid.UUID) -> StaffUser:
    staff = session.get(StaffUser, staff_id)
    if (
        staff is None
        or not staff.is_active
        or staff.tenant_id != tenant_id
        or staff.role not in MANAGERS
    ):
        raise _failed("sin-permiso")
    return staff


# ---- connecting -------------------------------------------------------------------


def authorization_url(tenant_id: uuid.UUID, staff_id: uuid.UUID) -> str:
    """Google's consent page for the clinic's manager (offline access, consent asked again,
    so Google always returns a refresh token).

    Raises:
        GoogleConnectFailed: sync is off, or the staff member is not the clinic's manager/admin.
    """
    _require_sync_on()
    with session_scope(read_only=True) as session:
        _manager(session, staff_id, tenant_id)
    verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-]: a valid PKCE verifier
    state = encrypt(
        json.dumps(
            {
                "tenant": str(tenant_id),
                "staff": str(staff_id),
                "nonce": secrets.token_urlsafe(12),
                "code_verifier": verifier,
                "issued": utcnow().isoformat(),
            }
        )
    )
    url, _ = _flow(verifier).authorization_url(
        state=state, access_type="offline", prompt="consent", include_granted_scopes="true"
    )
    return str(url)


def _open_state(state: str) -> dict[str, str]:
    try:
        opened = json.loads(decrypt(state))
        issued = datetime.fromisoformat(opened["issued"])
        uuid.UUID(opened["tenant"]), uuid.UUID(opened["staff"])
        if not opened["code_verifier"]:
            raise ValueError("no verifier")
    except (SecretsUnavailable, ValueError, KeyError, TypeError):
        raise _failed("invalido") from None
    if utcnow() - issued > STATE_TTL:
        raise _failed("vencido")
    return {k: str(v) for k, v in opened.items()}


def _exchange(code: str, verifier: str) -> dict[str, Any]:
    """The token answer for `code` (a changed scope is an answer too, checked by the caller)."""
    flow = _flow(verifier)
    try:
        return dict(flow.fetch_token(code=code, timeout=HTTP_TIMEOUT_S))
    except OAuth2Error as exc:
        log.warning("Google refused the authorization code: %s", exc)
        raise _failed("google") from exc
    except requests.RequestException as exc:
        log.warning("Google's token endpoint did not answer: %r", exc)
        raise _failed("google") from exc
    except Warning as exc:  # oauthlib: "Scope has changed" (include_granted_scopes)
        token = getattr(exc, "token", None)
        if token is None:
            raise _failed("google") from exc
        return dict(token)


def _granted(token: dict[str, Any]) -> set[str]:
    scope = token.get("scope")
    if scope is None:
        return set(SCOPES)  # no scope in the answer: what was asked for was granted
    return set(scope.split() if isinstance(scope, str) else scope)


def complete_authorization(state: str, code: str, *, staff_id: uuid.UUID) -> GoogleConnection:
    """Finishes the consent: exchanges the code and connects the clinic named in `state`.

    `staff_id` is who is logged in where Google sent the browser back; it must
    be who started (login CSRF) and still be the clinic's manager or admin.
    The account's e-mail (its primary calendar's id) is read afterwards, best-effort.

    Raises:
        GoogleConnectFailed: with `reason` and a Spanish message (see the class).
    """
    _require_sync_on()
    opened = _open_state(state)
    tenant_id = uuid.UUID(opened["tenant"])
    if uuid.UUID(opened["staff"]) != staff_id:
        raise _failed("otra-sesion")
    with session_scope(read_only=True) as session:
        _manager(session, staff_id, tenant_id)
    if not code:
        raise _failed("invalido")
    token = _exchange(code, opened["code_verifier"])
    if SCOPES[0] not in _granted(token):
        raise _failed("sin-calendario")
    refresh_token = str(token.get("refresh_token") or "")
    if not refresh_token:
        raise _failed("sin-token")
    with session_scope(write=True) as session:
        _manager(session, staff_id, tenant_id)
        connection = connections.store_connection(
            session, tenant_id, refresh_token, account_email=None
        )
        session.flush()
        target = connections.SyncTarget(connection.id, "", connection.refresh_token_encrypted)
    log.info("clinic %s connected Google Calendar (staff %s)", tenant_id, staff_id)
    email = _account_email(target)
    if email:
        with session_scope(write=True) as session:
            stored = session.get(GoogleConnection, connection.id, with_for_update=True)
            if (
                stored is not None
                and stored.refresh_token_encrypted == target.refresh_token_encrypted
            ):
                stored.account_email = email[:254]
                session.add(stored)
                connection = stored
    return connection


def _account_email(target: connections.SyncTarget) -> str | None:
    """The primary calendar's id, which Google makes the account's address."""
    try:
        calendars = target.gateway().list_calendars()
    except (CalendarError, SecretsUnavailable) as exc:
        log.info("the connected account's e-mail is unknown: %s", exc)
        return None
    primary = next((c.id for c in calendars if c.primary), None)
    return primary if primary and "@" in primary else None


# ---- disconnecting ----------------------------------------------------------------


def disconnect(tenant_id: uuid.UUID, actor: Actor) -> bool:
    """Disconnects the clinic: channels stopped, token revoked at Google, nothing synced.

    A revoke Google does not answer still disconnects here (logged). The
    refresh token is blanked; the doctors keep their calendar choice (for a
    reconnection) but their read-back starts over, and the clinic's busy
    blocks are deleted, so stale Google time no longer blocks slots.
    Appointments and their events are left as they are. False when there
    was nothing to disconnect.
    """
    with session_scope(read_only=True) as session:
        connection = session.exec(
            select(GoogleConnection).where(GoogleConnection.tenant_id == tenant_id)
        ).first()
        if connection is None or connection.status == connections.DISCONNECTED:
            return False
        encrypted = connection.refresh_token_encrypted
    push.stop_channels_for_tenant(tenant_id)  # before the revoke: stopping needs the token
    _revoke(encrypted)
    with session_scope(write=True) as session:
        stored = session.exec(
            select(GoogleConnection)
            .where(GoogleConnection.tenant_id == tenant_id)
            .with_for_update()
        ).first()
        if stored is None:
            return False
        stored.status = connections.DISCONNECTED
        stored.refresh_token_encrypted = ""
        stored.account_email = None
        stored.broken_reason = None
        session.add(stored)
        session.exec(  # type: ignore[call-overload]
            delete(CalendarBusyBlock).where(col(CalendarBusyBlock.tenant_id) == tenant_id)
        )
        session.exec(  # type: ignore[call-overload]
            update(DoctorCalendar)
            .where(col(DoctorCalendar.tenant_id) == tenant_id)
            .values(sync_token=None, busy_polled_at=None, busy_resynced_at=None)
        )
    log.info("clinic %s disconnected Google Calendar (%s)", tenant_id, actor.display)
    return True


def _revoke(encrypted: str) -> None:
    """Best-effort: a token Google keeps is useless without the clinic's row, now blanked."""
    try:
        token = decrypt(encrypted) if encrypted else ""
    except SecretsUnavailable as exc:
        log.warning("the Google token could not be opened to revoke it: %s", exc)
        return
    if not token:
        return
    try:
        answer = httpx.post(
            settings.GOOGLE_REVOKE_URI, data={"token": token}, timeout=HTTP_TIMEOUT_S
        )
    except httpx.HTTPError as exc:
        log.warning("revoking the Google token failed (disconnected anyway): %r", exc)
        return
    if answer.status_code != 200:
        log.warning(
            "Google answered %s to the revoke (disconnected anyway): %s",
            answer.status_code,
            answer.text[:200],
        )


# ---- each doctor's calendar ---------------------------------------------------------


def calendars_of(tenant_id: uuid.UUID) -> list[CalendarInfo]:
    """The calendars the clinic's account can write to, primary first (one Google call).

    Raises:
        GoogleConnectFailed: not connected (`sin-conexion`), Google refused the
            token (the connection is marked broken) or did not answer (`google`).
    """
    _require_sync_on()
    with session_scope(read_only=True) as session:
        connection = session.exec(
            select(GoogleConnection).where(
                GoogleConnection.tenant_id == tenant_id,
                GoogleConnection.status == connections.CONNECTED,
            )
        ).first()
        if connection is None:
            raise _failed("sin-conexion")
        target = connections.SyncTarget(connection.id, "", connection.refresh_token_encrypted)
    try:
        calendars = target.gateway().list_calendars()
    except ConnectionBroken as exc:
        with session_scope(write=True) as session:
            connections.mark_broken(session, target.connection_id, str(exc))
        raise GoogleConnectFailed(
            "sin-conexion",
            "Google rechazó el acceso de la clínica: hay que volver a conectar la cuenta.",
        ) from exc
    except (CalendarError, SecretsUnavailable) as exc:
        log.warning("listing the calendars of clinic %s failed: %s", tenant_id, exc)
        raise GoogleConnectFailed(
            "google",
            "No se pudo leer la lista de calendarios de Google; hay que intentarlo de nuevo.",
        ) from exc
    writable = [c for c in calendars if c.access_role in WRITABLE_ROLES]
    return sorted(writable, key=lambda c: (not c.primary, c.summary.lower()))


def choose_calendar(
    tenant_id: uuid.UUID, doctor_id: uuid.UUID, calendar_id: str | None
) -> DoctorCalendar | None:
    """Sets the Google calendar the doctor's appointments go to (None: stop syncing them).

    Another calendar starts the doctor's read-back over (sync token and busy
    blocks cleared) and sends their live future appointments to the new
    calendar (the job moves each event out of the calendar it was in). None
    deletes the choice and the doctor's busy blocks, and takes the live future
    events out of the calendar they were in, since nothing would keep them current.

    Raises:
        NotFound: no such doctor in the clinic.
        ValidationFailed: a calendar id that is blank or too long.
    """
    chosen = (calendar_id or "").strip() or None
    if calendar_id is not None and (chosen is None or len(chosen) > 300):
        raise ValidationFailed("El calendario elegido no es válido.", field="calendar_id")
    with session_scope(write=True) as session:
        doctor = session.get(StaffUser, doctor_id)
        if doctor is None or doctor.tenant_id != tenant_id:
            raise NotFound("No se encontró el médico.")
        row = session.exec(
            select(DoctorCalendar).where(DoctorCalendar.doctor_id == doctor_id).with_for_update()
        ).first()
        if (row.calendar_id if row else None) == chosen:
            return row
        session.exec(  # type: ignore[call-overload]
            delete(CalendarBusyBlock).where(col(CalendarBusyBlock.doctor_id) == doctor_id)
        )
        if chosen is None:
            assert row is not None
            session.delete(row)
            _resync_future(session, tenant_id, doctor_id, only_synced=True)
            return None
        row = row or DoctorCalendar(tenant_id=tenant_id, doctor_id=doctor_id, calendar_id=chosen)
        row.calendar_id = chosen
        row.sync_token = None  # another calendar: reading it back starts over
        row.busy_polled_at = row.busy_resynced_at = None
        session.add(row)
        _resync_future(session, tenant_id, doctor_id, only_synced=False)
        return row


def _resync_future(
    session: Session, tenant_id: uuid.UUID, doctor_id: uuid.UUID, *, only_synced: bool
) -> None:
    """Makes the doctor's live future appointments pending and submits their sync."""
    query = select(Appointment).where(
        Appointment.tenant_id == tenant_id,
        Appointment.doctor_id == doctor_id,
        col(Appointment.end_at) >= utcnow(),
        col(Appointment.status).not_in(list(REMOVED_STATUSES)),
    )
    if only_synced:
        query = query.where(col(Appointment.calendar_synced_to).is_not(None))
    for appointment in session.exec(query.with_for_update()).all():
        appointment.calendar_synced_version = None
        appointment.calendar_sync_ok = None
        appointment.calendar_event_id = event_body.event_id(appointment.id)
        session.add(appointment)
        submit_after_commit(session, Job.SYNC_CALENDAR, appointment.id)
