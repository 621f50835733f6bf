"""WhatsApp messages to the client about their appointment, in Spanish, in the clinic's zone.

The outbox handler tells the client when the clinic booked, moved or
cancelled an appointment from the portal or the API. A booking made in the
chat itself is not announced again (the assistant already confirmed it), nor
is anything done by the assistant or by the system (seeding, imports).

Everything here queues its text with `services.messaging`, the one sender
(it sends the approved template when the 24-hour window is closed).
`send_to_client` is what reminders and follow-ups use: it also (re)opens the
client's conversation in the state the answer needs. The notice handler looks
up conversations and windows for a whole outbox batch at once (`prepare`).
"""

from __future__ import annotations

import logging
import string
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.domain import spanish_dates
from backend.domain.appointment_rules import Source
from backend.domain.conversation_states import timeout_for
from backend.models import Client, Conversation, Message, OutboxEvent, Pet, Tenant
from backend.services import events
from backend.services.assistant import replies
from backend.services.chats import lifecycle
from backend.services.outbox import EventHandler

log = logging.getLogger(__name__)

NOTIFIED_ACTORS = frozenset({"user", "api_key", "google"})
"""Portal users, API keys and moves made in Google Calendar; the assistant and the system
do not trigger notices."""


# --------------------------------------------------------------- formatting


def format_time(moment: datetime, tz: str) -> str:
    """'9:00 AM' in the clinic's zone (written like the assistant writes it)."""
    return spanish_dates.clock_time(replies.local(moment, tz))


def format_date(moment: datetime, tz: str) -> str:
    """'viernes 29 de enero' in the clinic's zone."""
    return spanish_dates.long_date(replies.local(moment, tz).date())


def format_when(moment: datetime, tz: str) -> str:
    """'el viernes 29 de enero a las 9:00 AM' ('a la 1:30 PM' for one o'clock)."""
    return f"el {format_date(moment, tz)} {spanish_dates.at_time(replies.local(moment, tz))}"


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def safe_format(template: str, **values: Any) -> str:
    """`str.format` that leaves unknown placeholders empty and survives stray braces."""
    try:
        return string.Formatter().vformat(template, (), _Blank(values)).strip()
    except (ValueError, IndexError, AttributeError, KeyError):
        return template


def sentence(text: str) -> str:
    """Ends a sentence with one period ('… 9:00 a. m.' already has it)."""
    return text if text.endswith(".") else text + "."


def first_name(client: Client | None) -> str:
    return (client.name or "").split(" ")[0] if client and client.name else ""


# ------------------------------------------------------------------ sending


@dataclass(frozen=True)
class Delivery:
    message_id: uuid.UUID | None
    conversation_id: uuid.UUID | None
    status: str


class ConversationBusy(Exception):
    """The client is in the middle of something with the assistant; try later."""


QUIET_STATES = frozenset({"IDLE", "COMPLETED", "REMINDER"})
"""Open conversations where the client is not in the middle of anything."""


def open_conversation(
    session: Session,
    *,
    tenant: Tenant,
    client: Client,
    type: str,
    state: str,
    state_data: dict[str, Any],
    follow_up_id: uuid.UUID | None = None,
) -> Conversation:
    """Starts a conversation of `type` in `state` for the client (at most one is open per phone).

    A quiet open conversation (just finished, left after the assistant's
    "¿sigues ahí?", or a follow-up nobody answered within its 24 hours) is
    closed first; an unused IDLE one is reused; one of the
    same type and state (a second reminder before the first was answered)
    is kept, with list values of the state data merged. A conversation where
    the client is booking, in an emergency, answering another follow-up or
    talking to staff raises `ConversationBusy`.
    """
    now = utcnow()
    for _ in range(2):
        current = lifecycle.lock_open(session, tenant.id, client.phone)
        if current is None:
            current = lifecycle.open_new(
                session,
                tenant_id=tenant.id,
                phone=client.phone,
                now=now,
                client_id=client.id,
                type=type,
            )
            if current is None:  # opened concurrently for the same phone: look again
                continue
        elif current.taken_over_at is not None or not _quiet(current, now):
            raise ConversationBusy(f"conversation {current.id} is in {current.state}")
        elif current.type == type and current.state == state:
            return _restart_in(
                current, state, _merged(current.state_data, state_data), follow_up_id, now
            )
        elif current.state != "IDLE" or current.state_data:
            lifecycle.close_conversation(session, current, now=now)
            continue
        data = {
            "clinic_phone": tenant.whatsapp_numbers[0] if tenant.whatsapp_numbers else None,
            **state_data,
        }
        current.client_id = current.client_id or client.id
        return _restart_in(current, state, data, follow_up_id, now, type=type)
    raise ConversationBusy(f"could not open a conversation for {client.phone}")


