"""The demo clinic's WhatsApp chats, played through the real engine."""

from __future__ import annotations

from sqlmodel import select

from backend import demo
from backend.core.db import session_scope
from backend.models import Appointment, Conversation, EmergencyEvent, Message


def test_demo_seed_adds_realistic_chats_and_one_active_emergency(db, frozen_clock):
    with session_scope(write=True) as session:
        tenant = demo.seed_demo(session)
    with session_scope(read_only=True) as session:
        chats = session.exec(select(Conversation).where(Conversation.tenant_id == tenant.id)).all()
        phones = {c.client_phone for c in chats}
        assert {
            "+573001112233",
            "+573004445566",
            "+573118765432",
            "+573115556677",
            "+573146667788",
        } <= phones
        [emergency] = session.exec(select(EmergencyEvent)).all()
        assert emergency.status == "active" and emergency.pet_name == "Bruno"
        taken = [c for c in chats if c.taken_over_at is not None]
        assert len(taken) == 1 and taken[0].client_phone == "+573115556677"
        booked = session.exec(
            select(Appointment).where(Appointment.conversation_id.is_not(None))
        ).all()
        assert len([a for a in booked if a.priority == "normal"]) == 2
        alert = session.exec(
            select(Message).where(
                Message.to_phone == "+573209876543", Message.direction == "outbound"
            )
        ).first()
        assert alert is not None and alert.status == "sent" and alert.template_sid is None
        unsent = session.exec(
            select(Message).where(Message.direction == "outbound", Message.status != "sent")
        ).all()
        assert unsent == []
