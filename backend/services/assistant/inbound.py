"""Inbound WhatsApp messages: stored first, then answered in order, once.

`accept_posted` (the webhook) and `accept` (the sandbox) are the one way in:
they store the message, whose row is the proof it was accepted, and submit
PROCESS_INBOUND for after the commit, in one INSERT … ON CONFLICT DO
NOTHING: the unique MessageSid makes a Twilio retry a no-op (the database
decides; no lookup race). The clinic comes from a per-process cache of
WhatsApp numbers (`clinic_directory.clinic_id_for_number`).

`process_inbound_message` is what runs later (in-process, or as a Celery
task): it takes the phone's open conversation with a row lock (PostgreSQL
`SELECT … FOR UPDATE`; SQLite serialises writers with BEGIN IMMEDIATE), so two
messages of one conversation are never answered at the same time, and answers
every still-unprocessed message of that phone up to this one in arrival
order. It is idempotent: a processed message is left alone.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.core.db import add_unless_exists, session_scope
from backend.core.jobs import Job, submit_after_commit
from backend.domain.conversation_states import State
from backend.domain.errors import NotFound, ValidationFailed
from backend.domain.input_rules import has_control_characters, strip_control_characters
from backend.models import Conversation, Message, Tenant
from backend.services.assistant import engine, replies
from backend.services.assistant.flows import emergency
from backend.services.chats import lifecycle, messaging
from backend.services.clinics import clinic_directory
from backend.services.phones import to_e164

log = logging.getLogger("backend.services.assistant")

BATCH_LIMIT = 50


@dataclass(frozen=True)
class InboundMessage:
    tenant_id: uuid.UUID
    from_phone: str
    to_phone: str
    body: str
    provider_sid: str | None
    media: Sequence[dict[str, Any]] = ()
    profile_name: str | None = None
    typed_by: uuid.UUID | None = None  # the staff user who wrote it in the sandbox


MAX_BODY = 10000


def clean_text(text: str) -> str:
    """Drops control characters (PostgreSQL refuses NUL in text) and caps the length."""
    return strip_control_characters(text or "")[:MAX_BODY]


def _inbound_row(inbound: InboundMessage) -> dict[str, Any]:
    """The stored row of an inbound message (cleaned body and profile name)."""
    return {
        "id": uuid.uuid4(),
        "tenant_id": inbound.tenant_id,
        "direction": "inbound",
        "author": "client",
        "from_phone": inbound.from_phone,
        "to_phone": inbound.to_phone,
        "body": clean_text(inbound.body),
        "media": list(inbound.media),
        "provider_sid": inbound.provider_sid,
        "profile_name": clean_text(inbound.profile_name or "")[:100] or None,
        "author_user_id": inbound.typed_by,
        "status": "received",
        "attempts": 0,
        "created_at": utcnow(),
    }


def store_inbound(session: Session, inbound: InboundMessage) -> Message:
    """Adds the inbound message to the caller's transaction (a duplicate sid fails its commit)."""
    message = Message(**_inbound_row(inbound))
    session.add(message)
    return message


def accept(inbound: InboundMessage) -> uuid.UUID | None:
    """Stores an inbound message and has the assistant answer it after the commit.

    One statement: the row goes in unless its sid was stored before (a Twilio
    retry), which the database decides without a race.

    Returns the message id; None when its sid was seen before (a retry).
    """
    message = Message(**_inbound_row(inbound))
    with session_scope(write=True) as session:
        if not add_unless_exists(session, message, unique=["provider_sid"]):
            log.info("duplicate inbound message %s ignored", inbound.provider_sid)
            return None
        submit_after_commit(session, Job.PROCESS_INBOUND, message.id)
        return message.id


@dataclass(frozen=True)
class PostedMessage:
    """An inbound message as Twilio posts it: raw `whatsapp:+57…` addresses."""

    to: str
    from_: str
    body: str
    provider_sid: str | None
    media: Sequence[dict[str, str]] = ()
    profile_name: str | None = None


class UnknownNumber(NotFound):
    """No clinic receives WhatsApp messages on the number written to."""


