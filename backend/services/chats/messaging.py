"""Outbound WhatsApp messages: stored first, sent after commit, status kept.

`queue_text` writes the message rows (status `queued`) in the caller's
transaction and submits a DELIVER_MESSAGE job for after its commit
(`backend.core.jobs`: in-process now, a Celery task with Redis), which calls
`deliver_message`. So a reply is never sent for work that rolled
back, and never lost for work that committed: a message still `queued` is
submitted again by the workers' sweep. A message left `sending` by a worker
that died mid-send is recovered by another sweep (`recover_stuck_messages`):
the provider is asked first whether it went out, so it is neither lost nor
sent twice.

WhatsApp rules applied here:
- a text over 1,600 characters goes as several messages, split at paragraph,
  line or word boundaries;
- free text is only allowed within 24 hours of the client's last message (the
  customer-service window); outside it the clinic's template (its own
  `whatsapp_template_sid`, else WHATSAPP_TEMPLATE_CONTENT_SID) is sent instead, with the text as its
  variable, and the stored row records which template went out.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, or_, update
from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.core.jobs import Job, submit_after_commit
from backend.domain.conversation_states import EMERGENCY_STATES
from backend.integrations.whatsapp import (
    ChannelError,
    WhatsAppChannel,
    channel_for_account,
    get_channel,
)
from backend.models import Alert, AlertDelivery, Conversation, Message, Tenant
from backend.services import events
from backend.services.clinics import twilio_accounts
from backend.services.clinics.twilio_accounts import TwilioAccount

log = logging.getLogger(__name__)

WHATSAPP_MAX_CHARS = 1600
SERVICE_WINDOW = timedelta(hours=24)
MAX_ATTEMPTS = 5
SENDING_LEASE = timedelta(minutes=2)
"""How long a claimed message may stay `sending` before its worker counts as dead.

Far above the provider call's timeout (10 s), so a live worker has recorded
the answer long before."""
PROVIDER_CLOCK_SKEW = timedelta(minutes=5)
"""Margin for the provider's clock when asking what it sent since a message was stored."""
RECOVERY_BATCH = 100

STATUS_RANK = {
    "queued": 0,
    "sending": 1,
    "accepted": 1,
    "scheduled": 1,
    "sent": 2,
    "delivered": 3,
    "read": 4,
    "undelivered": 5,
    "failed": 5,
    "canceled": 5,
}
"""A status callback only moves a message forward (callbacks can arrive out of order)."""


class DeliveryResult(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"  # back to queued; a later attempt may succeed
    SKIPPED = "skipped"  # not queued (already sent, claimed elsewhere, or unknown)


class Recovery(StrEnum):
    """What the recovery did with a message stuck in `sending`."""

    MATCHED = "matched"  # the provider had it: its id and status are recorded
    REQUEUED = "requeued"  # the provider never got it: queued again for the normal path
    FAILED = "failed"  # the provider never got it and no attempts are left
    UNKNOWN = "unknown"  # the provider could not be asked: left for the next pass
    SKIPPED = "skipped"  # not stuck (recorded meanwhile, or still inside its lease)


def split_text(text: str, limit: int = WHATSAPP_MAX_CHARS) -> list[str]:
    """Cuts a text into parts of at most `limit` characters, at the nicest boundary.

    Prefers a blank line, then a line break, then a space; a single word
    longer than the limit is cut hard.
    """
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator, 0, limit + 1)
            if cut > limit // 3:
                break
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


def window_open(session: Session, tenant_id: uuid.UUID, phone: str, *, now: datetime) -> bool:
    """Whether `phone` wrote to the clinic in the last 24 hours (free text allowed)."""
    last = session.exec(
        select(Message.created_at)
        .where(
            Message.tenant_id == tenant_id,
            Message.direction == "inbound",
            Message.from_phone == phone,
            col(Message.created_at) > now - SERVICE_WINDOW,
        )
        .limit(1)
    ).first()
    return last is not None


