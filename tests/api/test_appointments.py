"""The appointments REST API: behaviour, errors as JSON, optimistic locking."""

from __future__ import annotations

from datetime import datetime

import pytest

FRIDAY_9 = "2027-01-29T09:00:00-05:00"
FRIDAY_10 = "2027-01-29T10:00:00-05:00"


def create(clinic, start=FRIDAY_9, **extra):
    body = {
        "doctorId": str(clinic.doctor.id),
        "clientId": str(clinic.client.id),
        "startAt": start,
        **extra,
    }
    return clinic.post("/api/v1/appointments", json=body)


def test_create_returns_201_with_utc_times(clinic):
    response = create(clinic, reason="Control", petId=str(clinic.pet.id))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["startAt"].startswith("2027-01-29T14:00:00")
    assert body["status"] == "pending" and body["source"] == "api" and body["version"] == 1
    assert body["createdBy"] == "api_key:tests"


def test_create_with_inline_client_and_pet_normalises_phone(clinic):
    response = create(
        clinic,
        clientId=None,
        client={"phone": "310 555 1234", "name": "Ana"},
        pet={"name": "Kira", "species": "gato"},
    )
    assert response.status_code == 201, response.text
    listed = clinic.get("/api/v1/appointments", params={"phone": "+57 310 5551234"}).json()
    assert listed["total"] == 1 and listed["items"][0]["petId"] is not None


def test_create_same_slot_twice_is_409(clinic):
    assert create(clinic).status_code == 201
    response = create(clinic)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "slot_taken"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"startAt": "mañana"}, "startAt"),
        ({"startAt": "2027-01-29T09:00:00"}, "startAt"),
        ({"doctorId": "not-a-uuid"}, "doctorId"),
        ({"status": "done"}, "status"),
        ({"priority": "vip"}, "priority"),
        ({"unknownField": 1}, "unknownField"),
        ({"startAt": "2027-01-29T07:00:00-05:00"}, "startAt"),
        ({"clientId": None}, "clientId"),
    ],
)
def test_create_with_bad_input_is_422_json(clinic, body, field):
    response = create(clinic, **body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field and error["message"]


def test_create_with_malformed_json_is_422(clinic):
    response = clinic.http.post(
        "/api/v1/appointments",
        content=b"{not json",
        headers={**clinic.headers(), "content-type": "application/json"},
    )
    assert response.status_code == 422 and "error" in response.json()


def test_missing_or_wrong_key_is_401(clinic):
    assert clinic.http.get("/api/v1/appointments").status_code == 401
    response = clinic.http.get("/api/v1/appointments", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_patch_reschedule_with_if_match_and_stale_version(clinic):
    appointment = create(clinic).json()
    url = f"/api/v1/appointments/{appointment['id']}"
    moved = clinic.patch(url, json={"startAt": FRIDAY_10}, headers={"If-Match": '"1"'})
    assert moved.status_code == 200 and moved.json()["version"] == 2
    assert moved.json()["startAt"].startswith("2027-01-29T15:00:00")
    stale = clinic.patch(url, json={"startAt": FRIDAY_9, "version": 1})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"


def test_patch_without_version_is_422(clinic):
    appointment = create(clinic).json()
    response = clinic.patch(
        f"/api/v1/appointments/{appointment['id']}", json={"status": "confirmed"}
    )
    assert response.status_code == 422 and response.json()["error"]["field"] == "version"


def test_patch_status_change_and_illegal_transition(clinic):
    appointment = create(clinic).json()
    url = f"/api/v1/appointments/{appointment['id']}"
    assert (
        clinic.patch(url, json={"status": "confirmed", "version": 1}).json()["status"]
        == "confirmed"
    )
    assert clinic.delete(url).json()["status"] == "cancelled"
    illegal = clinic.patch(url, json={"status": "confirmed", "version": 3})
    assert illegal.status_code == 409 and illegal.json()["error"]["code"] == "illegal_transition"


def test_delete_cancels_and_keeps_row(clinic):
    appointment = create(clinic).json()
    url = f"/api/v1/appointments/{appointment['id']}"
    assert clinic.delete(url, params={"reason": "Viaje"}).status_code == 200
    fetched = clinic.get(url).json()
    assert fetched["status"] == "cancelled" and fetched["cancelReason"] == "Viaje"


def test_list_filters_by_status_and_date(clinic):
    create(clinic)
    second = create(clinic, start=FRIDAY_10).json()
    clinic.patch(f"/api/v1/appointments/{second['id']}", json={"status": "confirmed", "version": 1})
    confirmed = clinic.get("/api/v1/appointments", params={"status": "confirmed"}).json()
    assert [a["id"] for a in confirmed["items"]] == [second["id"]]
    window = clinic.get(
        "/api/v1/appointments",
        params={"from": "2027-01-29T14:30:00Z", "to": "2027-01-29T16:00:00Z"},
    ).json()
    assert window["total"] == 1
    assert clinic.get("/api/v1/appointments", params={"status": "nope"}).status_code == 422


def test_availability_lists_free_slots_in_clinic_zone(clinic):
    create(clinic)
    response = clinic.get(
        "/api/v1/availability",
        params={
            "tenantId": str(clinic.tenant.id),
            "doctorId": str(clinic.doctor.id),
            "date": "2027-01-29",
        },
    )
    assert response.status_code == 200, response.text
    slots = response.json()["slots"]
    starts = [s["localStart"][11:16] for s in slots]
    # the 09:00 appointment, widened by the 5-minute buffer, removes 08:30, 09:00 and 09:30
    assert starts[:3] == ["08:00", "10:00", "10:30"] and len(slots) == 10


def test_availability_without_doctor_uses_all_bookable_doctors(clinic):
    response = clinic.get("/api/v1/availability", params={"date": "2027-01-29", "limit": 3})
    assert response.status_code == 200 and len(response.json()["slots"]) == 3
    assert clinic.get("/api/v1/availability", params={"date": "29/01/2027"}).status_code == 422


def test_doctors_lists_the_clinic_doctors(clinic):
    doctors = clinic.get("/api/v1/doctors").json()
    assert [d["fullName"] for d in doctors] == ["Dra. Patitas"]


def test_openapi_and_healthz_answer(clinic):
    health = clinic.http.get("/healthz").json()
    assert (
        health["status"] == "ok" and datetime.fromisoformat(health["started_at"]).tzinfo is not None
    )
    spec = clinic.http.get("/api/openapi.json").json()
    assert "/api/v1/appointments" in spec["paths"]


def test_revoked_key_is_refused_at_once(clinic):
    from backend.core.db import session_scope
    from backend.services.clinics import auth

    assert clinic.get("/api/v1/doctors").status_code == 200
    with session_scope(write=True) as session:
        key = auth.find_api_key(session, clinic.key)
        auth.revoke_api_key(session, tenant_id=clinic.tenant.id, key_id=key.id)
    assert clinic.get("/api/v1/doctors").status_code == 401
