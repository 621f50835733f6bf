"""The inbox's handlers: filters, "Cargar más", read on open, assignment, notes, canned
replies, each through the service calls the page makes."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.models import ConversationNote, Message
from tests.factories import make_conversation
from tests.portal.conftest import call, substate, toast_text
from tests.portal.test_live_pages import say
from vetassist_app.states.chat_state import PAGE, ChatState


def _tab(state, key: str) -> str:
    return next(tab.count for tab in state.tabs if tab.key == key)


def test_cargar_mas_grows_the_list_past_a_page(clinic, root_state) -> None:
    with session_scope(write=True) as session:
        for i in range(PAGE + 12):
            make_conversation(
                session,
                clinic.tenant,
                phone=f"+5731000{i:05d}",
                at=clock.now() - timedelta(hours=i),
            )
    state = substate(root_state, ChatState, clinic.support.token)
    call(state, "open_page")
    assert len(state.items) == PAGE and state.next_cursor
    assert _tab(state, "todas") == str(PAGE + 12)

    call(state, "load_more")

    assert len(state.items) == PAGE + 12 and state.next_cursor == ""
    assert len({item.id for item in state.items}) == PAGE + 12


def test_opening_a_chat_marks_it_read_and_the_filter_follows(clinic, root_state) -> None:
    conversation_id = say(clinic.doctor.viewer, "320 999 8877", "Hola, quiero una cita")
    state = substate(root_state, ChatState, clinic.support.token)
    call(state, "open_page")
    call(state, "choose_filter", "sin_leer")
    assert [item.id for item in state.items] == [conversation_id]
    assert state.items[0].unread

    call(state, "select", conversation_id)
    call(state, "choose_filter", "sin_leer")

    assert state.items == [] and _tab(state, "sin_leer") == "0"


def test_assign_then_a_note_never_sent(clinic, root_state) -> None:
    conversation_id = say(clinic.doctor.viewer, "320 999 8877", "Hola, quiero una cita")
    state = substate(root_state, ChatState, clinic.support.token)
    call(state, "open_page")
    call(state, "select", conversation_id)

    result = call(state, "assign_to", str(clinic.doctor.user.id))
    assert "asignada a" in toast_text(result).lower()
    call(state, "choose_filter", "todas")
    assert state.items[0].assigned_label == f"Asignada a {clinic.doctor.user.full_name}"

    clock.advance(timedelta(seconds=30))
    call(state, "toggle_note", True)
    call(state, "send", {"body": "Cliente con deuda pendiente"})

    assert state.bubbles[-1].side == "note"
    with session_scope(read_only=True) as session:
        assert session.exec(select(ConversationNote)).one().body == "Cliente con deuda pendiente"
        assert "Cliente con deuda pendiente" not in session.exec(select(Message.body)).all()
    assert not state.header.taken_over  # a note does not pause the assistant


def test_a_canned_reply_is_saved_offered_and_used(clinic, root_state) -> None:
    state = substate(root_state, ChatState, clinic.support.token)
    call(state, "open_page")
    call(state, "open_canned", True)
    call(state, "set_canned_shortcut", "con espacios")
    call(state, "set_canned_title", "Horario")
    call(state, "set_canned_body", "Atendemos de 8 a 18.")
    refused = call(state, "save_canned")
    assert "atajo" in toast_text(refused).lower()

    call(state, "set_canned_shortcut", "horario")
    call(state, "save_canned")
    call(state, "set_draft", "/hor")

    assert [c.shortcut for c in state.suggestions] == ["horario"]
    call(state, "use_canned", state.suggestions[0].body)
    assert state.draft == "Atendemos de 8 a 18."