def clinic_number(tenant: Tenant, conversation: Conversation | None = None) -> str:
    """The clinic number to send from: the one the client wrote to, else the clinic's first."""
    if conversation is not None and conversation.state_data.get("clinic_phone"):
        return str(conversation.state_data["clinic_phone"])
    if tenant.whatsapp_numbers:
        return tenant.whatsapp_numbers[0]
    return ""


def queue_text(
    session: Session,
    *,
    tenant: Tenant,
    to_phone: str,
    body: str,
    conversation: Conversation | None = None,
    author: str = "assistant",
    author_user_id: uuid.UUID | None = None,
    in_window: bool | None = None,
    flush: bool = True,
) -> list[Message]:
    """Stores the outbound message(s) for `to_phone`; they are sent after commit.

    `in_window` may be given when the caller knows (a reply to a message just
    received); otherwise the 24-hour window is looked up.
    """
    now = utcnow()
    body = body.strip()
    if not body:
        return []
    if in_window is None:
        in_window = window_open(session, tenant.id, to_phone, now=now)
    if conversation is not None and conversation.last_message_at >= now:
        # keep the thread's order when several messages share a clock reading
        now = conversation.last_message_at + timedelta(microseconds=1)
    sender = clinic_number(tenant, conversation)
    base: dict[str, Any] = {
        "tenant_id": tenant.id,
        "conversation_id": conversation.id if conversation else None,
        "direction": "outbound",
        "author": author,
        "author_user_id": author_user_id,
        "from_phone": sender,
        "to_phone": to_phone,
    }
    messages: list[Message] = []
    if in_window:
        for offset, part in enumerate(split_text(body)):
            messages.append(
                Message(
                    **base,
                    body=part,
                    status="queued",
                    created_at=now + timedelta(microseconds=offset),
                )
            )
    elif template_sid := tenant.whatsapp_template_sid or settings.WHATSAPP_TEMPLATE_CONTENT_SID:
        messages.append(
            Message(**base, body=body, status="queued", template_sid=template_sid, created_at=now)
        )
    else:
        log.warning(
            "no template configured: cannot write to %s outside the 24-hour window", to_phone
        )
        messages.append(
            Message(**base, body=body, status="failed", error_code="no_template", created_at=now)
        )
    for message in messages:
        session.add(message)
    if flush:  # the outbox relay queues a batch and lets the commit insert it at once
        session.flush()
    if conversation is not None:
        conversation.last_message_at = max(m.created_at for m in messages)
        if not (author == "system" and conversation.state in EMERGENCY_STATES):
            # a reminder or follow-up never hides an emergency in the inbox's preview
            conversation.last_message_preview = body[:200]
        session.add(conversation)
    for message in messages:
        if message.status == "queued":
            submit_after_commit(session, Job.DELIVER_MESSAGE, message.id)
    return messages


def _status_callback_url() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + "/webhooks/whatsapp/status"


@dataclass
class _Outgoing:
    id: uuid.UUID
    from_phone: str
    to_phone: str
    body: str
    template_sid: str | None
    attempts: int
    account: TwilioAccount | None = None  # the clinic's own Twilio account, if any


def _claim_statement() -> Any:
    table = Message.__table__  # type: ignore[attr-defined]
    return (
        update(table)
        .where(
            table.c.id == sa.bindparam("message_id"),
            table.c.status == "queued",
            table.c.direction == "outbound",
        )
        .values(
            status="sending",
            attempts=table.c.attempts + 1,
            status_updated_at=sa.bindparam("now", type_=table.c.status_updated_at.type),
        )
        .returning(
            table.c.id,
            table.c.tenant_id,
            table.c.from_phone,
            table.c.to_phone,
            table.c.body,
            table.c.template_sid,
            table.c.attempts,
        )
    )


_CLAIM = _claim_statement()
"""Built once: every reply is claimed with it, its values given as parameters."""


