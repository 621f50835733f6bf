"""Minimal endpoints doing the durable work of each production path: the ceiling.

Served by the same uvicorn (one process, uvloop, httptools) against the same
migrated database, they show what this machine can do for a path, so the
production figure is read as a ratio to it. Each does what the path must do
and nothing it need not:

- `webhook_app`, POST /webhooks/whatsapp: parses the form, checks the Twilio
  signature (`RequestValidator`, install token, `PUBLIC_BASE_URL + path`),
  checks the sid and the addresses, finds the clinic by the number written to
  in a map loaded at start-up, INSERTs one `message` row (a duplicate sid is
  ignored) and answers empty TwiML.
- `booking_app`, POST/PATCH/DELETE /api/v1/appointments: checks the API key
  against hashes loaded at start-up, parses the JSON, takes the doctor's
  buffer from schedules loaded at start-up, and writes the appointment, its
  audit row and its outbox event in one statement (a CTE) under the table's
  exclusion constraint (a conflict answers 409, as the production path does).
  The client must belong to the clinic; a move or cancel needs the version.
  Working hours and notice are not re-checked (pure computations on a cached
  schedule); every request of the bench satisfies them.

The pool is `DB_POOL_SIZE` autocommit connections opened at start-up (the
size of the app's pool); a single statement commits by itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from backend.core.config import settings
from bench.wrk.postgres import libpq_url

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
SID = re.compile(r"[A-Za-z0-9]{2,64}")
E164 = re.compile(r"\+[1-9]\d{6,14}")


class Pool:
    """A fixed set of autocommit connections, lent in turn."""

    def __init__(self, conninfo: str, size: int) -> None:
        self._conninfo = conninfo
        self._size = size
        self._idle: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self._size):
            conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
            self._idle.put_nowait(conn)

    async def close(self) -> None:
        while not self._idle.empty():
            await self._idle.get_nowait().close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        conn = await self._idle.get()
        try:
            yield conn
        finally:
            self._idle.put_nowait(conn)


def _pool() -> Pool:
    return Pool(libpq_url(settings.DATABASE_URL), settings.DB_POOL_SIZE)


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


# ---------------------------------------------------------------- webhook

INSERT_MESSAGE = """
INSERT INTO message (id, tenant_id, direction, author, from_phone, to_phone, body, media,
                     provider_sid, profile_name, status, created_at, attempts)
