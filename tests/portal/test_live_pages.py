"""Sandbox, emergency board, chat history and the banner: the assistant's side of the portal.

The sandbox drives the real assistant (store the message, hand it over as the
webhook does), so these tests also show that what the board and the chat
history show is what a client's WhatsApp produced.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.domain.errors import NotFound, ValidationFailed
from backend.models import Appointment, Conversation, EmergencyEvent, Message
from backend.services.assistant.inbound import InboundMessage, accept
from backend.services.phones import to_e164
from tests.portal.conftest import call, substate, toast_text
from vetassist_app.states.chat_state import (
    ChatState,
    hand_back,
    list_chats,
    load_thread,
    reply,
    take_over,
)
from vetassist_app.states.emergency_state import EmergencyState, acknowledge, list_board, resolve
from vetassist_app.states.pulse_state import PulseState, emergency_summary
from vetassist_app.states.sandbox_state import SandboxState, conversation_of, send_as_client

PHONE = "+573209998877"


def say(viewer, phone: str, text: str) -> str:
    """A client's WhatsApp message, a few seconds after the previous one (the test clock is
    frozen), stored and answered as the webhook does; the id of the phone's conversation."""
    clock.advance(timedelta(seconds=7))
    from_phone = to_e164(phone, viewer.country)
    accept(
        InboundMessage(
            tenant_id=viewer.tenant_id,
            from_phone=from_phone,
            to_phone="+14155550101",
            body=text,
            provider_sid="SM" + uuid.uuid4().hex,
        )
    )
    return conversation_of(viewer, from_phone)


def _raise_emergency(viewer, phone: str = PHONE) -> str:
    say(viewer, phone, "Mi perro Rocky está convulsionando y no respira bien")
    return say(viewer, phone, "Sí")


def test_sandbox_message_runs_the_assistant_like_the_webhook_as_the_staff_user(clinic) -> None:
    # when
    viewer = clinic.doctor.viewer
    conversation_id = send_as_client(viewer, "+12025550147", "Hola, quiero una cita")

    # then
    thread = load_thread(viewer, conversation_id)
    assert [b.side for b in thread.bubbles][:2] == ["left", "right"]
    assert thread.bubbles[0].body == "Hola, quiero una cita"
    assert thread.bubbles[1].author == "assistant"
    assert thread.header.phone == "+1 202-555-0147"
    with session_scope() as session:
        inbound = session.exec(select(Message).where(Message.direction == "inbound")).one()
    assert inbound.provider_sid.startswith("SANDBOX")
    assert inbound.to_phone == "+14155550101"  # the clinic's own WhatsApp number
    assert inbound.author_user_id == viewer.user_id  # typed by this staff user


def test_sandbox_refuses_a_real_looking_number(clinic) -> None:
    with pytest.raises(ValidationFailed):
        send_as_client(clinic.doctor.viewer, "+573001112233", "Hola")


def test_sandbox_handler_keeps_the_thread_and_switches_client(clinic, root_state) -> None:
    state = substate(root_state, SandboxState, clinic.support.token)
    call(state, "open_page")
    first_phone = state.phone

    call(state, "send", {"body": "Hola"})
    assert len(state.bubbles) >= 2 and state.conversation_id
    call(state, "new_client")

    assert state.phone != first_phone
    assert state.bubbles == [] and state.conversation_id == ""


def test_emergency_from_sandbox_reaches_board_and_banner(clinic) -> None:
    # when
    _raise_emergency(clinic.doctor.viewer)

    # then
    (card,) = list_board(clinic.support.viewer)
    assert card.status == "active" and card.is_open
    assert card.phone == "+57 320 999 8877"
    assert "convulsionando" in card.description
    assert card.keywords
    summary = emergency_summary(clinic.support.viewer)
    assert (summary.open_count, summary.alarm_count) == (1, 1)
    assert "+57 320 999 8877" in summary.newest_text


def test_board_of_another_clinic_stays_empty(clinic, other_clinic) -> None:
    _raise_emergency(clinic.doctor.viewer)

    assert list_board(other_clinic.manager.viewer) == []
    with pytest.raises(NotFound):
        acknowledge(other_clinic.manager.viewer, list_board(clinic.manager.viewer)[0].id)


def test_acknowledge_then_resolve_closes_with_notes(clinic) -> None:
    _raise_emergency(clinic.doctor.viewer)
    (card,) = list_board(clinic.doctor.viewer)

    acknowledge(clinic.support.viewer, card.id)
    (card,) = list_board(clinic.doctor.viewer)
    assert card.status == "acknowledged" and "Sergio Soporte" in card.handled_label
    assert emergency_summary(clinic.doctor.viewer).alarm_count == 0

    resolve(clinic.doctor.viewer, card.id, "false_alarm", "Solo estaba dormido")
    (card,) = list_board(clinic.doctor.viewer)
    assert (card.status, card.is_open, card.notes) == ("false_alarm", False, "Solo estaba dormido")