class MalformedMessage(ValidationFailed):
    """A posted message whose addresses, sid or media are not what Twilio sends; never stored."""

    code = "malformed_message"


WHATSAPP_ADDRESS = re.compile(r"whatsapp:\+[1-9][0-9]{6,14}")
"""How Twilio writes a WhatsApp party: `whatsapp:` and the number in E.164."""

TWILIO_SID = re.compile(r"[A-Za-z0-9]{2,64}")
"""A Twilio resource id (`SM` + 32 hex digits for a message); 64 is the column's size."""

MEDIA_URL = re.compile(r"https://[\x21-\x7e]{1,2000}")
"""An https URL in printable ASCII, as Twilio gives its media."""

MAX_CONTENT_TYPE = 255


def _address(raw: str, field: str) -> str:
    """The E.164 phone of a `whatsapp:+…` address; `MalformedMessage` for anything else."""
    if WHATSAPP_ADDRESS.fullmatch(raw):
        try:
            return to_e164(raw)
        except ValidationFailed:
            pass
    raise MalformedMessage(f"{field} must be a WhatsApp address (whatsapp:+E.164)", field=field)


def check_posted(posted: PostedMessage) -> None:
    """Refuses a posted message whose sid or media Twilio would never send.

    A NUL would fail the insert on PostgreSQL and an over-long value the
    processing later (a poison message retried for a day), so such a message
    is refused before anything is stored. The addresses are checked by
    `_address`; the body and profile name are cleaned, not refused.

    Raises:
        MalformedMessage: naming the field at fault.
    """
    if not posted.provider_sid or not TWILIO_SID.fullmatch(posted.provider_sid):
        raise MalformedMessage("MessageSid must be a Twilio message id", field="MessageSid")
    for index, item in enumerate(posted.media):
        if not MEDIA_URL.fullmatch(item.get("url", "")):
            raise MalformedMessage("MediaUrl must be an https URL", field=f"MediaUrl{index}")
        content_type = item.get("content_type", "")
        if len(content_type) > MAX_CONTENT_TYPE or has_control_characters(content_type):
            raise MalformedMessage(
                "MediaContentType must be a media type", field=f"MediaContentType{index}"
            )


def whatsapp_phone(raw: str, country: str = "CO") -> str:
    """E.164 for a `whatsapp:` address; kept as sent (trimmed) when it is not a phone number."""
    try:
        return to_e164(raw, country)
    except ValidationFailed:
        return raw.removeprefix("whatsapp:").strip()[:40]


def accept_posted(posted: PostedMessage) -> uuid.UUID | None:
    """The webhook's operation: checks the message, finds the clinic by the number
    written to, then `accept`.

    Returns the message id; None for a retry.

    Raises:
        MalformedMessage: `From`, `To`, `MessageSid` or the media are not what
            Twilio sends (nothing is stored).
        UnknownNumber: no clinic has the number written to.
    """
    check_posted(posted)
    to_number = _address(posted.to, "To")
    from_phone = _address(posted.from_, "From")
    tenant_id = clinic_directory.clinic_id_for_number(to_number)
    if tenant_id is None:
        log.warning("inbound WhatsApp message to unknown number %r ignored", posted.to)
        raise UnknownNumber("unknown WhatsApp number")
    return accept(
        InboundMessage(
            tenant_id=tenant_id,
            from_phone=from_phone,
            to_phone=to_number,
            body=posted.body,
            provider_sid=posted.provider_sid,
            media=posted.media,
            profile_name=posted.profile_name,
        )
    )


def lock_open_conversation(session: Session, tenant: Tenant, phone: str) -> Conversation:
    """The phone's open conversation, row-locked; created (IDLE) when there is none."""
    return lifecycle.lock_or_open(session, tenant.id, phone, now=utcnow())