def _claim(session: Session, message_id: uuid.UUID) -> _Outgoing | None:
    """Moves a queued message to `sending` and reads it, in one statement; only one
    caller wins."""
    row = session.execute(_CLAIM, {"message_id": message_id, "now": utcnow()}).first()
    return _outgoing(session, row) if row is not None else None


def _outgoing(session: Session, row: Any) -> _Outgoing:
    """What sending needs of a message row (a Message or a returned row)."""
    return _Outgoing(
        row.id,
        row.from_phone,
        row.to_phone,
        row.body,
        row.template_sid,
        row.attempts,
        twilio_accounts.account_for(session, row.tenant_id),
    )


def _channel(outgoing: _Outgoing) -> WhatsAppChannel:
    account = outgoing.account
    return channel_for_account(
        outgoing.to_phone,
        account.account_sid if account else None,
        account.auth_token if account else None,
    )


def _content(outgoing: _Outgoing) -> dict[str, Any]:
    """What the channel is given for the message: free text, or the template and its variable."""
    if outgoing.template_sid:
        return {
            "body": None,
            "content_sid": outgoing.template_sid,
            "content_variables": {"1": outgoing.body[:1024]},
        }
    return {"body": outgoing.body, "content_sid": None, "content_variables": None}


def _record(
    session: Session, outgoing: _Outgoing, *, sid: str | None, error: ChannelError | None
) -> DeliveryResult:
    """Writes the outcome in one statement (plus the alert deliveries of a system message)."""
    now = utcnow()
    if error is None:
        result, status, code = DeliveryResult.SENT, "sent", None
    elif error.retryable and outgoing.attempts < MAX_ATTEMPTS:
        result, status, code = DeliveryResult.RETRY, "queued", (error.code or "error")[:16]
    else:
        result, status, code = DeliveryResult.FAILED, "failed", (error.code or "error")[:16]
    values: dict[str, Any] = {"status": status, "error_code": code, "status_updated_at": now}
    if error is None:
        values["provider_sid"] = sid
    table = Message.__table__  # type: ignore[attr-defined]
    author = session.execute(
        update(table).where(table.c.id == outgoing.id).values(**values).returning(table.c.author)
    ).scalar_one_or_none()
    if author is None:
        return DeliveryResult.SKIPPED
    if author != "system":  # only system messages carry alerts
        return result
    for delivery, tenant_id in _alert_deliveries(session, outgoing.id):
        delivery.attempts += 1
        if result == DeliveryResult.SENT:
            delivery.status, delivery.sent_at, delivery.error = "sent", now, None
        elif result == DeliveryResult.FAILED:
            delivery.status, delivery.error = "failed", (error.message if error else None)
        else:
            delivery.error = error.message if error else None
        session.add(delivery)
        if result != DeliveryResult.RETRY:
            _alert_delivery_settled(session, delivery, tenant_id)
    return result


def _alert_deliveries(session: Session, message_id: uuid.UUID) -> list[Any]:
    """The alert deliveries a system message carries, with their clinic."""
    return list(
        session.exec(
            select(AlertDelivery, Alert.tenant_id)
            .join(Alert, col(Alert.id) == AlertDelivery.alert_id)
            .where(AlertDelivery.message_id == message_id)
        )
    )


def _alert_delivery_settled(
    session: Session, delivery: AlertDelivery, tenant_id: uuid.UUID
) -> None:
    """Tells whoever waits on the alert (the client of an emergency) how its delivery ended."""
    events.emit(
        session,
        tenant_id=tenant_id,
        type=events.ALERT_DELIVERY_SETTLED,
        aggregate_id=delivery.alert_id,
        payload={"delivery_id": str(delivery.id), "status": delivery.status},
    )


def _send(outgoing: _Outgoing) -> tuple[str | None, ChannelError | None]:
    channel = _channel(outgoing)
    try:
        sent = channel.send(
            from_phone=outgoing.from_phone,
            to_phone=outgoing.to_phone,
            **_content(outgoing),
            status_callback=_status_callback_url() if channel.name != "sandbox" else None,
        )
    except ChannelError as exc:
        log.warning("sending message %s failed: %s", outgoing.id, exc.message)
        return None, exc
    except Exception as exc:  # a bug in a channel must not leave the row in `sending`
        log.exception("channel crashed sending message %s", outgoing.id)
        return None, ChannelError(str(exc)[:500], code="channel_error", retryable=True)
    return sent.provider_sid, None


