"""The Claude path: the real anthropic SDK against a local fake of the Messages API.

Claude's reading drives the conversation when it answers; when it errors or
times out the rules answer, and the client notices nothing but the wording.
"""

from __future__ import annotations

import time

import pytest
from sqlmodel import select

from backend.core.config import settings
from backend.core.db import session_scope
from backend.integrations.llm import set_interpreter
from backend.models import EmergencyEvent
from tests.chat import add_client
from tests.fakes import claude_tool_use, fake_server

UNCLEAR = "el peludo anda raro, será que me lo pueden mirar el sábado"


@pytest.fixture
def claude(monkeypatch):
    """Points the assistant at a fake Messages API; `claude.replies` lists what it answers, in order."""
    replies: list[tuple[int, dict]] = []

    def respond(_request):
        return (
            replies.pop(0) if replies else (500, {"type": "error", "error": {"type": "api_error"}})
        )

    with fake_server(respond) as server:
        monkeypatch.setattr(settings, "ANTHROPIC_API_KEY", "sk-ant-test")
        monkeypatch.setattr(settings, "ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setattr(settings, "ANTHROPIC_TIMEOUT_S", 10.0)
        set_interpreter(None)
        server.replies = replies  # type: ignore[attr-defined]
        yield server
        set_interpreter(None)


def _interpret(**data):
    return 200, claude_tool_use("interpret_message", data)


def test_claude_reads_what_the_rules_cannot(chat, clinic, claude):
    add_client(clinic.tenant, chat.phone, "Camila")
    claude.replies.append(_interpret(intent="book"))
    [reply] = chat.send(UNCLEAR)
    assert reply.startswith("Hola, Camila 👋 Con gusto te ayudo a agendar.\nTengo disponibilidad:")
    assert "1. Sábado 30 de enero, 9:00 AM" in reply  # the day asked for
    assert chat.state == "OFFER_SLOTS"
    assert chat.conversation().state_data["reason"] == "El peludo anda raro"
    [request] = claude.requests
    body = request.json()
    assert request.path == "/v1/messages"
    assert "sk-ant-test" in (
        request.headers.get("x-api-key", "") + request.headers.get("authorization", "")
    )
    assert body["tool_choice"] == {"type": "any"}
    assert {t["name"] for t in body["tools"]} == {
        "interpret_message",
        "check_availability",
        "list_appointments",
    }
    assert UNCLEAR in body["messages"][0]["content"]


def test_claude_summary_of_the_reason_is_used(chat, clinic, claude):
    add_client(clinic.tenant, chat.phone, "Camila")
    claude.replies.append(_interpret(intent="book"))
    chat.send("Hola, necesito una cita para mi perro")
    claude.replies.append(_interpret(intent="unknown", reason_summary="Revisión de masa en cuello"))
    [offer] = chat.send("Le salió una bolita en el cuello y quiero que la revisen")
    assert offer.startswith("Entendido, revisión de masa en cuello.\nTengo disponibilidad:")


def test_claude_may_check_availability_before_choosing(chat, clinic, claude):
    add_client(clinic.tenant, chat.phone, "Camila")
    for reply in (_interpret(intent="book"), _interpret(intent="unknown")):
        claude.replies.append(reply)
    chat.send("hola, quiero una cita")
    chat.send("control")
    claude.replies.append(
        (200, claude_tool_use("check_availability", {"date": "2027-01-29"}, "toolu_a"))
    )
    claude.replies.append(_interpret(intent="book", slot_option=3))
    [summary] = chat.send("la que queda después de almorzar mañana, esa")
    assert "🕘 2:00 PM" in summary
    follow_up = claude.requests[-1].json()
    tool_result = follow_up["messages"][-1]["content"][0]
    assert tool_result["type"] == "tool_result" and tool_result["tool_use_id"] == "toolu_a"
    assert "Mañana 9:00 AM" in tool_result["content"]


def test_claude_can_raise_an_emergency_the_keywords_miss(chat, clinic, claude):
    claude.replies.append(
        _interpret(intent="unknown", is_emergency=True, emergency_category="poisoning")
    )
    # (a swallowed sock is caught by the rules now; this one only Claude reads as urgent)
    [question] = chat.send("está muy decaído y no quiere comer desde ayer")
    assert question.startswith("Entiendo que es una emergencia.")
    claude.replies.append(_interpret(intent="unknown", yes_no="yes"))
    chat.send("sí")
    with session_scope(read_only=True) as session:
        assert session.exec(select(EmergencyEvent)).one().category == "poisoning"


def test_claude_error_falls_back_to_rules(chat, clinic, claude):
    add_client(clinic.tenant, chat.phone, "Camila")
    claude.replies.append(
        (529, {"type": "error", "error": {"type": "overloaded_error", "message": "busy"}})
    )
    [reply] = chat.send("Hola, necesito una cita")
    assert reply.endswith("¿Cuál es el motivo de la consulta?")
    assert len(claude.requests) == 1  # no retries: the rules answer at once


def test_claude_timeout_falls_back_to_rules_within_the_deadline(chat, clinic, claude, monkeypatch):
    add_client(clinic.tenant, chat.phone, "Camila")
    monkeypatch.setattr(settings, "ANTHROPIC_TIMEOUT_S", 0.5)
    set_interpreter(None)
    claude.delay_s = 3.0
    claude.replies.append(_interpret(intent="price"))
    started = time.monotonic()
    [reply] = chat.send("Hola, necesito una cita")
    assert time.monotonic() - started < 2.5
    assert reply.endswith("¿Cuál es el motivo de la consulta?")


def test_claude_answer_without_tool_use_falls_back_to_rules(chat, clinic, claude):
    add_client(clinic.tenant, chat.phone, "Camila")
    claude.replies.append(
        (
            200,
            {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": "claude-sonnet-4-6",
                "content": [{"type": "text", "text": "Claro"}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": 1, "output_tokens": 1},
            },
        )
    )
    [reply] = chat.send("quiero cancelar mi cita")
    assert "No encuentro citas próximas" in reply


def test_without_api_key_claude_is_not_called(chat, clinic, claude, monkeypatch):
    monkeypatch.setattr(settings, "ANTHROPIC_API_KEY", None)
    chat.send("Hola")
    assert claude.requests == []


# Claude and the rules fill one booking draft: a moment either reads is kept for the next turns.


def test_claude_day_and_a_later_time_book_that_day_at_that_time(chat, clinic, claude):
    add_client(clinic.tenant, chat.phone, "Camila")
    claude.replies.append(
        _interpret(intent="book", reason_summary="Control general", dates=["2027-02-02"])
    )
    [offer] = chat.send("hola, una cita para el día que vuelvo de viaje, es para su control")
    assert "1. Martes 2 de febrero" in offer
    assert "Miércoles" not in offer and "Mañana" not in offer
    claude.replies.append(_interpret(intent="unknown", time="16:00"))
    [summary] = chat.send("ojalá a la hora de la merienda")
    assert chat.state == "CONFIRM_BOOKING"
    assert "martes 2 de febrero" in summary.lower() and "4:00 PM" in summary


def test_claude_earlier_request_offers_earlier_slots(chat, clinic, claude):
    add_client(clinic.tenant, chat.phone, "Camila")
    claude.replies.append(_interpret(intent="book", dates=["2027-02-02"], part_of_day="afternoon"))
    chat.send("quiero una cita el martes después de almuerzo, es un control")
    first = chat.conversation().state_data["offers"][0]["start"]
    claude.replies.append(_interpret(intent="unknown", shift="earlier"))
    [reply] = chat.send("uf, ¿no habrá algo que no sea tan encima de la hora de salida?")
    assert reply.startswith("Claro, más temprano tengo:")
    offered = [o["start"] for o in chat.conversation().state_data["offers"]]
    assert offered and all(start < first for start in offered)


def test_claude_rejection_with_a_new_day_offers_that_day(chat, clinic, claude):
    add_client(clinic.tenant, chat.phone, "Camila")
    claude.replies.append(_interpret(intent="book"))
    chat.send("hola, necesito una cita, es un control")
    claude.replies.append(
        _interpret(intent="unknown", rejects_offers=True, dates=["2027-02-03"], time="09:00")
    )
    [summary] = chat.send("ninguna de esas me cuadra, mejor el día de la quincena a primera hora")
    assert chat.state == "CONFIRM_BOOKING"
    assert "miércoles 3 de febrero" in summary.lower() and "9:00 AM" in summary


def test_claude_picks_which_appointment_to_cancel(chat, clinic, claude):
    from tests.services.assistant.test_appointment_flows import FRIDAY_10AM, MONDAY_3PM, _book

    add_client(clinic.tenant, chat.phone, "Camila", ("Luna", "gato"))
    _book(clinic, chat.phone, FRIDAY_10AM)
    _book(clinic, chat.phone, MONDAY_3PM, reason="Control")
    claude.replies.append(_interpret(intent="cancel"))
    [which] = chat.send("necesito cancelar una cita")
    assert "1." in which and "2." in which
    claude.replies.append(_interpret(intent="cancel", slot_option=2))
    [confirm] = chat.send("la del comienzo de la otra semana")
    assert confirm.startswith("Tienes una cita el lunes 1 de febrero a las 3:00 PM")
    assert confirm.endswith("¿Confirmas que quieres cancelarla? (Sí/No)")
