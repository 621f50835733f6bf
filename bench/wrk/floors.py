"""The ceiling's durable work done through the production app's stack: the floor.

Ours is far from the ceiling, and the gap has two parts: the stack ours is
built on and our own code on top of it. A floor app does exactly what the
ceiling does (same checks, same statement, same answer) through that stack
alone, so ours / floor is what our code costs and floor / ceiling what the
stack costs. The stack, as ours uses it:

- FastAPI: routing, parameters, (booking) a pydantic body and response model;
- the database work in a sync function on AnyIO's thread pool, its threads
  capped at the connection pool's size (as ours caps them at start-up);
- a `sqlmodel.Session` on an engine from `backend.core.db.make_engine` (ours'
  pool, its checkout check, psycopg's prepared statements): the statement
  inside BEGIN … COMMIT, where the ceiling's autocommits;
- after the commit, one Celery `apply_async` onto the Redis broker of REDIS_URL
  (kombu's own transport, JSON), the task ours publishes at that point. No
  worker runs it; the bench flushes the queue's Redis database afterwards.

- `webhook_floor_app`, POST /webhooks/whatsapp: an `async def` route reads the
  form and checks the signature on the event loop (as ours does), then stores
  the message (the ceiling's INSERT, as SQLAlchemy Core on the `message` table)
  and publishes the task that would process it, on the thread pool.
- `booking_floor_app`, POST/PATCH/DELETE /api/v1/appointments: sync routes
  running the ceiling's one statement (appointment, audit row and outbox event;
  a conflict answers 409) as SQLAlchemy `text()`, then the relay's wake-up.
  It also serves the storm's requests, as the ceiling does.

Clinics, API keys and schedules are loaded at start-up, as the ceiling's are.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from anyio import to_thread
from celery import Celery
from fastapi import FastAPI, Header, Request
from fastapi.responses import Response
from psycopg.errors import DeadlockDetected, ExclusionViolation
from psycopg.types.json import Jsonb
from pydantic import AwareDatetime, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel
from starlette.concurrency import run_in_threadpool
from twilio.request_validator import RequestValidator

import backend.models  # noqa: F401  (registers the tables in SQLModel.metadata)
from backend.core.config import settings
from backend.core.db import make_engine
from bench.wrk.ceilings import (
    CANCEL_SQL,
    CREATE_SQL,
    EMPTY_TWIML,
    RESCHEDULE_SQL,
    SID,
    Doctor,
    Key,
    Refused,
    _actor,
    _number,
    healthz,
    refused,
)

# ---------------------------------------------------------------- the stack

celery = Celery("vetassist-floor")


@celery.task(name="floor.process_inbound")
def process_inbound(message_id: str) -> None:
    """What ours publishes once an inbound message is stored (never run here)."""


@celery.task(name="floor.relay_outbox")
def relay_outbox() -> None:
    """What ours publishes once a booking's outbox event is committed (never run here)."""


def _start() -> Engine:
    """Ours' start-up, less its wiring: the thread cap, the broker and the engine.

    As many threads as pooled connections (ours does the same): with more, the
    pool would open and close overflow connections under load.
    """
    to_thread.current_default_thread_limiter().total_tokens = max(1, settings.DB_POOL_SIZE)
    celery.conf.update(
        broker_url=settings.REDIS_URL,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
    )
    return make_engine(settings.DATABASE_URL)


# ---------------------------------------------------------------- webhook

INSERT_MESSAGE = (
    postgresql.insert(SQLModel.metadata.tables["message"])
    .values(
        direction="inbound",
        author="client",
        media=[],
        status="received",
        created_at=sa.func.now(),
        attempts=0,
    )
    .on_conflict_do_nothing(index_elements=["provider_sid"])
    .execution_options(preserve_rowcount=True)  # else SQLAlchemy drops an INSERT's rowcount
)
"""The ceiling's INSERT, the same 13 columns; the rest of the values come per request."""