def deliver_message(message_id: uuid.UUID) -> DeliveryResult:
    """Sends one stored outbound message if it is still queued (idempotent).

    The row is claimed (`queued` → `sending`) in its own short transaction, the
    provider is called outside any transaction, and the outcome is recorded:
    `sent` with the provider's id, back to `queued` after a retryable error
    (until MAX_ATTEMPTS), or `failed` with the error code. With the sandbox
    channel, which does no I/O, everything happens in one transaction.
    """
    if get_channel().name == "sandbox":
        with session_scope(write=True) as session:
            outgoing = _claim(session, message_id)
            if outgoing is None:
                return DeliveryResult.SKIPPED
            sid, error = _send(outgoing)
            return _record(session, outgoing, sid=sid, error=error)
    with session_scope(write=True) as session:
        outgoing = _claim(session, message_id)
    if outgoing is None:
        return DeliveryResult.SKIPPED
    sid, error = _send(outgoing)
    with session_scope(write=True) as session:
        return _record(session, outgoing, sid=sid, error=error)


def record_status(provider_sid: str, status: str, error_code: str | None = None) -> bool:
    """Applies a provider status callback to the outbound message; False if unknown.

    Statuses only move forward (a late `sent` does not undo `delivered`).
    """
    status = (status or "").strip().lower()
    if status not in STATUS_RANK:
        log.info("ignoring unknown message status %r for %s", status, provider_sid)
        return False
    with session_scope(write=True) as session:
        message = session.exec(
            select(Message).where(Message.provider_sid == provider_sid).with_for_update()
        ).first()
        if message is None or message.direction != "outbound":
            return False
        _move_forward(message, status, error_code)
        session.add(message)
        if message.author == "system" and message.status in ("undelivered", "failed"):
            _fail_alert_deliveries(session, message, error_code)
    return True


def _fail_alert_deliveries(session: Session, message: Message, error_code: str | None) -> None:
    """An alert accepted by the provider that then never reached the phone counts as failed."""
    for delivery, tenant_id in _alert_deliveries(session, message.id):
        if delivery.status == "failed":
            continue
        delivery.status = "failed"
        delivery.error = f"WhatsApp: {message.status} ({error_code or 'sin código'})"
        session.add(delivery)
        _alert_delivery_settled(session, delivery, tenant_id)


def _move_forward(message: Message, status: str, error_code: str | None) -> None:
    if STATUS_RANK.get(status, -1) > STATUS_RANK.get(message.status, -1):
        message.status = status
        message.status_updated_at = utcnow()
    if error_code:
        message.error_code = str(error_code)[:16]


def queued_message_ids(*, older_than: timedelta, limit: int = 500) -> Sequence[uuid.UUID]:
    """Outbound messages still waiting to be sent (for a resubmission sweep)."""
    cutoff = utcnow() - older_than
    with session_scope(read_only=True) as session:
        return session.exec(
            select(Message.id)
            .where(
                Message.direction == "outbound",
                Message.status == "queued",
                col(Message.created_at) <= cutoff,
            )
            .order_by(col(Message.created_at))
            .limit(limit)
        ).all()


