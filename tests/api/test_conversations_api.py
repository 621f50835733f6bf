"""GET/POST /api/v1/conversations: history, filters, accent-insensitive search, takeover."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.integrations.whatsapp import SandboxChannel, set_channel
from backend.models import StaffUser
from tests.chat import Chat, add_client, configure_webhook, make_clinic


@pytest.fixture(autouse=True)
def _webhook(monkeypatch):
    configure_webhook(monkeypatch)
    set_channel(SandboxChannel())
    yield
    set_channel(None)


@pytest.fixture
def setup(db, frozen_clock, http):
    clinic = make_clinic()
    other = make_clinic(slug="huellitas", number="+14155550101")
    add_client(clinic.tenant, "+573001112233", "Camila Rodríguez", ("Luna", "gato"))
    add_client(clinic.tenant, "+573004445566", "Andrés Martínez", ("Max", "perro"))
    camila = Chat(http=http, phone="+573001112233")
    andres = Chat(http=http, phone="+573004445566")
    camila.send("Hola, necesito una cita para vacunación")
    clock.advance(timedelta(minutes=5))
    andres.send("¿Cuánto cuesta la consulta?")
    stranger = Chat(http=http, phone="+573007778899", clinic_number=other.number)
    stranger.send("hola, quiero agendar una vacunación")
    return clinic, other, camila, andres


def _get(http, clinic, url, **params):
    return http.get(url, params=params, headers={"Authorization": f"Bearer {clinic.key}"})


def _post(http, clinic, url, json=None):
    return http.post(url, json=json, headers={"Authorization": f"Bearer {clinic.key}"})


def test_list_conversations_newest_first_with_client(http, setup):
    clinic, _, camila, andres = setup
    body = _get(http, clinic, "/api/v1/conversations").json()
    assert body["total"] == 2
    assert [c["clientPhone"] for c in body["items"]] == [andres.phone, camila.phone]
    first = body["items"][0]
    assert first["clientName"] == "Andrés Martínez"
    assert first["state"] == "INTENT_DETECTION"
    assert first["lastMessagePreview"].startswith("Hola, gracias por escribir.")
    assert first["takenOver"] is False


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("vacunacion", ["+573001112233"]),
        ("VACUNACIÓN", ["+573001112233"]),
        ("cuanto cuesta", ["+573004445566"]),
        ("consultorio", ["+573004445566"]),
        ("cita vacunación", ["+573001112233"]),
        ("perro gato", []),
        ("!!!", []),
    ],
)
def test_search_words_in_messages_ignores_accents_and_case(http, setup, q, expected):
    clinic = setup[0]
    body = _get(http, clinic, "/api/v1/conversations", q=q).json()
    assert [c["clientPhone"] for c in body["items"]] == expected


def test_search_shows_where_the_words_were_found(http, setup):
    clinic, _, camila, _ = setup
    body = _get(http, clinic, "/api/v1/conversations", q="vacun CITA").json()
    assert body["total"] == 1
    assert body["totalExact"] is True
    [item] = body["items"]
    assert item["clientPhone"] == camila.phone
    match = item["match"]
    first = camila.conversation()
    assert match["messageId"] in {
        str(m["id"])
        for m in _get(http, clinic, f"/api/v1/conversations/{first.id}/messages").json()["items"]
    }
    assert "".join(piece["text"] for piece in match["snippet"]) == (
        "Hola, necesito una cita para vacunación"
    )
    assert [piece["text"] for piece in match["snippet"] if piece["match"]] == [
        "cita",
        "vacunación",
    ]
    assert _get(http, clinic, "/api/v1/conversations").json()["items"][0]["match"] is None


def test_filters_by_phone_name_state_and_dates(http, setup):
    clinic, _, camila, andres = setup
    assert [
        c["clientPhone"]
        for c in _get(http, clinic, "/api/v1/conversations", phone="300 111 2233").json()["items"]
    ] == [camila.phone]
    assert [
        c["clientPhone"]
        for c in _get(http, clinic, "/api/v1/conversations", phone="4445566").json()["items"]
    ] == [andres.phone]
    assert [
        c["clientPhone"]
        for c in _get(http, clinic, "/api/v1/conversations", clientName="andres").json()["items"]
    ] == [andres.phone]
    assert [
        c["clientPhone"]
        for c in _get(http, clinic, "/api/v1/conversations", state="ASK_REASON").json()["items"]
    ] == [camila.phone]
    later = (clock.now() - timedelta(minutes=1)).isoformat()
    assert [
        c["clientPhone"]
        for c in _get(http, clinic, "/api/v1/conversations", **{"from": later}).json()["items"]
    ] == [andres.phone]
    assert _get(http, clinic, "/api/v1/conversations", state="DANCING").status_code == 409
    assert (
        _get(http, clinic, "/api/v1/conversations", **{"from": "2027-01-28T10:00:00"}).status_code
        == 422
    )


def test_conversation_detail_and_messages_in_order(http, setup):
    clinic, _, camila, _ = setup
    conversation_id = camila.conversation().id
    detail = _get(http, clinic, f"/api/v1/conversations/{conversation_id}").json()
    assert detail["stateData"]["trail"][-1] == "INTENT_DETECTION→ASK_REASON"
    assert detail["timeoutAt"] is not None
    messages = _get(http, clinic, f"/api/v1/conversations/{conversation_id}/messages").json()[
        "items"
    ]
    assert [(m["direction"], m["author"]) for m in messages] == [
        ("inbound", "client"),
        ("outbound", "assistant"),
    ]
    assert messages[1]["status"] == "sent"


def test_other_clinics_conversation_is_not_found(http, setup):
    clinic, other, camila, _ = setup
    conversation_id = camila.conversation().id
    for url in (
        f"/api/v1/conversations/{conversation_id}",
        f"/api/v1/conversations/{conversation_id}/messages",
    ):
        assert _get(http, other, url).status_code == 404
    for url in ("takeover", "handback"):
        assert (
            _post(http, other, f"/api/v1/conversations/{conversation_id}/{url}").status_code == 404
        )
    assert (
        _post(
            http, other, f"/api/v1/conversations/{conversation_id}/messages", {"body": "hola"}
        ).status_code
        == 404
    )
    assert _get(http, clinic, f"/api/v1/conversations/{uuid.uuid4()}").status_code == 404


def test_takeover_staff_reply_and_handback(http, setup):
    clinic, _, camila, _ = setup
    conversation_id = camila.conversation().id
    with session_scope(read_only=True) as session:
        staff_id = session.get(StaffUser, clinic.doctor.id).id
    taken = _post(
        http,
        clinic,
        f"/api/v1/conversations/{conversation_id}/takeover",
        {"staffUserId": str(staff_id)},
    )
    assert taken.status_code == 200
    assert taken.json()["takenOver"] is True and taken.json()["takenOverBy"] == str(staff_id)
    assert camila.send("¿me atiende la doctora Ana?") == []
    reply = _post(
        http,
        clinic,
        f"/api/v1/conversations/{conversation_id}/messages",
        {"body": "Hola Camila, sí, mañana te atiende la Dra. Ana.", "staffUserId": str(staff_id)},
    )
    assert reply.status_code == 201
    [message] = reply.json()["items"]
    assert message["author"] == "staff" and message["authorUserId"] == str(staff_id)
    assert camila.new_replies() == ["Hola Camila, sí, mañana te atiende la Dra. Ana."]
    back = _post(http, clinic, f"/api/v1/conversations/{conversation_id}/handback")
    assert back.json()["takenOver"] is False
    assert "Tengo disponibilidad" in camila.send("rabia")[0]


def test_staff_reply_validation(http, setup):
    clinic, _, camila, _ = setup
    conversation_id = camila.conversation().id
    assert (
        _post(
            http, clinic, f"/api/v1/conversations/{conversation_id}/messages", {"body": ""}
        ).status_code
        == 422
    )
    assert (
        _post(
            http,
            clinic,
            f"/api/v1/conversations/{conversation_id}/takeover",
            {"staffUserId": str(uuid.uuid4())},
        ).status_code
        == 404
    )


def test_conversations_need_an_api_key(http, setup):
    assert http.get("/api/v1/conversations").status_code == 401
