"""The clients API: integrations search, create and edit clients and pets, merge
duplicates, and take back a no-show, each with a JSON 4xx for what they cannot do."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.models import Appointment, Message
from backend.services import outbox

MONDAY_9 = datetime(2027, 2, 1, 14, 0, tzinfo=UTC)


def test_a_client_is_created_found_read_and_replaced(clinic):
    created = clinic.post(
        "/api/v1/clients", json={"phone": "300 555 1234", "name": "Valentina López"}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["phone"] == "+573005551234" and body["name"] == "Valentina López"

    found = clinic.get("/api/v1/clients", params={"q": "valentina lopez"}).json()
    assert [c["id"] for c in found] == [body["id"]]
    assert found[0]["appointments"] == 0 and found[0]["noShows"] == 0

    pet = clinic.post(
        f"/api/v1/clients/{body['id']}/pets",
        json={"name": "Coco", "species": "perro", "weightKg": 7.5},
    )
    assert pet.status_code == 201, pet.text
    renamed = clinic.http.put(
        f"/api/v1/pets/{pet.json()['id']}",
        headers=clinic.headers(),
        json={"name": "Coquito", "species": "perro", "weightKg": 8},
    )
    assert renamed.status_code == 200 and renamed.json()["weightKg"] == 8

    card = clinic.get(f"/api/v1/clients/{body['id']}").json()
    assert [p["name"] for p in card["pets"]] == ["Coquito"]
    replaced = clinic.http.put(
        f"/api/v1/clients/{body['id']}",
        headers=clinic.headers(),
        json={"phone": "+573005551234", "name": "Valentina López Ruiz", "email": "vl@correo.co"},
    )
    assert replaced.status_code == 200 and replaced.json()["email"] == "vl@correo.co"


def test_a_phone_another_client_has_is_a_409_and_bad_input_a_422(clinic):
    taken = clinic.post("/api/v1/clients", json={"phone": clinic.client.phone})
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "phone_taken"
    not_a_phone = clinic.post("/api/v1/clients", json={"phone": "hola"})
    assert not_a_phone.status_code == 422
    unknown_field = clinic.post("/api/v1/clients", json={"phone": "3005550000", "vip": True})
    assert unknown_field.status_code == 422


def test_another_clinics_client_is_not_found(clinic, other_clinic):
    assert clinic.get(f"/api/v1/clients/{other_clinic.client.id}").status_code == 404
    merge = clinic.post(
        f"/api/v1/clients/{clinic.client.id}/merge", json={"mergeId": str(other_clinic.client.id)}
    )
    assert merge.status_code == 404
    assert clinic.get("/api/v1/clients", params={"q": "Cliente"}).json()[0]["id"] == str(
        clinic.client.id
    )


def test_merging_moves_the_appointments_and_keeps_the_number(clinic):
    second = clinic.post("/api/v1/clients", json={"phone": "315 765 4321", "name": "Cami"}).json()
    booked = clinic.post(
        "/api/v1/appointments",
        json={
            "doctorId": str(clinic.doctor.id),
            "clientId": second["id"],
            "startAt": MONDAY_9.isoformat(),
        },
    )
    assert booked.status_code == 201, booked.text

    merged = clinic.post(
        f"/api/v1/clients/{clinic.client.id}/merge", json={"mergeId": second["id"]}
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["appointments"] == 1
    with session_scope(read_only=True) as session:
        moved = session.get(Appointment, uuid.UUID(booked.json()["id"]))
        assert moved is not None and moved.client_id == clinic.client.id
    card = clinic.get(f"/api/v1/clients/{clinic.client.id}").json()
    assert card["otherPhones"] == ["+573157654321"]
    assert clinic.get(f"/api/v1/clients/{second['id']}").status_code == 404
    itself = clinic.post(
        f"/api/v1/clients/{clinic.client.id}/merge", json={"mergeId": str(clinic.client.id)}
    )
    assert itself.status_code == 422


def test_a_no_show_is_taken_back_and_a_second_undo_is_a_409(clinic):
    created = clinic.post(
        "/api/v1/appointments",
        json={
            "doctorId": str(clinic.doctor.id),
            "clientId": str(clinic.client.id),
            "startAt": MONDAY_9.isoformat(),
            "status": "confirmed",
        },
    ).json()
    clock.freeze(MONDAY_9 + timedelta(minutes=20))
    marked = clinic.patch(
        f"/api/v1/appointments/{created['id']}",
        json={"version": created["version"], "status": "no_show"},
    ).json()
    assert marked["status"] == "no_show"

    undone = clinic.post(
        f"/api/v1/appointments/{created['id']}/undo-status", json={"version": marked["version"]}
    )
    assert undone.status_code == 200, undone.text
    assert undone.json()["status"] == "confirmed"
    again = clinic.post(f"/api/v1/appointments/{created['id']}/undo-status")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "nothing_to_undo"
    with session_scope(read_only=True) as session:
        [row] = session.exec(select(Appointment)).all()
        assert row.status == "confirmed"


def test_a_move_through_the_api_can_leave_the_client_untold(clinic):
    created = clinic.post(
        "/api/v1/appointments",
        json={
            "doctorId": str(clinic.doctor.id),
            "clientId": str(clinic.client.id),
            "startAt": MONDAY_9.isoformat(),
        },
    ).json()
    outbox.relay_pending()
    told_before = _texts_to(clinic.client.phone)

    quiet = clinic.patch(
        f"/api/v1/appointments/{created['id']}",
        json={
            "version": created["version"],
            "startAt": (MONDAY_9 + timedelta(hours=1)).isoformat(),
            "notifyClient": False,
        },
    ).json()
    outbox.relay_pending()
    assert _texts_to(clinic.client.phone) == told_before

    clinic.patch(
        f"/api/v1/appointments/{created['id']}",
        json={"version": quiet["version"], "startAt": (MONDAY_9 + timedelta(hours=2)).isoformat()},
    )
    outbox.relay_pending()
    assert len(_texts_to(clinic.client.phone)) == len(told_before) + 1


def _texts_to(phone: str) -> list[str]:
    with session_scope(read_only=True) as session:
        return list(
            session.exec(
                select(Message.body).where(
                    Message.direction == "outbound", Message.to_phone == phone
                )
            )
        )
