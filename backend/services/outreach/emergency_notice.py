"""Telling the client of an emergency what became of the vet's alert, once it is known.

The assistant's answer to a confirmed emergency only says the alert is being
sent. When a delivery of the emergency's alert settles (`messaging` and
`alerts` emit `alert.delivery_settled`), this outbox handler tells the client
in the emergency's conversation: "the vet has been notified" as soon as one
delivery went out, or, when every delivery failed, to call the clinic. Each is
said at most once (`EmergencyEvent.client_notice`); a "notified" followed by
every delivery failing later (WhatsApp reports it undelivered) is corrected.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from backend.models import Alert, Conversation, EmergencyEvent, OutboxEvent, Tenant
from backend.services import events
from backend.services.alerting import alerts
from backend.services.assistant import replies
from backend.services.assistant.context import format_clinic_phone
from backend.services.chats import messaging
from backend.services.outbox import EventHandler

log = logging.getLogger(__name__)

NOTIFIED = "notified"
UNREACHABLE = "unreachable"
SETTLED_EMERGENCIES = frozenset({"active", "acknowledged"})
"""An emergency already resolved (or a false alarm) needs no more news."""


def outcome(statuses: list[str]) -> str | None:
    """NOTIFIED once any delivery went out, UNREACHABLE when all failed, else None (wait)."""
    if any(status == "sent" for status in statuses):
        return NOTIFIED
    if statuses and all(status == "failed" for status in statuses):
        return UNREACHABLE
    return None


def wants(event: OutboxEvent) -> bool:
    return event.type == events.ALERT_DELIVERY_SETTLED


def handle_event(session: Session, event: OutboxEvent) -> None:
    alert = session.get(Alert, event.aggregate_id)
    if alert is None or alert.kind != "emergency" or alert.subject_id is None:
        return
    emergency = session.get(EmergencyEvent, alert.subject_id, with_for_update=True)
    if emergency is None or emergency.status not in SETTLED_EMERGENCIES:
        return
    now = outcome([d.status for d in alerts.deliveries_of(session, alert.id)])
    if now is None or now == emergency.client_notice:
        return
    if now == NOTIFIED and emergency.client_notice == UNREACHABLE:
        return  # the client was already sent to the phone; a late success changes nothing
    tenant = session.get(Tenant, alert.tenant_id)
    if tenant is None:
        return
    phone = format_clinic_phone(tenant)
    body = (
        replies.emergency_vet_notified(phone)
        if now == NOTIFIED
        else replies.emergency_vet_unreachable(phone)
    )
    conversation = (
        session.get(Conversation, emergency.conversation_id) if emergency.conversation_id else None
    )
    messaging.queue_text(
        session,
        tenant=tenant,
        to_phone=emergency.client_phone,
        body=body,
        conversation=conversation,
    )
    emergency.client_notice = now
    session.add(emergency)
    log.info("emergency %s: client told %s", emergency.id, now)


HANDLER = EventHandler(handle=handle_event, wants=wants)