def _stuck_since(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    """Outbound messages claimed (`sending`) before `cutoff` and never recorded."""
    return (
        col(Message.direction) == "outbound",
        col(Message.status) == "sending",
        col(Message.provider_sid).is_(None),
        or_(
            col(Message.status_updated_at) <= cutoff,
            col(Message.status_updated_at).is_(None) & (col(Message.created_at) <= cutoff),
        ),
    )


def stuck_message_ids(
    *, lease: timedelta = SENDING_LEASE, limit: int = RECOVERY_BATCH
) -> Sequence[uuid.UUID]:
    """Outbound messages left `sending` for longer than `lease` (their worker died)."""
    with session_scope(read_only=True) as session:
        return session.exec(
            select(Message.id)
            .where(*_stuck_since(utcnow() - lease))
            .order_by(col(Message.status_updated_at))
            .limit(limit)
        ).all()


def recover_stuck_message(message_id: uuid.UUID, *, lease: timedelta = SENDING_LEASE) -> Recovery:
    """Moves on one message whose worker died between claiming it and recording the answer.

    The worker may have died before calling the provider or after the
    provider accepted the message; only the provider knows which, so it is
    asked first (same sender and recipient, sent since the message was
    stored, same content, an id no other message has). Found: its id and
    status are recorded, as the worker would have. Not found: the message is
    queued again and the normal path sends it after commit (DELIVER_MESSAGE),
    or, with its attempts used up, it fails as `lost`. When the provider
    cannot be asked nothing changes and the next pass asks again: a message
    is never sent again without the provider saying it did not go out.

    Args:
        message_id: the outbound message.
        lease: how long a claim is left alone (a live worker is still on it).
    """
    cutoff = utcnow() - lease
    with session_scope(read_only=True) as session:
        row = session.exec(
            select(Message).where(col(Message.id) == message_id, *_stuck_since(cutoff))
        ).first()
        if row is None:
            return Recovery.SKIPPED
        outgoing, stored_at = _outgoing(session, row), row.created_at
    try:
        found = _channel(outgoing).find_sent(
            from_phone=outgoing.from_phone,
            to_phone=outgoing.to_phone,
            sent_after=stored_at - PROVIDER_CLOCK_SKEW,
            **_content(outgoing),
        )
    except ChannelError as exc:
        log.warning("cannot ask whether stuck message %s went out: %s", message_id, exc.message)
        return Recovery.UNKNOWN
    except Exception:  # a bug in a channel must not stop the sweep
        log.exception("channel crashed looking up stuck message %s", message_id)
        return Recovery.UNKNOWN
    with session_scope(write=True) as session:
        message = session.exec(
            select(Message)
            .where(
                col(Message.id) == message_id,
                col(Message.attempts) == outgoing.attempts,  # nobody claimed it meanwhile
                *_stuck_since(cutoff),
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if message is None:
            return Recovery.SKIPPED
        sids = [sent.provider_sid for sent in found]
        known = (
            set(
                session.exec(
                    select(Message.provider_sid).where(col(Message.provider_sid).in_(sids))
                )
            )
            if sids
            else set()
        )
        match = next((sent for sent in found if sent.provider_sid not in known), None)
        if match is not None:
            log.info("stuck message %s had gone out as %s", message_id, match.provider_sid)
            _record(session, outgoing, sid=match.provider_sid, error=None)
            _move_forward(message, match.status.lower(), match.error_code)
            session.add(message)
            return Recovery.MATCHED
        if message.attempts >= MAX_ATTEMPTS:
            log.warning("stuck message %s never went out and has no attempts left", message_id)
            lost = ChannelError(
                "worker lost; never reached the provider", code="lost", retryable=False
            )
            _record(session, outgoing, sid=None, error=lost)
            return Recovery.FAILED
        log.info("stuck message %s never went out; queued again", message_id)
        message.status, message.status_updated_at = "queued", utcnow()
        session.add(message)
        submit_after_commit(session, Job.DELIVER_MESSAGE, message.id)
        return Recovery.REQUEUED


def recover_stuck_messages(*, lease: timedelta = SENDING_LEASE, limit: int = RECOVERY_BATCH) -> int:
    """Recovers every message stuck in `sending` past `lease`; returns how many moved on."""
    moved = (Recovery.MATCHED, Recovery.REQUEUED, Recovery.FAILED)
    return sum(
        1
        for message_id in stuck_message_ids(lease=lease, limit=limit)
        if recover_stuck_message(message_id, lease=lease) in moved
    )
