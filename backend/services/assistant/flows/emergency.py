"""Emergencies by chat (002 §3.2, §5): confirm, then escalate — or count a false alarm.

Detection runs on every message in every state; the client is always asked to
confirm first. On "sí": an EmergencyEvent, an emergency-priority appointment
from now for 60 minutes (it cancels nothing: the booking service lets
emergencies overlap), an alert in the spec's format to every escalation
contact, and first-aid advice for the case. On "no": a false alarm on the
client's record and the offer of a regular appointment. A client with a false
alarm on record is told to call the clinic instead (spec §5.2).

The answer never claims the vet was notified: the alert goes out after the
turn commits, and `outreach.emergency_notice` tells the client once it has
reached a contact (or that it could not, with the clinic's phone).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.domain.appointment_rules import Priority, Source, Status
from backend.domain.conversation_states import State
from backend.domain.errors import DomainError
from backend.domain.language import EmergencyDetection, YesNo, first_aid_advice
from backend.models import Alert, AlertDelivery, EmergencyEvent, Tenant
from backend.services.alerting import alerts
from backend.services.assistant import replies
from backend.services.assistant.context import Turn, uuid_or_none
from backend.services.assistant.flows import identity
from backend.services.scheduling import booking, on_call

log = logging.getLogger(__name__)

EMERGENCY_SLOT = timedelta(minutes=60)
ACK_WINDOW = timedelta(hours=24)


def is_restricted(turn: Turn) -> bool:
    client = turn.client
    return client is not None and (
        client.emergency_access_revoked or client.false_emergency_count >= 1
    )


def start(turn: Turn, detection: EmergencyDetection) -> None:
    """Asks "¿la vida de tu mascota está en riesgo?" (or refuses a restricted number)."""
    if is_restricted(turn):
        if turn.route_to(State.CONFIRM_EMERGENCY):
            turn.move(State.CLOSED)
        turn.say(replies.emergency_restricted(turn.clinic_phone))
        return
    if not turn.route_to(State.CONFIRM_EMERGENCY):
        return
    pet = turn.understanding.pet
    if pet is None or not pet.name:
        identity.pet_named_in(turn, turn.text)
    turn.data["emergency"] = {
        "description": turn.text.strip()[:1000],
        "keywords": list(detection.matched_keywords),
        "category": detection.category,
        "confidence": detection.confidence,
        "pet_species": (pet.species if pet else None) or turn.data.get("pet_species"),
        "pet_name": (pet.name if pet else None) or turn.data.get("pet_name"),
    }
    turn.say(replies.confirm_emergency())


def on_confirm(turn: Turn) -> None:
    """CONFIRM_EMERGENCY: yes escalates, no is a false alarm, anything else asks again."""
    answer = turn.understanding.yes_no
    if answer == YesNo.YES:
        escalate(turn)
    elif answer == YesNo.NO:
        client = turn.ensure_client()
        client.false_emergency_count += 1
        turn.session.add(client)
        if turn.move(State.ASK_REASON):
            turn.data["pending"] = "offer_regular"
            turn.data["flow"] = "book"
            turn.say(replies.false_alarm())
    else:
        turn.say(replies.confirm_emergency_again(turn.clinic_phone))


def _doctor_for_emergency(session: Session, tenant: Tenant):  # type: ignore[no-untyped-def]
    return on_call.doctor_for_emergency(session, tenant, utcnow())


def escalate(turn: Turn) -> EmergencyEvent | None:
    """Records the emergency, books the priority slot, alerts the vets, advises the client."""
    if not turn.move(State.ESCALATE):
        return None
    info = dict(turn.data.get("emergency") or {})
    description = (
        info.get("description") or turn.text.strip() or "Emergencia reportada por WhatsApp"
    )
    client = turn.ensure_client()
    event = EmergencyEvent(
        tenant_id=turn.tenant.id,
        conversation_id=turn.conversation.id,
        client_id=client.id,
        client_phone=turn.conversation.client_phone,
        pet_name=info.get("pet_name"),
        pet_species=info.get("pet_species"),
        description=description,
        keywords=list(info.get("keywords") or []),
        category=info.get("category"),
        status="active",
        created_at=turn.now,
    )
    turn.session.add(event)
    turn.session.flush()
    doctor = _doctor_for_emergency(turn.session, turn.tenant)
    if doctor is None:
        log.warning("clinic %s has no active doctor for emergency %s", turn.tenant.slug, event.id)
    else:
        try:
            with turn.session.begin_nested():
                appointment = booking.create(
                    turn.session,
                    tenant=turn.tenant,
                    actor=turn.actor,
                    data=booking.NewAppointment(
                        doctor_id=doctor.id,
                        client_id=client.id,
                        pet_id=uuid_or_none(turn.data.get("pet_id")),
                        start_at=turn.now,
                        end_at=turn.now + EMERGENCY_SLOT,
                        reason=f"EMERGENCIA: {description}"[:500],
                        priority=Priority.EMERGENCY,
                        source=Source.WHATSAPP,
                        status=Status.CONFIRMED,
                        conversation_id=turn.conversation.id,
                        emergency_id=event.id,
                    ),
                )
            event.appointment_id = appointment.id
        except DomainError as exc:
            log.error("emergency %s: no priority appointment (%s)", event.id, exc.message)
    alert = alerts.raise_alert(
        turn.session,
        tenant=turn.tenant,
        kind="emergency",
        title=replies.emergency_alert_title(event.category, event.pet_species, event.client_phone),
        body=replies.emergency_alert(
            event.client_phone, event.pet_species, description, event.keywords
        ),
        subject_id=event.id,
    )
    alerting = any(d.status != "failed" for d in alerts.deliveries_of(turn.session, alert.id))
    if not alerting:  # nobody to alert, or no way to write to them: the phone, now
        event.client_notice = "unreachable"
    turn.session.add(event)
    turn.conversation.emergency_id = event.id
    turn.data["emergency_id"] = str(event.id)
    turn.say(
        replies.emergency_registered(
            first_aid_advice(event.category),
            alerting=alerting,
            clinic_phone=turn.clinic_phone,
            address=turn.tenant.address,
        )
    )
    return event


def on_escalated(turn: Turn) -> None:
    """ESCALATE: what the client adds (usually the address) goes to the vets; thanked once."""
    event = (
        turn.session.get(EmergencyEvent, turn.conversation.emergency_id)
        if turn.conversation.emergency_id
        else None
    )
    text = turn.text.strip()
    if event is not None and text:
        alerts.raise_alert(
            turn.session,
            tenant=turn.tenant,
            kind="emergency_update",
            title=f"Emergencia {event.client_phone}: mensaje del cliente",
            body=replies.emergency_update_alert(event.client_phone, text),
            subject_id=event.id,
        )
    if not turn.data.get("escalation_acknowledged"):
        turn.data["escalation_acknowledged"] = True
        turn.say(replies.escalation_ack(turn.tenant.address, turn.clinic_phone))


def acknowledge_from_contact(
    session: Session, tenant: Tenant, phone: str, now: datetime
) -> list[EmergencyEvent]:
    """A contact answering an emergency alert ("Responde a este mensaje…") acknowledges it."""
    rows = session.exec(
        select(AlertDelivery, Alert)
        .join(Alert, col(Alert.id) == AlertDelivery.alert_id)
        .where(
            Alert.tenant_id == tenant.id,
            Alert.kind == "emergency",
            AlertDelivery.channel == "whatsapp",
            AlertDelivery.target == phone,
            col(AlertDelivery.acknowledged_at).is_(None),
            col(Alert.created_at) > now - ACK_WINDOW,
        )
    ).all()
    acknowledged: list[EmergencyEvent] = []
    for delivery, alert in rows:
        delivery.acknowledged_at = now
        session.add(delivery)
        event = session.get(EmergencyEvent, alert.subject_id) if alert.subject_id else None
        if event is not None and event.status == "active":
            event.status = "acknowledged"
            event.acknowledged_at = now
            event.acknowledged_by = delivery.contact_name or phone
            session.add(event)
            acknowledged.append(event)
    return acknowledged