def _quiet(conversation: Conversation, now: datetime) -> bool:
    """Nothing is going on: a quiet state, or a follow-up whose 24-hour wait is over."""
    if conversation.state in QUIET_STATES:
        return True
    expired = conversation.timeout_at is not None and conversation.timeout_at <= now
    return conversation.state == "COLLECT_STATUS" and expired


def _merged(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    merged = {**old, **new}
    for key, value in new.items():
        if isinstance(value, list) and isinstance(old.get(key), list):
            merged[key] = list(dict.fromkeys([*old[key], *value]))
    return merged


def _restart_in(
    conversation: Conversation,
    state: str,
    data: dict[str, Any],
    follow_up_id: uuid.UUID | None,
    now: datetime,
    *,
    type: str | None = None,
) -> Conversation:
    wait = timeout_for(state)
    if type is not None:
        conversation.type = type
    conversation.state = state
    conversation.state_data = data
    conversation.last_state_change = now
    conversation.timeout_at = now + wait[0] if wait else None
    conversation.follow_up_id = follow_up_id
    return conversation


def open_conversation_of(session: Session, tenant: Tenant, phone: str) -> Conversation | None:
    return session.exec(
        select(Conversation).where(
            Conversation.tenant_id == tenant.id,
            Conversation.client_phone == phone,
            col(Conversation.is_open),
        )
    ).first()


def send_to_client(
    session: Session,
    *,
    tenant: Tenant,
    client: Client,
    body: str,
    conversation_type: str | None = None,
    state: str | None = None,
    state_data: dict[str, Any] | None = None,
    follow_up_id: uuid.UUID | None = None,
) -> Delivery:
    """Queues a text to the client in the caller's transaction; it is sent after commit.

    With `conversation_type`/`state` the message (re)starts the client's
    conversation in that state, so the answer reaches the assistant with the
    context it needs (a reminder, a follow-up); it raises `ConversationBusy`
    when the client is in the middle of another flow. Without, the text joins
    the open conversation if there is one. `messaging` sends the clinic's
    template instead of free text when the 24-hour window is closed; the
    returned status is `failed` when it could not (no template configured).
    """
    from backend.services.chats import messaging

    conversation: Conversation | None
    if conversation_type is not None and state is not None:
        conversation = open_conversation(
            session,
            tenant=tenant,
            client=client,
            type=conversation_type,
            state=state,
            state_data=state_data or {},
            follow_up_id=follow_up_id,
        )
    else:
        conversation = open_conversation_of(session, tenant, client.phone)
    messages = messaging.queue_text(
        session,
        tenant=tenant,
        to_phone=client.phone,
        body=body,
        conversation=conversation,
        author="system",
    )
    if not messages:
        return Delivery(
            message_id=None,
            conversation_id=conversation.id if conversation else None,
            status="failed",
        )
    status = "failed" if all(m.status == "failed" for m in messages) else "queued"
    return Delivery(
        message_id=messages[0].id,
        conversation_id=conversation.id if conversation else None,
        status=status,
    )


# ------------------------------------------------------------------ notices


def notice_text(
    action: str,
    *,
    start_at: datetime,
    tenant: Tenant,
    client: Client | None,
    pet: Pet | None,
    previous_start: datetime | None = None,
) -> str | None:
    """The Spanish notice for a create/reschedule/cancel, or None for other actions."""
    hello = f"Hola {first_name(client)}".strip() + ","
    who = f"de {pet.name} " if pet else ""
    when = format_when(start_at, tenant.timezone)
    if action == "create":
        return (
            sentence(f"{hello} tu cita {who}en {tenant.name} quedó agendada para {when}")
            + " Si necesitas cancelar o cambiarla, escríbenos por aquí."
        )
    if action == "reschedule":
        before = (
            f" (antes {format_when(previous_start, tenant.timezone)})" if previous_start else ""
        )
        return (
            sentence(f"{hello} tu cita {who}en {tenant.name} cambió: ahora es {when}{before}")
            + " Si la nueva hora no te sirve, escríbenos por aquí."
        )
    if action == "cancel":
        return (
            sentence(
                f"{hello} tu cita {who}en {tenant.name} del {when.removeprefix('el ')} fue cancelada"
            )
            + " Si quieres agendar otra, escríbenos por aquí."
        )
    return None


def should_notify(event: OutboxEvent, *, now: datetime) -> bool:
    """Only portal/API actions, not the chat's own booking, not about the past, and not
    a change whose author chose not to tell the client (`notify_client` False)."""
    payload = event.payload
    action = payload.get("action")
    if action not in ("create", "reschedule", "cancel"):
        return False
    if payload.get("notify_client") is False:
        return False
    if (payload.get("actor") or {}).get("type") not in NOTIFIED_ACTORS:
        return False
    appointment = payload.get("appointment") or {}
    if action == "create" and appointment.get("source") == Source.WHATSAPP:
        return False
    start = appointment.get("start_at")
    return isinstance(start, str) and datetime.fromisoformat(start) > now


NOTICE_EVENTS = (
    events.APPOINTMENT_CREATED,
    events.APPOINTMENT_UPDATED,
    events.APPOINTMENT_CANCELLED,
)
_BATCH = "notifications_batch"


def wants(event: OutboxEvent) -> bool:
    return event.type in NOTICE_EVENTS and should_notify(event, now=utcnow())


def _ids(events_: list[OutboxEvent], field: str) -> set[uuid.UUID]:
    values = (e.payload.get("appointment", {}).get(field) for e in events_)
    return {uuid.UUID(v) for v in values if v}


def prepare(session: Session, events_: list[OutboxEvent]) -> None:
    """Loads the batch's clients, pets, clinics, open conversations and open windows in five queries."""
    tenant_ids = {e.tenant_id for e in events_}
    # kept referenced in the cache: the session's identity map only holds weak references
    tenants = list(session.exec(select(Tenant).where(col(Tenant.id).in_(tenant_ids))))
    clients = list(
        session.exec(select(Client).where(col(Client.id).in_(_ids(events_, "client_id"))))
    )
    pet_ids = _ids(events_, "pet_id")
    pets = list(session.exec(select(Pet).where(col(Pet.id).in_(pet_ids)))) if pet_ids else []
    phones = {c.phone for c in clients}
    conversations = {
        (c.tenant_id, c.client_phone): c
        for c in session.exec(
            select(Conversation).where(
                col(Conversation.tenant_id).in_(tenant_ids),
                col(Conversation.client_phone).in_(phones),
                col(Conversation.is_open),
            )
        )
    }
    window = set(
        session.exec(
            select(Message.tenant_id, Message.from_phone)
            .distinct()
            .where(
                col(Message.tenant_id).in_(tenant_ids),
                Message.direction == "inbound",
                col(Message.from_phone).in_(phones),
                col(Message.created_at) > utcnow() - messaging_window(),
            )
        ).all()
    )
    session.info[_BATCH] = {
        "conversations": conversations,
        "window": window,
        "rows": [*tenants, *clients, *pets],
    }


def messaging_window() -> timedelta:
    from backend.services.chats.messaging import SERVICE_WINDOW

    return SERVICE_WINDOW


def handle_event(session: Session, event: OutboxEvent) -> None:
    """Outbox handler: one WhatsApp notice per create/reschedule/cancel made by the clinic."""
    if not wants(event):
        return
    from backend.services.chats import messaging

    snapshot = event.payload["appointment"]
    tenant = session.get(Tenant, event.tenant_id)
    client = (
        session.get(Client, uuid.UUID(snapshot["client_id"])) if snapshot.get("client_id") else None
    )
    if tenant is None or client is None:
        return
    pet = session.get(Pet, uuid.UUID(snapshot["pet_id"])) if snapshot.get("pet_id") else None
    action = event.payload["action"]
    # the start as of this event: a later move has its own event and notice
    start_at = datetime.fromisoformat(snapshot["start_at"])
    previous = None
    if action == "reschedule":
        old = (event.payload.get("changes") or {}).get("start_at")
        previous = datetime.fromisoformat(old[0]) if old and old[0] else None
    text = notice_text(
        action, start_at=start_at, tenant=tenant, client=client, pet=pet, previous_start=previous
    )
    if not text:
        return
    batch = session.info.get(_BATCH)
    if batch is not None:
        key = (tenant.id, client.phone)
        conversation = batch["conversations"].get(key)
        in_window: bool | None = key in batch["window"]
    else:
        conversation, in_window = open_conversation_of(session, tenant, client.phone), None
    messaging.queue_text(
        session,
        tenant=tenant,
        to_phone=client.phone,
        body=text,
        conversation=conversation,
        author="system",
        in_window=in_window,
        flush=batch is None,
    )


HANDLER = EventHandler(handle=handle_event, wants=wants, prepare=prepare)
