"""Alerts to the clinic's people: one Alert, one AlertDelivery per contact and channel.

WhatsApp deliveries are queued through `messaging` in the caller's
transaction (sent after commit; the delivery row follows the message's
outcome). E-mail and Slack-compatible webhook deliveries are sent through the
alert transport (`backend.integrations.alerts`) by `send_alert_delivery` after
commit and retried by the workers' sweep.
A clinic without escalation contacts still alerts its active doctors that
have an alert phone, so an emergency never goes to nobody.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.jobs import Job, submit_after_commit
from backend.integrations.alerts import DeliveryFailed, get_alert_transport
from backend.models import Alert, AlertDelivery, EscalationContact, StaffUser, Tenant
from backend.services import events
from backend.services.chats import messaging
from backend.services.phones import to_e164

log = logging.getLogger(__name__)


def _targets(session: Session, tenant: Tenant) -> list[tuple[str, str, str]]:
    """(channel, target, contact name) for the clinic, without duplicates."""
    seen: set[tuple[str, str]] = set()
    targets: list[tuple[str, str, str]] = []

    def add(channel: str, target: str | None, name: str) -> None:
        if not target:
            return
        if channel == "whatsapp":
            try:
                target = to_e164(target, tenant.country)
            except Exception:
                log.warning("escalation contact %s has an invalid WhatsApp number %r", name, target)
                return
        if (channel, target) not in seen:
            seen.add((channel, target))
            targets.append((channel, target, name))

    contacts = session.exec(
        select(EscalationContact)
        .where(EscalationContact.tenant_id == tenant.id, col(EscalationContact.is_active))
        .order_by(col(EscalationContact.created_at))
    ).all()
    for contact in contacts:
        for channel in contact.channels or ["whatsapp"]:
            if channel == "whatsapp":
                add("whatsapp", contact.whatsapp_phone, contact.name)
            elif channel == "email":
                add("email", contact.email, contact.name)
            elif channel == "slack":
                add("slack", tenant.alert_slack_webhook_url, contact.name)
    if not targets:
        doctors = session.exec(
            select(StaffUser)
            .where(
                StaffUser.tenant_id == tenant.id,
                StaffUser.role == "doctor",
                col(StaffUser.is_active),
                col(StaffUser.alert_phone).is_not(None),
            )
            .order_by(col(StaffUser.active_for_ai_booking).desc(), col(StaffUser.full_name))
        ).all()
        for doctor in doctors:
            add("whatsapp", doctor.alert_phone, doctor.full_name)
    return targets


def raise_alert(
    session: Session,
    *,
    tenant: Tenant,
    kind: str,
    title: str,
    body: str,
    subject_id: uuid.UUID | None = None,
) -> Alert:
    """Records the alert and a delivery per contact channel; WhatsApp ones are queued now.

    `title` is the one-line summary; `body` the message people read.
    """
    alert = Alert(
        tenant_id=tenant.id, kind=kind, subject_id=subject_id, title=title[:200], body=body
    )
    session.add(alert)
    session.flush()
    targets = _targets(session, tenant)
    if not targets:
        log.warning("clinic %s has nobody to alert for %s %s", tenant.slug, kind, subject_id)
    deliveries: list[AlertDelivery] = []
    for channel, target, name in targets:
        delivery = AlertDelivery(
            alert_id=alert.id, channel=channel, target=target, contact_name=name
        )
        if channel == "whatsapp":
            messages = messaging.queue_text(
                session, tenant=tenant, to_phone=target, body=body, author="system"
            )
            if messages:
                delivery.message_id = messages[0].id
                if messages[0].status == "failed":
                    delivery.status = "failed"
                    delivery.error = "outside the 24-hour window and no template configured"
        session.add(delivery)
        deliveries.append(delivery)
    session.flush()
    _submit_after_commit(session, deliveries)
    return alert


def deliveries_of(session: Session, alert_id: uuid.UUID) -> list[AlertDelivery]:
    return list(session.exec(select(AlertDelivery).where(AlertDelivery.alert_id == alert_id)))


# ------------------------------------------------- e-mail and Slack deliveries
#
# WhatsApp deliveries ride on their message (see `messaging`). E-mail and
# Slack-compatible webhook deliveries are sent here: submitted right after
# the alert commits, then retried by the workers' sweep about once a minute
# until MAX_DELIVERY_ATTEMPTS. Each attempt is claimed in a short transaction
# (pending -> sending), made through the alert transport outside any
# transaction, and recorded; a DeliveryFailed that is not retryable fails the
# delivery at once.

MAX_DELIVERY_ATTEMPTS = 5
STUCK_SENDING = timedelta(minutes=10)


def _submit_after_commit(session: Session, deliveries: list[AlertDelivery]) -> None:
    """Hands the e-mail/Slack deliveries to the workers once the alert is committed."""
    for delivery in deliveries:
        if delivery.channel in ("email", "slack") and delivery.status == "pending":
            submit_after_commit(session, Job.SEND_ALERT_DELIVERY, delivery.id)


def _claim_delivery(delivery_id: uuid.UUID) -> tuple[AlertDelivery, Alert] | None:
    with session_scope(write=True) as session:
        claimed = session.exec(  # type: ignore[call-overload]
            update(AlertDelivery)
            .where(
                col(AlertDelivery.id) == delivery_id,
                col(AlertDelivery.status) == "pending",
                col(AlertDelivery.channel).in_(["email", "slack"]),
            )
            .values(status="sending", attempts=AlertDelivery.attempts + 1)
        )
        if not claimed.rowcount:
            return None
        delivery = session.get(AlertDelivery, delivery_id, populate_existing=True)
        alert = session.get(Alert, delivery.alert_id) if delivery else None
        if delivery is None or alert is None:
            return None
        return delivery, alert


def send_alert_delivery(delivery_id: uuid.UUID) -> str:
    """Sends one pending e-mail/Slack delivery (idempotent); returns its status afterwards."""
    claimed = _claim_delivery(delivery_id)
    if claimed is None:
        return "skipped"
    delivery, alert = claimed
    error: DeliveryFailed | None = None
    try:
        transport = get_alert_transport()
        if delivery.channel == "email":
            transport.send_email(to=delivery.target, subject=alert.title, body=alert.body)
        else:
            transport.post_slack(url=delivery.target, text=f"*{alert.title}*\n{alert.body}")
    except DeliveryFailed as exc:
        error = exc
    except Exception as exc:  # a bug must not leave the row in `sending`
        log.exception("alert delivery %s crashed", delivery_id)
        error = DeliveryFailed(repr(exc), retryable=True)
    with session_scope(write=True) as session:
        row = session.get(AlertDelivery, delivery_id)
        if row is None:
            return "skipped"
        if error is None:
            row.status, row.sent_at, row.error = "sent", utcnow(), None
        else:
            log.warning("alert delivery %s (%s) failed: %s", delivery_id, row.channel, error)
            row.error = str(error)[:1000]
            row.status = (
                "pending" if error.retryable and row.attempts < MAX_DELIVERY_ATTEMPTS else "failed"
            )
        session.add(row)
        if row.status in ("sent", "failed"):
            events.emit(
                session,
                tenant_id=alert.tenant_id,
                type=events.ALERT_DELIVERY_SETTLED,
                aggregate_id=alert.id,
                payload={"delivery_id": str(row.id), "status": row.status},
            )
        return row.status


def retry_failed_deliveries(now: datetime) -> int:
    """Sends e-mail/Slack deliveries still pending (retries); returns how many went out.

    A delivery stuck in `sending` (its worker died) for STUCK_SENDING goes
    back to pending first.
    """
    with session_scope(write=True) as session:
        session.exec(  # type: ignore[call-overload]
            update(AlertDelivery)
            .where(
                col(AlertDelivery.status) == "sending",
                col(AlertDelivery.channel).in_(["email", "slack"]),
                col(AlertDelivery.alert_id).in_(
                    select(Alert.id).where(col(Alert.created_at) <= now - STUCK_SENDING)
                ),
            )
            .values(status="pending")
        )
        ids = session.exec(
            select(AlertDelivery.id)
            .where(
                col(AlertDelivery.status) == "pending",
                col(AlertDelivery.channel).in_(["email", "slack"]),
            )
            .limit(200)
        ).all()
    return sum(1 for delivery_id in ids if send_alert_delivery(delivery_id) == "sent")
