"""A key only sees its own clinic: another clinic's ids answer 404 on every route."""

from __future__ import annotations

import pytest

FRIDAY_9 = "2027-01-29T09:00:00-05:00"


@pytest.fixture
def foreign(clinic, other_clinic):
    created = other_clinic.post(
        "/api/v1/appointments",
        json={
            "doctorId": str(other_clinic.doctor.id),
            "clientId": str(other_clinic.client.id),
            "startAt": FRIDAY_9,
        },
    )
    assert created.status_code == 201
    return other_clinic, created.json()


def test_get_foreign_appointment_is_404(clinic, foreign):
    _, appointment = foreign
    assert clinic.get(f"/api/v1/appointments/{appointment['id']}").status_code == 404


def test_patch_foreign_appointment_is_404_and_unchanged(clinic, foreign):
    other, appointment = foreign
    url = f"/api/v1/appointments/{appointment['id']}"
    assert clinic.patch(url, json={"status": "confirmed", "version": 1}).status_code == 404
    assert other.get(url).json()["status"] == "pending"


def test_delete_foreign_appointment_is_404_and_unchanged(clinic, foreign):
    other, appointment = foreign
    url = f"/api/v1/appointments/{appointment['id']}"
    assert clinic.delete(url).status_code == 404
    assert other.get(url).json()["status"] == "pending"


def test_list_never_shows_foreign_appointments(clinic, foreign):
    other, _ = foreign
    assert clinic.get("/api/v1/appointments").json()["total"] == 0
    assert (
        clinic.get("/api/v1/appointments", params={"doctorId": str(other.doctor.id)}).json()[
            "total"
        ]
        == 0
    )


def test_create_with_foreign_doctor_client_or_pet_is_404(clinic, foreign):
    other, _ = foreign
    base = {
        "doctorId": str(clinic.doctor.id),
        "clientId": str(clinic.client.id),
        "startAt": FRIDAY_9,
    }
    for field, value in (
        ("doctorId", other.doctor.id),
        ("clientId", other.client.id),
        ("petId", other.pet.id),
    ):
        response = clinic.post("/api/v1/appointments", json={**base, field: str(value)})
        assert response.status_code == 404, (field, response.text)


def test_availability_of_foreign_tenant_or_doctor_is_404(clinic, foreign):
    other, _ = foreign
    assert (
        clinic.get(
            "/api/v1/availability", params={"date": "2027-01-29", "tenantId": str(other.tenant.id)}
        ).status_code
        == 404
    )
    assert (
        clinic.get(
            "/api/v1/availability", params={"date": "2027-01-29", "doctorId": str(other.doctor.id)}
        ).status_code
        == 404
    )


def test_doctors_list_only_own_clinic(clinic, foreign):
    names = [d["fullName"] for d in clinic.get("/api/v1/doctors").json()]
    assert names == ["Dra. Patitas"]