@dataclass
class WebhookFloor:
    engine: Engine
    clinics: dict[str, uuid.UUID]  # WhatsApp number -> tenant id
    validator: RequestValidator
    url: str


def _load_clinics(engine: Engine) -> dict[str, uuid.UUID]:
    with Session(engine) as session:
        rows = session.execute(sa.text("SELECT id, whatsapp_numbers FROM tenant")).all()
    return {number: tenant_id for tenant_id, numbers in rows for number in numbers}


@asynccontextmanager
async def webhook_lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = _start()
    app.state.webhook = WebhookFloor(
        engine=engine,
        clinics=_load_clinics(engine),
        validator=RequestValidator(settings.TWILIO_AUTH_TOKEN or ""),
        url=settings.PUBLIC_BASE_URL.rstrip("/") + "/webhooks/whatsapp",
    )
    try:
        yield
    finally:
        engine.dispose()


def _store(engine: Engine, values: dict[str, Any]) -> None:
    """One INSERT in a Session, its commit, then the task that would process the message
    (a duplicate sid stores nothing and publishes nothing)."""
    with Session(engine) as session:
        stored = session.exec(INSERT_MESSAGE, params=values).rowcount == 1
        session.commit()
    if stored:
        process_inbound.apply_async(args=[str(values["id"])])


webhook_floor_app = FastAPI(lifespan=webhook_lifespan)
webhook_floor_app.add_route("/healthz", healthz)


@webhook_floor_app.post("/webhooks/whatsapp")
async def inbound(request: Request) -> Response:
    """Signature on the event loop, the store and the publish on the thread pool."""
    state: WebhookFloor = request.app.state.webhook
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
    values = {
        "id": uuid.uuid4(),
        "tenant_id": tenant_id,
        "from_phone": from_number,
        "to_phone": to_number,
        "body": str(form.get("Body") or ""),
        "provider_sid": sid,
        "profile_name": str(form.get("ProfileName") or "")[:100] or None,
    }
    await run_in_threadpool(_store, state.engine, values)
    return Response(EMPTY_TWIML, media_type="text/xml")


# ---------------------------------------------------------------- bookings


def _text(sql: str) -> sa.TextClause:
    """A ceiling statement as SQLAlchemy text: its `%(name)s` parameters become `:name`."""
    return sa.text(re.sub(r"%\((\w+)\)s", r":\1", sql))


CREATE = _text(CREATE_SQL)
RESCHEDULE = _text(RESCHEDULE_SQL)
CANCEL = _text(CANCEL_SQL)

CAMEL = ConfigDict(alias_generator=to_camel)


class NewAppointment(BaseModel):
    """The create body the bench sends (ours takes more, all of it optional)."""

    model_config = CAMEL

    doctor_id: uuid.UUID
    client_id: uuid.UUID
    start_at: AwareDatetime
    end_at: AwareDatetime | None = None


class Move(BaseModel):
    model_config = CAMEL

    start_at: AwareDatetime
    version: int


class Booked(BaseModel):
    """The ceiling's answer, `{"id", "version"}`, as a response model (ours has one)."""

    id: uuid.UUID
    version: int


@dataclass
class BookingFloor:
    engine: Engine
    keys: dict[str, Key]  # sha256 of the secret -> key
    doctors: dict[uuid.UUID, Doctor]


def _load_booking(engine: Engine) -> BookingFloor:
    with Session(engine) as session:
        keys = session.execute(
            sa.text("SELECT key_hash, id, tenant_id, name FROM api_key WHERE revoked_at IS NULL")
        ).all()
        doctors = session.execute(
            sa.text(
                "SELECT doctor_id, tenant_id, slot_minutes, buffer_minutes FROM doctor_schedule"
            )
        ).all()
    return BookingFloor(
        engine=engine,
        keys={digest: Key(key_id, tenant_id, name) for digest, key_id, tenant_id, name in keys},
        doctors={
            doctor_id: Doctor(tenant_id, slot, buffer)
            for doctor_id, tenant_id, slot, buffer in doctors
        },
    )


