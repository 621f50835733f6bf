"""WhatsApp notices to the client about bookings made, moved or cancelled by the clinic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from backend.core.config import settings
from backend.core.db import session_scope
from backend.integrations.whatsapp import SandboxChannel, set_channel
from backend.models import Conversation, Message, OutboxEvent
from backend.services.actors import ASSISTANT, SYSTEM
from backend.services.outreach import notifications
from tests.workers.support import (
    API_KEY,
    MONDAY_9,
    RECEPTION,
    book,
    build_clinic,
    change_status,
    outbound_to,
    relay,
    reschedule,
)

TEMPLATE = "HX0000000000000000000000000000test"


@pytest.fixture
def channel(monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_TEMPLATE_CONTENT_SID", TEMPLATE)
    sandbox = SandboxChannel()
    set_channel(sandbox)
    yield sandbox
    set_channel(None)


@pytest.fixture
def clinic(db, frozen_clock, channel):
    return build_clinic()


def bodies(clinic):
    return [m.body for m in outbound_to(clinic.client.phone)]


def test_booking_from_the_portal_is_announced_in_spanish(clinic, channel):
    book(clinic, actor=RECEPTION, source="portal")
    relay()
    assert bodies(clinic) == [
        "Hola Camila, tu cita de Luna en Clínica patitas quedó agendada para el lunes 1 de febrero a las 9:00 AM. "
        "Si necesitas cancelar o cambiarla, escríbenos por aquí."
    ]
    (message,) = outbound_to(clinic.client.phone)
    assert message.status == "sent"
    assert message.from_phone == clinic.tenant.whatsapp_numbers[0]
    assert len(channel.sent) == 1


def test_booking_from_the_api_is_announced(clinic):
    book(clinic, actor=API_KEY, source="api")
    relay()
    assert len(bodies(clinic)) == 1


def test_booking_made_in_the_chat_is_not_announced_again(clinic):
    book(clinic, actor=ASSISTANT, source="whatsapp")
    relay()
    assert bodies(clinic) == []


def test_whatsapp_source_booked_by_staff_is_not_announced(clinic):
    book(clinic, actor=RECEPTION, source="whatsapp")
    relay()
    assert bodies(clinic) == []


def test_system_actions_are_not_announced(clinic):
    book(clinic, actor=SYSTEM, source="api")
    relay()
    assert bodies(clinic) == []


def test_reschedule_from_the_portal_tells_the_new_and_old_time(clinic):
    appointment = book(clinic, actor=RECEPTION)
    reschedule(clinic, appointment, MONDAY_9 + timedelta(days=1, hours=5), actor=RECEPTION)
    relay()
    assert bodies(clinic)[1] == (
        "Hola Camila, tu cita de Luna en Clínica patitas cambió: ahora es el martes 2 de febrero a las 2:00 PM "
        "(antes el lunes 1 de febrero a las 9:00 AM). Si la nueva hora no te sirve, escríbenos por aquí."
    )


def test_reschedule_by_the_assistant_is_not_announced(clinic):
    appointment = book(clinic, actor=ASSISTANT, source="whatsapp")
    reschedule(clinic, appointment, MONDAY_9 + timedelta(days=1), actor=ASSISTANT)
    relay()
    assert bodies(clinic) == []


def test_cancel_from_the_api_is_announced(clinic):
    appointment = book(clinic, actor=ASSISTANT, source="whatsapp")
    change_status(clinic, appointment, "cancelled", actor=API_KEY)
    relay()
    assert bodies(clinic) == [
        "Hola Camila, tu cita de Luna en Clínica patitas del lunes 1 de febrero a las 9:00 AM fue cancelada. "
        "Si quieres agendar otra, escríbenos por aquí."
    ]


def test_other_changes_are_not_announced(clinic):
    appointment = book(clinic, actor=ASSISTANT, source="whatsapp")
    change_status(clinic, appointment, "confirmed", actor=RECEPTION)
    relay()
    assert bodies(clinic) == []


def test_notices_each_describe_their_own_event_in_order(clinic):
    # given: booked, moved twice, then cancelled before the relay ran
    appointment = book(clinic, actor=RECEPTION)
    reschedule(clinic, appointment, MONDAY_9 + timedelta(days=1), actor=RECEPTION)
    reschedule(clinic, appointment, MONDAY_9 + timedelta(days=2), actor=RECEPTION)
    change_status(clinic, appointment, "cancelled", actor=RECEPTION)
    # when
    relay()
    # then
    sent = bodies(clinic)
    assert len(sent) == 4
    assert "quedó agendada para el lunes 1 de febrero" in sent[0]
    assert "ahora es el martes 2 de febrero" in sent[1]
    assert "ahora es el miércoles 3 de febrero" in sent[2]
    assert "del miércoles 3 de febrero a las 9:00 AM fue cancelada" in sent[3]


def test_redelivered_event_sends_no_second_notice(clinic):
    book(clinic, actor=RECEPTION)
    relay()
    with session_scope(write=True) as session:
        for row in session.exec(select(OutboxEvent)):
            row.dispatched_at = None
            session.add(row)
    relay()
    assert len(bodies(clinic)) == 1


def test_notice_uses_the_clinic_time_zone(db, frozen_clock, channel):
    clinic = build_clinic(slug="madrid", timezone="Europe/Madrid")
    book(clinic, datetime(2027, 2, 1, 8, 30, tzinfo=UTC), actor=RECEPTION)  # 09:30 in Madrid
    relay()
    assert "el lunes 1 de febrero a las 9:30 AM" in bodies(clinic)[0]


def test_notice_outside_the_24_hour_window_goes_as_template(clinic):
    book(clinic, actor=RECEPTION)
    relay()
    (message,) = outbound_to(clinic.client.phone)
    assert message.template_sid == TEMPLATE


def test_notice_joins_the_open_conversation_without_changing_it(clinic):
    with session_scope(write=True) as session:
        open_one = Conversation(
            tenant_id=clinic.tenant.id,
            client_phone=clinic.client.phone,
            state="ASK_REASON",
            state_data={"flow": "book"},
        )
        session.add(open_one)
    book(clinic, actor=RECEPTION)
    relay()
    with session_scope() as session:
        conversation = session.get(Conversation, open_one.id)
        message = session.exec(select(Message).where(Message.direction == "outbound")).one()
    assert message.conversation_id == open_one.id
    assert conversation.state == "ASK_REASON"
    assert conversation.state_data == {"flow": "book"}


def test_past_appointment_is_not_announced(clinic):
    # booked for later, but the event is only delivered after the appointment started
    from backend.core.clock import clock

    book(clinic, actor=RECEPTION)
    clock.freeze(MONDAY_9 + timedelta(minutes=1))
    relay()
    assert bodies(clinic) == []


def test_format_when_writes_one_oclock_with_singular_article():
    assert notifications.format_when(datetime(2027, 2, 1, 18, 0, tzinfo=UTC), "America/Bogota") == (
        "el lunes 1 de febrero a la 1:00 PM"
    )


def test_safe_format_survives_unknown_placeholders_and_braces():
    assert notifications.safe_format("Hola {pet_name} {otro}", pet_name="Luna") == "Hola Luna"
    assert notifications.safe_format("Hola {pet_name", pet_name="Luna") == "Hola {pet_name"
