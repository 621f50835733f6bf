"""The engine's guarantees: order, once-only, staff takeover, timeouts, illegal moves refused."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import pytest
from sqlmodel import col, select

from backend.core.clock import clock, utcnow
from backend.core.db import session_scope
from backend.domain.conversation_states import State
from backend.models import Client, Conversation, Message
from backend.services.assistant.context import Turn
from backend.services.assistant.inbound import InboundMessage, process_inbound_message
from backend.services.assistant.timeouts import sweep_conversation_timeouts
from backend.services.chats import conversations
from tests.chat import add_client
from tests.factories import receive


def _store(clinic, phone, body):
    return receive(
        InboundMessage(
            tenant_id=clinic.tenant.id,
            from_phone=phone,
            to_phone=clinic.number,
            body=body,
            provider_sid="SM" + uuid.uuid4().hex,
        )
    )


def test_messages_of_a_phone_are_answered_in_arrival_order(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila")
    first = _store(clinic, chat.phone, "hola, quiero una cita")
    clock.advance(timedelta(seconds=1))
    second = _store(clinic, chat.phone, "es para vacunar contra la rabia")
    # when the later message is processed first
    assert process_inbound_message(second) == 2
    assert process_inbound_message(first) == 0
    # then both were answered, the first one first
    replies = chat.new_replies()
    assert replies[0].endswith("¿Cuál es el motivo de la consulta?")
    assert "Tengo disponibilidad" in replies[1]
    assert chat.state == "OFFER_SLOTS"


def test_processing_a_message_twice_answers_once(chat, clinic):
    message_id = _store(clinic, chat.phone, "hola")
    process_inbound_message(message_id)
    process_inbound_message(message_id)
    assert len(chat.new_replies()) == 1


def test_replayed_message_sid_is_stored_and_answered_once(chat, clinic):
    sid = "SM" + uuid.uuid4().hex
    first = chat.post("Hola", sid=sid)
    replay = chat.post("Hola", sid=sid)
    assert first.status_code == replay.status_code == 200
    assert replay.text == '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
    with session_scope(read_only=True) as session:
        assert len(session.exec(select(Message).where(Message.provider_sid == sid)).all()) == 1
    assert len(chat.new_replies()) == 1


def test_taken_over_conversation_stores_messages_silently_until_handed_back(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila")
    chat.send("Hola, quiero una cita")
    conversation_id = chat.conversation().id
    with session_scope(write=True) as session:
        conversations.take_over(session, tenant=clinic.tenant, conversation_id=conversation_id)
    assert chat.send("¿me puede atender el doctor Mejía?") == []
    with session_scope(write=True) as session:
        [staff] = conversations.staff_reply(
            session,
            tenant=clinic.tenant,
            conversation_id=conversation_id,
            body="Hola Camila, te habla Julián de recepción.",
        )
    assert staff.author == "staff"
    assert chat.new_replies() == ["Hola Camila, te habla Julián de recepción."]
    clock.advance(timedelta(hours=1))
    assert sweep_conversation_timeouts() == 0  # no reminder while staff has it
    with session_scope(write=True) as session:
        conversations.hand_back(session, tenant=clinic.tenant, conversation_id=conversation_id)
    [reply] = chat.send("control general")
    assert "Tengo disponibilidad" in reply
    with session_scope(read_only=True) as session:
        inbound = session.exec(
            select(Message).where(
                Message.direction == "inbound", Message.conversation_id == conversation_id
            )
        ).all()
        assert len(inbound) == 3


def test_emergency_while_taken_over_is_left_to_staff(chat, clinic):
    chat.send("hola")
    with session_scope(write=True) as session:
        conversations.take_over(
            session, tenant=clinic.tenant, conversation_id=chat.conversation().id
        )
    assert chat.send("mi perro se comió veneno!!") == []
    assert chat.state != "CONFIRM_EMERGENCY"


def test_new_number_is_asked_the_reason_first_and_reminded_after_thirty_minutes(chat, clinic):
    [ask] = chat.send("hola, quiero agendar una cita")
    assert ask.endswith("¿Cuál es el motivo de la consulta?")
    assert chat.state == "ASK_REASON"
    with session_scope(read_only=True) as session:
        assert session.exec(select(Client).where(Client.phone == chat.phone)).one().name is None
    clock.advance(timedelta(minutes=30))
    assert sweep_conversation_timeouts() == 1
    [reminder] = chat.new_replies()[-1:]
    assert reminder.startswith("Hola, ¿sigues ahí?\nQuedamos pendientes de agendar tu cita.")


def test_whatsapp_profile_name_names_a_new_client(chat, clinic):
    chat.send("hola, quiero agendar una cita", profile_name="Andrés Felipe")
    with session_scope(read_only=True) as session:
        client = session.exec(select(Client).where(Client.phone == chat.phone)).one()
        assert client.name == "Andrés Felipe"


def test_profile_name_that_is_not_a_name_is_not_stored(chat, clinic):
    chat.send("hola, quiero agendar una cita", profile_name="🐶🐱 Vet lovers 2024")
    with session_scope(read_only=True) as session:
        assert session.exec(select(Client).where(Client.phone == chat.phone)).one().name is None


def test_answered_question_closes_quietly_without_reminder(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila")
    chat.send("gracias!")
    clock.advance(timedelta(minutes=31))
    assert sweep_conversation_timeouts() == 1
    assert chat.new_replies() == []
    assert chat.conversation().state == "CLOSED"


def test_reminder_answer_resumes_the_booking_with_fresh_slots(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila")
    chat.send("hola, necesito una cita")
    chat.send("control general")
    clock.advance(timedelta(minutes=30))
    sweep_conversation_timeouts()
    chat.new_replies()
    [offer] = chat.send("perdón, aquí estoy")
    assert "Tengo disponibilidad" in offer
    assert (
        "Hoy 5:00 PM" in offer
    )  # 3:50 PM now: 4:30 PM is inside the hour of notice... 5:00 PM is next
    assert chat.state == "OFFER_SLOTS"


def test_sweep_twice_changes_nothing_twice(chat, clinic):
    chat.send("hola")
    clock.advance(timedelta(minutes=31))
    first = sweep_conversation_timeouts()
    second = sweep_conversation_timeouts()
    assert (first, second) == (1, 0)


def test_expired_completed_conversation_is_closed_when_the_client_writes(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila")
    for text in ("hola, quiero una cita", "control", "1", "sí"):
        chat.send(text)
    clock.advance(timedelta(hours=3))
    [reply] = chat.send("Hola")
    assert reply.startswith("Hola, Camila")
    with session_scope(read_only=True) as session:
        states = sorted(c.state for c in session.exec(select(Conversation)).all())
    assert states == ["CLOSED", "INTENT_DETECTION"]


def test_illegal_transition_is_logged_and_not_applied(chat, clinic, caplog):
    add_client(clinic.tenant, chat.phone, "Camila")
    chat.send("hola")
    with session_scope(write=True) as session:
        conversation = session.exec(select(Conversation)).one()
        message = session.exec(select(Message).where(col(Message.direction) == "inbound")).one()
        turn = Turn(
            session=session,
            tenant=clinic.tenant,
            conversation=conversation,
            message=message,
            now=utcnow(),
            client=None,
        )
        with caplog.at_level(logging.ERROR, logger="backend.services.assistant"):
            assert turn.move(State.CONFIRM_BOOKING) is False
            assert turn.move(State.ASK_REASON, State.COMPLETED) is False
        assert conversation.state == "INTENT_DETECTION"
        assert turn.illegal == [
            ("INTENT_DETECTION", "CONFIRM_BOOKING"),
            ("INTENT_DETECTION", "ASK_REASON→COMPLETED"),
        ]
    assert "cannot move to CONFIRM_BOOKING" in caplog.text


def test_engine_failure_marks_the_message_and_apologises(chat, clinic, monkeypatch):
    from backend.services.assistant import engine

    def broken(turn):
        raise RuntimeError("bug")

    monkeypatch.setattr(engine, "dispatch", broken)
    [apology] = chat.send("hola")
    assert apology.startswith("Disculpa, tuve un problema procesando tu mensaje")
    with session_scope(read_only=True) as session:
        message = session.exec(select(Message).where(Message.direction == "inbound")).one()
        assert message.status == "error" and message.processed_at is not None


def test_media_only_message_is_stored_and_answered(chat, clinic):
    add_client(clinic.tenant, chat.phone, "Camila")
    chat.send("hola, quiero una cita")
    [again] = chat.send("", media=["https://api.twilio.com/media/ME1"])
    assert again.startswith("Recibí tu imagen, pero no puedo verla")  # asked to write it
    assert chat.state == "ASK_REASON"
    with session_scope(read_only=True) as session:
        message = session.exec(
            select(Message).where(Message.direction == "inbound", Message.body == "")
        ).one()
        assert message.media == [
            {"url": "https://api.twilio.com/media/ME1", "content_type": "image/jpeg"}
        ]


@pytest.mark.parametrize("state", [s for s in State if s != State.CLOSED])
def test_close_conversation_walks_a_legal_path_from_every_state(db, frozen_clock, state):
    from backend.domain.conversation_states import check_path
    from backend.services.chats.lifecycle import close_conversation, close_path
    from tests.chat import make_clinic

    clinic = make_clinic()
    path = close_path(state)
    check_path(state, [s.value for s in path])
    with session_scope(write=True) as session:
        conversation = Conversation(
            tenant_id=clinic.tenant.id, client_phone="+573001112233", state=state.value
        )
        session.add(conversation)
        session.flush()
        close_conversation(session, conversation, now=utcnow())
    with session_scope(read_only=True) as session:
        closed = session.get(Conversation, conversation.id)
    assert (closed.state, closed.is_open) == ("CLOSED", False)
    assert closed.state_data["trail"][-1].endswith("→CLOSED")


def test_two_messages_arriving_at_once_are_answered_in_order_on_postgres(pg, spec_clock):
    import threading

    from tests.chat import Chat, make_clinic
    from tests.services.assistant.conftest import SPEC_PERIODS

    clinic = make_clinic(periods=SPEC_PERIODS)
    chat = Chat(http=None, phone="+573001112233")
    add_client(clinic.tenant, chat.phone, "Camila")
    first = _store(clinic, chat.phone, "hola, quiero una cita")
    clock.advance(timedelta(milliseconds=5))
    second = _store(clinic, chat.phone, "vacuna de rabia")
    barrier = threading.Barrier(2)
    handled: list[int] = []

    def answer(message_id):
        barrier.wait()
        handled.append(process_inbound_message(message_id))

    threads = [threading.Thread(target=answer, args=(m,)) for m in (second, first)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(handled) in ([0, 2], [1, 1])
    replies = chat.new_replies()
    assert replies[0].endswith("¿Cuál es el motivo de la consulta?")
    assert "Tengo disponibilidad" in replies[1]
    assert chat.state == "OFFER_SLOTS"
    with session_scope(read_only=True) as session:
        assert len(session.exec(select(Conversation)).all()) == 1