VALUES (%s, %s, 'inbound', 'client', %s, %s, %s, '[]', %s, %s, 'received', now(), 0)
ON CONFLICT (provider_sid) DO NOTHING
"""


@dataclass
class WebhookState:
    pool: Pool
    clinics: dict[str, uuid.UUID]  # WhatsApp number -> tenant id
    validator: RequestValidator
    url: str


async def _load_clinics(pool: Pool) -> dict[str, uuid.UUID]:
    async with pool.connection() as conn:
        rows = await (await conn.execute("SELECT id, whatsapp_numbers FROM tenant")).fetchall()
    return {number: tenant_id for tenant_id, numbers in rows for number in numbers}


@asynccontextmanager
async def webhook_lifespan(app: Starlette) -> AsyncIterator[None]:
    pool = _pool()
    await pool.open()
    app.state.webhook = WebhookState(
        pool=pool,
        clinics=await _load_clinics(pool),
        validator=RequestValidator(settings.TWILIO_AUTH_TOKEN or ""),
        url=settings.PUBLIC_BASE_URL.rstrip("/") + "/webhooks/whatsapp",
    )
    try:
        yield
    finally:
        await pool.close()


def _number(address: str) -> str | None:
    number = address.removeprefix("whatsapp:")
    return number if E164.fullmatch(number) else None


async def inbound(request: Request) -> Response:
    """Signature, one INSERT, empty TwiML."""
    state: WebhookState = request.app.state.webhook
    form = await request.form()
    signature = request.headers.get("x-twilio-signature", "")
    if not state.validator.validate(state.url, form, signature):
        return Response("invalid signature", status_code=403)
    sid, to_number, from_number = (
        str(form.get("MessageSid") or ""),
        _number(str(form.get("To") or "")),
        _number(str(form.get("From") or "")),
    )
    if not SID.fullmatch(sid) or to_number is None or from_number is None:
        return Response("malformed message", status_code=422)
    tenant_id = state.clinics.get(to_number)
    if tenant_id is None:
        return Response("unknown WhatsApp number", status_code=404)
    profile = str(form.get("ProfileName") or "")[:100] or None
    async with state.pool.connection() as conn:
        await conn.execute(
            INSERT_MESSAGE,
            (
                uuid.uuid4(),
                tenant_id,
                from_number,
                to_number,
                str(form.get("Body") or ""),
                sid,
                profile,
            ),
        )
    return Response(EMPTY_TWIML, media_type="text/xml")


webhook_app = Starlette(
    routes=[
        Route("/webhooks/whatsapp", inbound, methods=["POST"]),
        Route("/healthz", healthz),
    ],
    lifespan=webhook_lifespan,
)


# ---------------------------------------------------------------- bookings

CREATE_SQL = """
WITH created AS (
    INSERT INTO appointment (id, tenant_id, doctor_id, client_id, start_at, end_at, blocked_end,
                             status, priority, source, version, created_by, created_at, updated_at)
    SELECT %(id)s, %(tenant)s, %(doctor)s, %(client)s, %(start)s, %(end)s, %(blocked_end)s,
           'pending', 'normal', 'api', 1, %(actor)s, now(), now()
    WHERE EXISTS (SELECT 1 FROM client WHERE id = %(client)s AND tenant_id = %(tenant)s)
    RETURNING *
), audit AS (
    INSERT INTO audit_log (tenant_id, appointment_id, action, actor_type, actor_id, actor_label,
                           at, changes)
    SELECT tenant_id, id, 'create', 'api_key', %(actor_id)s, %(actor_label)s, now(), %(changes)s
    FROM created
), event AS (
    INSERT INTO outbox_event (tenant_id, type, aggregate_id, payload, created_at, attempts)
    SELECT tenant_id, 'appointment.created', id,
           jsonb_build_object('action', 'create', 'appointment', to_jsonb(created),
                              'changes', %(changes)s, 'actor', %(actor_json)s),
           now(), 0
    FROM created
)
SELECT id, version FROM created
"""

# A move or a cancel: the row locked, checked against the version, changed, audited and
# announced in one statement. `%(change)s` is the SET list of the UPDATE.
EDIT_SQL = """
WITH current AS (
    SELECT a.id, a.start_at, a.end_at, a.status, s.buffer_minutes
    FROM appointment a JOIN doctor_schedule s ON s.doctor_id = a.doctor_id
    WHERE a.id = %(id)s AND a.tenant_id = %(tenant)s
    FOR UPDATE OF a
), changed AS (
    UPDATE appointment a SET {change}, version = a.version + 1, updated_at = now()
    FROM current c
    WHERE a.id = c.id AND a.version = %(version)s AND a.status <> 'cancelled'
    RETURNING a.*, c.start_at AS old_start, c.end_at AS old_end, c.status AS old_status
), audit AS (
    INSERT INTO audit_log (tenant_id, appointment_id, action, actor_type, actor_id, actor_label,
                           at, changes)
    SELECT tenant_id, id, %(action)s, 'api_key', %(actor_id)s, %(actor_label)s, now(), {changes}
    FROM changed
), event AS (
    INSERT INTO outbox_event (tenant_id, type, aggregate_id, payload, created_at, attempts)
    SELECT tenant_id, %(event)s, id,
           jsonb_build_object('action', %(action)s,
                              'appointment', to_jsonb(changed) - 'old_start' - 'old_end'
                                             - 'old_status',
                              'changes', {changes}, 'actor', %(actor_json)s),
           now(), 0
    FROM changed
)
SELECT id, version FROM changed
"""

RESCHEDULE_SQL = EDIT_SQL.format(
    change="start_at = %(start)s, end_at = %(start)s + (c.end_at - c.start_at),"
    " blocked_end = %(start)s + (c.end_at - c.start_at) + make_interval(mins => c.buffer_minutes)",
    changes="jsonb_build_object('start_at', jsonb_build_array(old_start, start_at),"
    " 'end_at', jsonb_build_array(old_end, end_at))",
)
CANCEL_SQL = EDIT_SQL.format(
    change="status = 'cancelled'",
    changes="jsonb_build_object('status', jsonb_build_array(old_status, status))",
)


@dataclass(frozen=True)
class Key:
    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str


@dataclass(frozen=True)
class Doctor:
    tenant_id: uuid.UUID
    slot_minutes: int
    buffer_minutes: int


@dataclass
class BookingState:
    pool: Pool
    keys: dict[str, Key]  # sha256 of the secret -> key
    doctors: dict[uuid.UUID, Doctor]


async def _load_booking(pool: Pool) -> tuple[dict[str, Key], dict[uuid.UUID, Doctor]]:
    async with pool.connection() as conn:
        keys = await (
            await conn.execute(
                "SELECT key_hash, id, tenant_id, name FROM api_key WHERE revoked_at IS NULL"
            )
        ).fetchall()
        doctors = await (
            await conn.execute(
                "SELECT doctor_id, tenant_id, slot_minutes, buffer_minutes FROM doctor_schedule"
            )
        ).fetchall()
    return (
        {digest: Key(key_id, tenant_id, name) for digest, key_id, tenant_id, name in keys},
        {
            doctor_id: Doctor(tenant_id, slot, buffer)
            for doctor_id, tenant_id, slot, buffer in doctors
        },
    )


@asynccontextmanager
async def booking_lifespan(app: Starlette) -> AsyncIterator[None]:
    pool = _pool()
    await pool.open()
    keys, doctors = await _load_booking(pool)
    app.state.booking = BookingState(pool=pool, keys=keys, doctors=doctors)
    try:
        yield
    finally:
        await pool.close()


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _key(request: Request) -> Key:
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    key = request.app.state.booking.keys.get(hashlib.sha256(secret.strip().encode()).hexdigest())
    if scheme.lower() != "bearer" or key is None:
        raise Refused(401, "unknown or revoked API key")
    return key


def _instant(value: object, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise Refused(422, f"{field} is not a date-time") from None
    if moment.tzinfo is None:
        raise Refused(422, f"{field} needs a time zone offset")
    return moment


def _uuid(value: object, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Refused(422, f"{field} is not an id") from None


def _actor(key: Key) -> dict[str, Any]:
    return {
        "actor": f"api_key:{key.name}",
        "actor_id": str(key.id),
        "actor_label": key.name,
        "actor_json": Jsonb({"type": "api_key", "id": str(key.id), "label": key.name}),
    }


async def _write(request: Request, sql: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
    """Runs one writing statement; the exclusion constraint's refusal (or the deadlock two
    conflicting inserts may meet instead) is the slot taken."""
    state: BookingState = request.app.state.booking
    async with state.pool.connection() as conn:
        try:
            return await (await conn.execute(sql, params)).fetchone()
        except (psycopg.errors.ExclusionViolation, psycopg.errors.DeadlockDetected):
            raise Refused(409, "the slot is already taken") from None


async def create(request: Request) -> Response:
    """Books: one statement writes the appointment, its audit row and its outbox event."""
    key = _key(request)
    body = json.loads(await request.body())
    doctor_id = _uuid(body.get("doctorId"), "doctorId")
    doctor = request.app.state.booking.doctors.get(doctor_id)
    if doctor is None or doctor.tenant_id != key.tenant_id:
        raise Refused(404, "doctor not found")
    start = _instant(body.get("startAt"), "startAt")
    end = (
        _instant(body["endAt"], "endAt")
        if body.get("endAt")
        else start + timedelta(minutes=doctor.slot_minutes)
    )
    if end <= start:
        raise Refused(422, "the end must be after the start")
    appointment_id = uuid.uuid4()
    changes = {"start_at": [None, start.isoformat()], "end_at": [None, end.isoformat()]}
    row = await _write(
        request,
        CREATE_SQL,
        {
            "id": appointment_id,
            "tenant": key.tenant_id,
            "doctor": doctor_id,
            "client": _uuid(body.get("clientId"), "clientId"),
            "start": start,
            "end": end,
            "blocked_end": end + timedelta(minutes=doctor.buffer_minutes),
            "changes": Jsonb(changes),
            **_actor(key),
        },
    )
    if row is None:
        raise Refused(404, "client not found")
    return JSONResponse({"id": str(row[0]), "version": row[1]}, status_code=201)


async def _edit(request: Request, sql: str, params: dict[str, Any]) -> Response:
    key = _key(request)
    row = await _write(
        request,
        sql,
        {
            "id": _uuid(request.path_params["appointment_id"], "id"),
            "tenant": key.tenant_id,
            **_actor(key),
            **params,
        },
    )
    if row is None:
        raise Refused(409, "the appointment changed or is cancelled")
    return JSONResponse({"id": str(row[0]), "version": row[1]})


async def reschedule(request: Request) -> Response:
    """Moves an appointment (keeping its length) if the version matches."""
    body = json.loads(await request.body())
    version = body.get("version")
    if not isinstance(version, int):
        raise Refused(422, "send the version you last saw")
    params = {
        "start": _instant(body.get("startAt"), "startAt"),
        "version": version,
        "action": "reschedule",
        "event": "appointment.updated",
    }
    return await _edit(request, RESCHEDULE_SQL, params)


async def cancel(request: Request) -> Response:
    """Cancels an appointment if the If-Match version matches."""
    version = request.headers.get("if-match", "").strip('"')
    if not version.isdigit():
        raise Refused(422, "send the version in If-Match")
    params = {"version": int(version), "action": "cancel", "event": "appointment.cancelled"}
    return await _edit(request, CANCEL_SQL, params)


async def refused(_: Request, exc: Exception) -> Response:
    status = exc.status if isinstance(exc, Refused) else 500
    return JSONResponse({"detail": str(exc)}, status_code=status)


booking_app = Starlette(
    routes=[
        Route("/api/v1/appointments", create, methods=["POST"]),
        Route("/api/v1/appointments/{appointment_id}", reschedule, methods=["PATCH"]),
        Route("/api/v1/appointments/{appointment_id}", cancel, methods=["DELETE"]),
        Route("/healthz", healthz),
    ],
    lifespan=booking_lifespan,
    exception_handlers={Refused: refused},
)