def _unprocessed_up_to(session: Session, message: Message) -> list[Message]:
    return list(
        session.exec(
            select(Message)
            .where(
                Message.tenant_id == message.tenant_id,
                Message.from_phone == message.from_phone,
                Message.direction == "inbound",
                col(Message.processed_at).is_(None),
                col(Message.created_at) <= message.created_at,
            )
            .order_by(col(Message.created_at), col(Message.id))
            .limit(BATCH_LIMIT)
            .execution_options(populate_existing=True)
        )
    )


def _attach(conversation: Conversation, message: Message) -> None:
    message.conversation_id = conversation.id
    conversation.last_message_at = message.created_at
    conversation.last_inbound_at = message.created_at
    preview = message.body or ("📎 archivo adjunto" if message.media else "")
    conversation.last_message_preview = preview[:200]


def _handle_one(
    session: Session, tenant: Tenant, conversation: Conversation, message: Message
) -> Conversation:
    """Answers one message; returns the conversation that is open afterwards."""
    now = utcnow()
    _attach(conversation, message)
    message.processed_at = now
    session.add(message)
    if conversation.taken_over_at is not None:  # staff is answering: store, stay silent
        conversation.timeout_at = None
        session.add(conversation)
        return conversation
    if conversation.state == State.IDLE.value and not conversation.state_data:
        acknowledged = emergency.acknowledge_from_contact(session, tenant, message.from_phone, now)
        if acknowledged:
            for event in acknowledged:
                messaging.queue_text(
                    session,
                    tenant=tenant,
                    to_phone=message.from_phone,
                    body=replies.alert_acknowledged(event.client_phone),
                    conversation=conversation,
                    author="system",
                    in_window=True,
                )
            return conversation
    turn = engine.respond(
        session, tenant=tenant, conversation=conversation, message=message, now=now
    )
    turn.finish()
    return turn.conversation


def simulate_inbound(session: Session, *, tenant: Tenant, phone: str, body: str) -> Conversation:
    """A client message stored and answered in the caller's transaction (demo data, sandbox).

    The same path as a webhook message, minus HTTP and the separate transactions.
    """
    message = store_inbound(
        session,
        InboundMessage(
            tenant_id=tenant.id,
            from_phone=phone,
            to_phone=tenant.whatsapp_numbers[0] if tenant.whatsapp_numbers else "",
            body=body,
            provider_sid="SIM" + uuid.uuid4().hex,
        ),
    )
    session.flush()
    conversation = lock_open_conversation(session, tenant, phone)
    return _handle_one(session, tenant, conversation, message)


def _apologise(message_id: uuid.UUID) -> None:
    """Marks a message the engine failed on as handled, and tells the client."""
    with session_scope(write=True) as session:
        message = session.get(Message, message_id)
        if message is None or message.processed_at is not None:
            return
        tenant = session.get(Tenant, message.tenant_id)
        message.processed_at = utcnow()
        message.status = "error"
        session.add(message)
        if tenant is not None:
            conversation = lock_open_conversation(session, tenant, message.from_phone)
            _attach(conversation, message)
            session.add(conversation)
            messaging.queue_text(
                session,
                tenant=tenant,
                to_phone=message.from_phone,
                conversation=conversation,
                body="Disculpa, tuve un problema procesando tu mensaje 🙏. ¿Me lo puedes escribir de nuevo?",
                in_window=True,
            )


def process_inbound_message(message_id: uuid.UUID) -> int:
    """Answers the message (and earlier unanswered ones of the same phone); idempotent.

    Returns how many messages were handled (0 when it was already done).
    """
    try:
        with session_scope(write=True) as session:
            message = session.get(Message, message_id)
            if (
                message is None
                or message.direction != "inbound"
                or message.processed_at is not None
            ):
                return 0
            tenant = session.get(Tenant, message.tenant_id)
            if tenant is None:
                return 0
            conversation = lock_open_conversation(session, tenant, message.from_phone)
            handled = 0
            with session.no_autoflush:  # one UPDATE per row at the end, not one per query
                for pending in _unprocessed_up_to(session, message):
                    conversation = _handle_one(session, tenant, conversation, pending)
                    handled += 1
            return handled
    except Exception:
        log.exception("the assistant failed on message %s", message_id)
        _apologise(message_id)
        return 1