def test_support_may_acknowledge_but_not_resolve(clinic, root_state) -> None:
    _raise_emergency(clinic.doctor.viewer)
    state = substate(root_state, EmergencyState, clinic.support.token)
    call(state, "open_page")
    emergency_id = state.open_cards[0].id

    call(state, "acknowledge", emergency_id)
    call(state, "start_resolve", emergency_id)
    result = call(state, "submit_resolve", {"outcome": "resolved", "notes": ""})

    assert "permiso" in toast_text(result)
    with session_scope() as session:
        event = session.get(EmergencyEvent, uuid.UUID(emergency_id))
    assert event.status == "acknowledged"


def test_pulse_rings_once_per_new_emergency(clinic, root_state) -> None:
    pulse = substate(root_state, PulseState, clinic.doctor.token)
    viewer = clinic.doctor.viewer
    assert pulse._beat_emergencies(viewer) is False

    _raise_emergency(viewer)

    assert pulse._beat_emergencies(viewer) is True
    assert pulse.alarm_count == 1 and pulse.open_count == 1
    assert pulse._beat_emergencies(viewer) is False  # already rung in this tab


def test_list_chats_finds_by_phone_name_and_accentless_words(clinic) -> None:
    # given
    booked = say(clinic.doctor.viewer, "320 999 8877", "Hola, necesito vacunación para Luna")
    other = say(clinic.doctor.viewer, "311 222 3344", "Buenas tardes")

    # then
    newest_first = [item.id for item in list_chats(clinic.support.viewer)]
    assert newest_first[:2] == [other, booked]
    assert [i.id for i in list_chats(clinic.support.viewer, "9998877")] == [booked]
    assert [i.id for i in list_chats(clinic.support.viewer, "vacunacion")] == [booked]
    assert list_chats(clinic.support.viewer, "palabra-que-no-existe") == []


def test_list_chats_finds_by_client_name(clinic) -> None:
    conversation_id = say(clinic.doctor.viewer, "300 111 2233", "Hola")  # Camila's phone

    assert [i.id for i in list_chats(clinic.support.viewer, "camila")] == [conversation_id]


def test_chats_of_another_clinic_are_invisible(clinic, other_clinic) -> None:
    conversation_id = say(clinic.doctor.viewer, "320 999 8877", "Hola")

    assert list_chats(other_clinic.manager.viewer) == []
    with pytest.raises(NotFound):
        load_thread(other_clinic.manager.viewer, conversation_id)
    with pytest.raises(NotFound):
        reply(other_clinic.manager.viewer, conversation_id, "hola desde otra clínica")


def test_take_over_silences_assistant_until_handed_back(clinic) -> None:
    viewer = clinic.support.viewer
    conversation_id = say(viewer, "320 999 8877", "Hola, quiero una cita")

    take_over(viewer, conversation_id)
    clock.advance(timedelta(seconds=7))
    reply(viewer, conversation_id, "Hola, te atiende Sergio de la clínica")
    say(viewer, "320 999 8877", "Gracias Sergio")
    thread = load_thread(viewer, conversation_id)

    assert (
        thread.header.taken_over and thread.header.taken_over_label == "Atendida por Sergio Soporte"
    )
    authors = [b.author for b in thread.bubbles]
    assert authors[-2:] == ["staff", "client"]  # no assistant answer after the take-over
    staff_bubble = thread.bubbles[-2]
    assert staff_bubble.side == "right" and staff_bubble.ticks in ("sent", "queued")

    hand_back(viewer, conversation_id)
    say(viewer, "320 999 8877", "¿Me ayudas con la cita?")
    assert load_thread(viewer, conversation_id).bubbles[-1].author == "assistant"


def test_chat_handlers_reply_and_search(clinic, root_state) -> None:
    conversation_id = say(clinic.doctor.viewer, "320 999 8877", "Hola, quiero una cita")
    state = substate(root_state, ChatState, clinic.support.token)
    call(state, "open_page")
    call(state, "select", conversation_id)

    clock.advance(timedelta(seconds=7))
    call(state, "send", {"body": "Te escribo desde la clínica"})
    call(state, "search", {"query": "clinica"})

    assert state.header.taken_over
    assert state.bubbles[-1].body == "Te escribo desde la clínica"
    assert [i.id for i in state.items] == [conversation_id]


def test_sandbox_booking_appears_linked_in_thread(clinic) -> None:
    """A whole booking through the assistant ends as an appointment linked to the chat."""
    viewer = clinic.manager.viewer
    phone = "320 999 8877"
    for text in (
        "Hola, quiero agendar una cita para mi perro Toby",
        "Pedro Pérez",
        "Vacunación",
        "1",
        "Sí",
    ):
        conversation_id = say(viewer, phone, text)

    with session_scope() as session:
        appointment = session.exec(
            select(Appointment).where(
                Appointment.source == "whatsapp", Appointment.tenant_id == clinic.tenant.id
            )
        ).first()
        conversation = session.get(Conversation, uuid.UUID(conversation_id))
    assert appointment is not None, [b.body for b in load_thread(viewer, conversation_id).bubbles]
    assert appointment.conversation_id == conversation.id
    thread = load_thread(viewer, conversation_id)
    assert any(a.id == str(appointment.id) and a.from_this_chat for a in thread.appointments)
