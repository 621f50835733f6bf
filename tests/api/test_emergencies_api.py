"""GET/POST /api/v1/emergencies: the board, acknowledge, resolve."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from backend.core.db import session_scope
from backend.integrations.whatsapp import SandboxChannel, set_channel
from backend.models import Client
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
    chat = Chat(http=http, phone="+573001112233")
    chat.send("mi gata Luna se comió veneno para ratas!!")
    chat.send("sí")
    return clinic, other, chat


def _call(http, clinic, method, url, json=None):
    return http.request(method, url, json=json, headers={"Authorization": f"Bearer {clinic.key}"})


def test_list_and_get_emergencies(http, setup):
    clinic, _, chat = setup
    body = _call(http, clinic, "GET", "/api/v1/emergencies").json()
    assert body["total"] == 1
    [item] = body["items"]
    assert item["status"] == "active"
    assert item["clientPhone"] == chat.phone
    assert item["petSpecies"] == "gato" and item["petName"] == "Luna"
    assert item["category"] == "poisoning"
    assert item["keywords"][0] == "veneno"
    assert item["appointmentId"] is not None
    one = _call(http, clinic, "GET", f"/api/v1/emergencies/{item['id']}").json()
    assert one["description"] == "mi gata Luna se comió veneno para ratas!!"
    assert _call(http, clinic, "GET", "/api/v1/emergencies?status=resolved").json()["total"] == 0
    assert _call(http, clinic, "GET", "/api/v1/emergencies?status=nope").status_code == 422


def test_acknowledge_then_resolve(http, setup):
    clinic, _, chat = setup
    [item] = _call(http, clinic, "GET", "/api/v1/emergencies").json()["items"]
    ack = _call(http, clinic, "POST", f"/api/v1/emergencies/{item['id']}/acknowledge")
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    assert ack.json()["acknowledgedBy"] == "api_key:tests"
    assert (
        _call(http, clinic, "POST", f"/api/v1/emergencies/{item['id']}/acknowledge").status_code
        == 200
    )
    done = _call(
        http,
        clinic,
        "POST",
        f"/api/v1/emergencies/{item['id']}/resolve",
        {"outcome": "resolved", "notes": "Llegó a tiempo, se le hizo lavado gástrico"},
    )
    assert done.status_code == 200
    assert done.json()["status"] == "resolved" and done.json()["notes"].startswith("Llegó a tiempo")
    assert chat.state == "COMPLETED"
    again = _call(
        http, clinic, "POST", f"/api/v1/emergencies/{item['id']}/resolve", {"outcome": "resolved"}
    )
    assert again.status_code == 409
    assert (
        _call(http, clinic, "POST", f"/api/v1/emergencies/{item['id']}/acknowledge").status_code
        == 409
    )


def test_resolve_as_false_alarm_restricts_the_number(http, setup):
    clinic, _, chat = setup
    [item] = _call(http, clinic, "GET", "/api/v1/emergencies").json()["items"]
    assert (
        _call(
            http,
            clinic,
            "POST",
            f"/api/v1/emergencies/{item['id']}/resolve",
            {"outcome": "false_alarm", "notes": "Era un juguete"},
        ).status_code
        == 200
    )
    with session_scope(read_only=True) as session:
        assert (
            session.exec(select(Client).where(Client.phone == chat.phone))
            .one()
            .false_emergency_count
            == 1
        )
    [answer] = chat.send("mi gata está convulsionando")
    assert answer.startswith(
        "Lo siento, el acceso a emergencias está restringido para este número."
    )


def test_resolve_needs_a_known_outcome(http, setup):
    clinic, _, _ = setup
    [item] = _call(http, clinic, "GET", "/api/v1/emergencies").json()["items"]
    response = _call(
        http, clinic, "POST", f"/api/v1/emergencies/{item['id']}/resolve", {"outcome": "meh"}
    )
    assert response.status_code == 422


def test_other_clinics_emergency_is_not_found(http, setup):
    clinic, other, _ = setup
    [item] = _call(http, clinic, "GET", "/api/v1/emergencies").json()["items"]
    assert _call(http, other, "GET", "/api/v1/emergencies").json()["total"] == 0
    assert _call(http, other, "GET", f"/api/v1/emergencies/{item['id']}").status_code == 404
    assert (
        _call(http, other, "POST", f"/api/v1/emergencies/{item['id']}/acknowledge").status_code
        == 404
    )
    assert (
        _call(
            http,
            other,
            "POST",
            f"/api/v1/emergencies/{item['id']}/resolve",
            {"outcome": "resolved"},
        ).status_code
        == 404
    )
    assert _call(http, clinic, "GET", f"/api/v1/emergencies/{uuid.uuid4()}").status_code == 404
