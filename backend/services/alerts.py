"""Alerts to the clinic's people: one Alert, one AlertDelivery per contact and channel.

WhatsApp deliveries are queued through `messaging` in the caller's
transaction (sent after commit; the delivery row follows the message's
outcome). E-mail (SMTP) and Slack-compatible webhook deliveries are sent by
`send_alert_delivery` after commit and retried by the workers' sweep.
A clinic without escalation contacts still alerts its active doctors that
have an alert phone, so an emergency never goes to nobody.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage

import httpx
from sqlalchemy import update
from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.core.jobs import Job, submit_after_commit
from backend.models import Alert, AlertDelivery, EscalationContact, StaffUser, Tenant
from backend.services import messaging
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
            select(StaffUser).where(
                StaffUser.tenant_id == tenant.id, StaffUser.role == "doctor",
                col(StaffUser.is_active), col(StaffUser.alert_phone).is_not(None),
            ).order_by(col(StaffUser.active_for_ai_booking).desc(), col(StaffUser.full_name))
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
    alert = Alert(tenant_id=tenant.id, kind=kind, subject_id=subject_id, title=title[:200], body=body)
    session.add(alert)
    session.flush()
    targets = _targets(session, tenant)
    if not targets:
        log.warning("clinic %s has nobody to alert for %s %s", tenant.slug, kind, subject_id)
    deliveries: list[AlertDelivery] = []
    for channel, target, name in targets:
        delivery = AlertDelivery(alert_id=alert.id, channel=channel, target=target, contact_name=name)
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


# ------------------------------------------------- e-mail and Slack senders
#
# WhatsApp deliveries ride on their message (see `messaging`). E-mail (SMTP)
# and Slack-compatible webhook deliveries are sent here: submitted right after
# the alert commits, then retried by the workers' sweep about once a minute
# until MAX_DELIVERY_ATTEMPTS. Each attempt is claimed in a short transaction
# (pending -> sending), made outside any transaction, and recorded.

MAX_DELIVERY_ATTEMPTS = 5
SEND_TIMEOUT_S = 10.0
STUCK_SENDING = timedelta(minutes=10)


class DeliveryFailed(Exception):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def _submit_after_commit(session: Session, deliveries: list[AlertDelivery]) -> None:
    """Hands the e-mail/Slack deliveries to the workers once the alert is committed."""
    for delivery in deliveries:
        if delivery.channel in ("email", "slack") and delivery.status == "pending":
            submit_after_commit(session, Job.SEND_ALERT_DELIVERY, delivery.id)


def send_email(*, to: str, subject: str, body: str) -> None:
    """One plain-text e-mail through the configured SMTP server."""
    if not settings.SMTP_HOST:
        raise DeliveryFailed("SMTP_HOST is not configured", retryable=False)
    message = EmailMessage()
    message["From"] = settings.SMTP_FROM
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.SMTP_HOST, settings.SMTP_PORT, timeout=SEND_TIMEOUT_S) as smtp:
            if settings.SMTP_USER:
                smtp.starttls()
                smtp.login(settings.SMTP_USER, settings.SMTP_PASSWORD or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryFailed(f"recipient refused: {exc.recipients}", retryable=False) from exc
    except smtplib.SMTPResponseException as exc:
        raise DeliveryFailed(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", retryable=exc.smtp_code < 500) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"SMTP unreachable: {exc!r}", retryable=True) from exc


def post_webhook(*, url: str, text: str) -> None:
    """A Slack-compatible incoming webhook: POST {"text": ...}."""
    try:
        response = httpx.post(url, json={"text": text}, timeout=SEND_TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"webhook unreachable: {exc!r}", retryable=True) from exc
    if response.status_code >= 400:
        retryable = response.status_code >= 500 or response.status_code == 429
        raise DeliveryFailed(f"webhook answered {response.status_code}: {response.text[:200]}", retryable=retryable)


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
        if delivery.channel == "email":
            send_email(to=delivery.target, subject=alert.title, body=alert.body)
        else:
            post_webhook(url=delivery.target, text=f"*{alert.title}*\n{alert.body}")
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
            row.status = "pending" if error.retryable and row.attempts < MAX_DELIVERY_ATTEMPTS else "failed"
        session.add(row)
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
            select(AlertDelivery.id).where(
                col(AlertDelivery.status) == "pending",
                col(AlertDelivery.channel).in_(["email", "slack"]),
            ).limit(200)
        ).all()
    return sum(1 for delivery_id in ids if send_alert_delivery(delivery_id) == "sent")