@asynccontextmanager
async def booking_lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = _start()
    app.state.booking = _load_booking(engine)
    try:
        yield
    finally:
        engine.dispose()


def _state(request: Request) -> BookingFloor:
    state: BookingFloor = request.app.state.booking
    return state


def _key(state: BookingFloor, request: Request) -> Key:
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    key = state.keys.get(hashlib.sha256(secret.strip().encode()).hexdigest())
    if scheme.lower() != "bearer" or key is None:
        raise Refused(401, "unknown or revoked API key")
    return key


def _write(engine: Engine, statement: sa.TextClause, params: dict[str, Any]) -> Booked | None:
    """Runs one writing statement in a Session and commits; when it wrote (it answers the
    row's id and version), publishes the relay's wake-up, as ours does after a commit with
    outbox events. The exclusion
    constraint's refusal (or the deadlock two conflicting inserts may meet instead) is
    the slot taken."""
    with Session(engine) as session:
        try:
            row = session.execute(statement, params).first()
        except sa.exc.DBAPIError as exc:
            if isinstance(exc.orig, ExclusionViolation | DeadlockDetected):
                raise Refused(409, "the slot is already taken") from None
            raise
        session.commit()
    if row is None:
        return None
    relay_outbox.apply_async()
    return Booked(id=row[0], version=row[1])


booking_floor_app = FastAPI(lifespan=booking_lifespan, exception_handlers={Refused: refused})
booking_floor_app.add_route("/healthz", healthz)


@booking_floor_app.post("/api/v1/appointments", status_code=201)
def create(body: NewAppointment, request: Request) -> Booked:
    """Books: the ceiling's one statement (appointment, audit row, outbox event)."""
    state = _state(request)
    key = _key(state, request)
    doctor = state.doctors.get(body.doctor_id)
    if doctor is None or doctor.tenant_id != key.tenant_id:
        raise Refused(404, "doctor not found")
    start = body.start_at
    end = body.end_at or start + timedelta(minutes=doctor.slot_minutes)
    if end <= start:
        raise Refused(422, "the end must be after the start")
    changes = {"start_at": [None, start.isoformat()], "end_at": [None, end.isoformat()]}
    booked = _write(
        state.engine,
        CREATE,
        {
            "id": uuid.uuid4(),
            "tenant": key.tenant_id,
            "doctor": body.doctor_id,
            "client": body.client_id,
            "start": start,
            "end": end,
            "blocked_end": end + timedelta(minutes=doctor.buffer_minutes),
            "changes": Jsonb(changes),
            **_actor(key),
        },
    )
    if booked is None:
        raise Refused(404, "client not found")
    return booked


def _edit(
    request: Request, appointment_id: uuid.UUID, statement: sa.TextClause, params: dict[str, Any]
) -> Booked:
    state = _state(request)
    key = _key(state, request)
    booked = _write(
        state.engine,
        statement,
        {"id": appointment_id, "tenant": key.tenant_id, **_actor(key), **params},
    )
    if booked is None:
        raise Refused(409, "the appointment changed or is cancelled")
    return booked


@booking_floor_app.patch("/api/v1/appointments/{appointment_id}")
def reschedule(appointment_id: uuid.UUID, body: Move, request: Request) -> Booked:
    """Moves an appointment (keeping its length) if the version matches."""
    params = {
        "start": body.start_at,
        "version": body.version,
        "action": "reschedule",
        "event": "appointment.updated",
    }
    return _edit(request, appointment_id, RESCHEDULE, params)


@booking_floor_app.delete("/api/v1/appointments/{appointment_id}")
def cancel(
    appointment_id: uuid.UUID, request: Request, if_match: Annotated[str, Header()] = ""
) -> Booked:
    """Cancels an appointment if the If-Match version matches."""
    version = if_match.strip('"')
    if not version.isdigit():
        raise Refused(422, "send the version in If-Match")
    params = {"version": int(version), "action": "cancel", "event": "appointment.cancelled"}
    return _edit(request, appointment_id, CANCEL, params)
