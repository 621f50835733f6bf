"""The sandbox's send runs in the background: the message shows at once, the answer later."""

from __future__ import annotations

from typing import Any

from tests.portal.conftest import call, redirected_to, substate, toast_text
from vetassist_app import routes
from vetassist_app.states import sandbox_state
from vetassist_app.states.sandbox_state import SandboxState


def test_send_handlers_are_background_events() -> None:
    assert SandboxState.event_handlers["send"].is_background
    assert SandboxState.event_handlers["send_suggestion"].is_background


def test_send_shows_the_message_while_the_assistant_answers(
    clinic, root_state, monkeypatch
) -> None:
    # given: a look at the page while the assistant is working
    state = substate(root_state, SandboxState, clinic.support.token)
    call(state, "open_page")
    seen: dict[str, Any] = {}
    answer = sandbox_state.send_as_client

    def watched(viewer, phone, body):  # noqa: ANN001, ANN202
        seen["answering"] = state.answering
        seen["bubbles"] = [(b.author, b.body, b.ticks) for b in state.bubbles]
        return answer(viewer, phone, body)

    monkeypatch.setattr(sandbox_state, "send_as_client", watched)

    # when
    call(state, "send", {"body": "Hola"})

    # then: pending while answering, the stored thread afterwards
    assert seen == {"answering": True, "bubbles": [("client", "Hola", "queued")]}
    assert not state.answering
    assert [b.author for b in state.bubbles][:2] == ["client", "assistant"]
    assert "pending" not in {b.id for b in state.bubbles}


def test_live_refresh_waits_while_the_assistant_answers(clinic, root_state) -> None:
    state = substate(root_state, SandboxState, clinic.support.token)
    call(state, "open_page")
    state.answering = True
    state.bubbles = [sandbox_state.pending_bubble("Hola", clinic.support.viewer)]

    state._live(clinic.support.viewer)

    assert [b.id for b in state.bubbles] == ["pending"]


def test_send_of_a_bad_phone_explains_and_drops_the_pending_message(clinic, root_state) -> None:
    state = substate(root_state, SandboxState, clinic.support.token)
    call(state, "open_page")
    state.phone = "12"

    result = call(state, "send_suggestion", "Hola")

    assert "teléfono no es válido" in toast_text(result)
    assert state.bubbles == [] and not state.answering


def test_send_needs_a_live_session(clinic, root_state) -> None:
    state = substate(root_state, SandboxState, "")

    result = call(state, "send", {"body": "Hola"})

    assert any(redirected_to(event) == routes.LOGIN for event in result)
    assert state.bubbles == []
