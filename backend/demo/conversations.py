"""Demo WhatsApp conversations for the demo clinic, played through the real engine.

Each chat is replayed message by message at a moment in the recent past (the
clock is moved back and restored), so the portal shows real threads, booked
appointments, a conversation staff took over, and one active emergency from
ten minutes ago whose alert reached the vet on duty.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from backend.core.clock import clock, utcnow
from backend.models import EscalationContact, Message, StaffUser, Tenant
from backend.services.assistant.inbound import lock_open_conversation, simulate_inbound
from backend.services.assistant.timeouts import apply_timeout
from backend.services.chats import conversations

log = logging.getLogger(__name__)

Chat = Sequence[str]

BOOKED_YESTERDAY: Chat = (
    "Hola, buenas tardes",
    "Quiero sacar una cita para Luna, está estornudando mucho desde hace dos días",
    "la primera",
    "Sí, confirmo",
    "Mil gracias 🙏",
)
PRICE_QUESTION: Chat = (
    "Buenas, ¿cuánto vale la vacuna de la rabia?",
    "No, por ahora no, gracias",
)
NEW_CLIENT: Chat = (
    "Hola, soy Laura Pineda. ¿Tienen cita para esta semana? Es para mi perrita Kira",
    "Control y vacunas, es cachorra",
    "la segunda",
    "dale, perfecto",
)
WHEN_IS_IT: Chat = ("Buenos días, ¿me recuerdan cuándo es la cita de Coco?",)
EMERGENCY: Chat = (
    "Ayuda!! A Bruno lo atropelló un carro y está sangrando",
    "Sí",
    "Estamos en la Calle 93 # 12-40, apartamento 301",
)
TAKEN_OVER_QUESTION = "Hola, ¿atienden gatos persas? Nala está perdiendo mucho pelo"
STAFF_REPLY = (
    "Hola Daniela, te habla Julián de la clínica. Sí, la Dra. Laura Gómez (dermatología) atiende gatos. "
    "¿Te agendo con ella el viernes en la mañana?"
)


def _play(
    session: Session,
    tenant: Tenant,
    phone: str,
    chat: Chat,
    start: datetime,
    gap: timedelta = timedelta(minutes=1),
) -> None:
    moment = start
    for text in chat:
        clock.freeze(moment)
        simulate_inbound(session, tenant=tenant, phone=phone, body=text)
        moment += gap


def _expire(session: Session, tenant: Tenant, phone: str, at: datetime) -> None:
    """Runs the conversation's timeout as the sweep would have at `at`."""
    clock.freeze(at)
    conversation = lock_open_conversation(session, tenant, phone)
    if conversation.timeout_at is not None and conversation.timeout_at <= at:
        apply_timeout(session, conversation, at)


def seed_conversations(session: Session, tenant: Tenant) -> None:
    """Adds the demo chats (registered as a demo extension)."""
    real_now = utcnow()
    was_frozen = clock._frozen
    zone = ZoneInfo(tenant.timezone)
    yesterday_3pm = datetime.combine(
        (real_now.astimezone(zone) - timedelta(days=1)).date(), datetime.min.time(), zone
    ).replace(hour=15, minute=10)
    try:
        _play(session, tenant, "+573001112233", BOOKED_YESTERDAY, yesterday_3pm)
        _expire(session, tenant, "+573001112233", yesterday_3pm + timedelta(hours=1))

        _play(session, tenant, "+573004445566", PRICE_QUESTION, real_now - timedelta(hours=5))
        _expire(session, tenant, "+573004445566", real_now - timedelta(hours=4))

        _play(
            session,
            tenant,
            "+573118765432",
            NEW_CLIENT,
            real_now - timedelta(hours=3),
            timedelta(minutes=2),
        )
        _play(session, tenant, "+573007778899", WHEN_IS_IT, real_now - timedelta(hours=2))

        clock.freeze(real_now - timedelta(minutes=40))
        simulate_inbound(session, tenant=tenant, phone="+573115556677", body=TAKEN_OVER_QUESTION)
        _take_over(session, tenant, "+573115556677", real_now - timedelta(minutes=35))

        _vet_on_duty(session, tenant, real_now - timedelta(hours=6))
        _play(session, tenant, "+573146667788", EMERGENCY, real_now - timedelta(minutes=10))
    except Exception:  # demo data must never stop an install
        log.exception("demo conversations could not be seeded")
    finally:
        if was_frozen is None:
            clock.unfreeze()
        else:
            clock.freeze(was_frozen)


def _take_over(session: Session, tenant: Tenant, phone: str, at: datetime) -> None:
    clock.freeze(at)
    support = session.exec(
        select(StaffUser).where(StaffUser.tenant_id == tenant.id, StaffUser.role == "support")
    ).first()
    conversation = lock_open_conversation(session, tenant, phone)
    conversations.staff_reply(
        session,
        tenant=tenant,
        conversation_id=conversation.id,
        body=STAFF_REPLY,
        user_id=support.id if support else None,
    )


def _vet_on_duty(session: Session, tenant: Tenant, at: datetime) -> None:
    """The vet on duty wrote to the clinic's number this morning, so alerts go as free text."""
    contact = session.exec(
        select(EscalationContact).where(
            EscalationContact.tenant_id == tenant.id,
            col(EscalationContact.whatsapp_phone).is_not(None),
        )
    ).first()
    if contact is None or not contact.whatsapp_phone:
        return
    session.add(
        Message(
            tenant_id=tenant.id,
            direction="inbound",
            author="client",
            from_phone=contact.whatsapp_phone,
            to_phone=tenant.whatsapp_numbers[0] if tenant.whatsapp_numbers else "",
            body="Buenos días, hoy estoy de turno 👩‍⚕️",
            status="received",
            processed_at=at,
            created_at=at,
        )
    )
    session.flush()
