"""Internal notes: shown to staff in the thread, never sent, never a client's message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.domain.errors import NotFound, ValidationFailed
from backend.integrations.whatsapp import SandboxChannel, set_channel
from backend.models import Conversation, Message
from backend.services.chats import conversations, notes
from tests.chat import make_clinic
from tests.factories import make_conversation

CLIENT = "+573001112233"


@pytest.fixture(autouse=True)
def sandbox():
    channel = SandboxChannel()
    set_channel(channel)
    yield channel
    set_channel(None)


@pytest.fixture
def thread(db, frozen_clock):
    """A conversation where the client wrote an hour ago."""
    clinic = make_clinic(contacts=False)
    wrote = clock.now() - timedelta(hours=1)
    with session_scope(write=True) as session:
        conversation = make_conversation(session, clinic.tenant, phone=CLIENT, at=wrote)
        session.add(
            Message(
                tenant_id=clinic.tenant.id,
                conversation_id=conversation.id,
                direction="inbound",
                author="client",
                from_phone=CLIENT,
                to_phone=clinic.number,
                body="mi perro cojea",
                processed_at=wrote,
                created_at=wrote,
            )
        )
        return clinic, conversation.id


def test_a_note_is_never_handed_to_the_whatsapp_channel(thread, sandbox):
    clinic, conversation_id = thread
    user = clinic.doctor.id
    # when
    notes.note_from_inbox(
        tenant_id=clinic.tenant.id,
        conversation_id=conversation_id,
        body="Ojo: el cliente debe la consulta anterior",
        user_id=user,
    )
    clock.advance(timedelta(seconds=1))
    conversations.reply_from_inbox(
        tenant_id=clinic.tenant.id,
        conversation_id=conversation_id,
        body="Hola, tráelo hoy a las 4.",
        user_id=user,
    )
    # then: only the reply left, and no message row holds the note
    assert [s["body"] for s in sandbox.sent] == ["Hola, tráelo hoy a las 4."]
    with session_scope(read_only=True) as session:
        bodies = list(session.exec(select(Message.body)))
    assert "Ojo: el cliente debe la consulta anterior" not in bodies


def test_a_note_changes_neither_the_preview_nor_the_last_client_message(thread):
    clinic, conversation_id = thread
    with session_scope(read_only=True) as session:
        before = session.get(Conversation, conversation_id)
    clock.advance(timedelta(minutes=3))
    notes.note_from_inbox(
        tenant_id=clinic.tenant.id,
        conversation_id=conversation_id,
        body="Llamar mañana",
        user_id=clinic.doctor.id,
    )
    with session_scope(read_only=True) as session:
        after = session.get(Conversation, conversation_id)
    assert after.last_message_preview == before.last_message_preview
    assert after.last_message_at == before.last_message_at
    assert after.last_inbound_at == before.last_inbound_at
    assert after.taken_over_at is None  # a note does not pause the assistant


def test_the_thread_shows_the_note_in_order_as_internal(thread):
    clinic, conversation_id = thread
    notes.note_from_inbox(
        tenant_id=clinic.tenant.id,
        conversation_id=conversation_id,
        body="Llamar mañana",
        user_id=clinic.doctor.id,
    )
    shown = conversations.thread(clinic.tenant.id, conversation_id).messages
    assert [(m.direction, m.body) for m in shown] == [
        ("inbound", "mi perro cojea"),
        ("internal", "Llamar mañana"),
    ]
    assert shown[-1].author_name == "Dra. Ana Restrepo"


def test_an_empty_note_is_refused(thread):
    clinic, conversation_id = thread
    with pytest.raises(ValidationFailed):
        notes.note_from_inbox(
            tenant_id=clinic.tenant.id, conversation_id=conversation_id, body="  ", user_id=None
        )


def test_a_note_cannot_be_left_in_another_clinics_conversation(thread):
    clinic, conversation_id = thread
    other = make_clinic(slug="otra", number="+14155550199", contacts=False)
    with pytest.raises(NotFound):
        notes.note_from_inbox(
            tenant_id=other.tenant.id,
            conversation_id=conversation_id,
            body="hola",
            user_id=other.doctor.id,
        )
