"""Bad input is a 422 JSON answer, never a 500: pagination, control characters, dates."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from backend.api.fields import MAX_OFFSET
from backend.domain.input_rules import DAYS_AHEAD

FRIDAY_9 = "2027-01-29T09:00:00-05:00"
LIST_URLS = [
    "/api/v1/appointments",
    "/api/v1/conversations",
    "/api/v1/emergencies",
    "/api/v1/dead-letters",
    "/api/v1/follow-ups",
]


def _error(response, field: str) -> dict:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field and error["message"], error
    return error


def _create(clinic, **extra):
    body = {
        "doctorId": str(clinic.doctor.id),
        "clientId": str(clinic.client.id),
        "startAt": FRIDAY_9,
        **extra,
    }
    return clinic.post("/api/v1/appointments", json=body)


@pytest.mark.parametrize("url", LIST_URLS)
@pytest.mark.parametrize("offset", [str(2**63), str(MAX_OFFSET + 1), "-1"])
def test_list_with_offset_out_of_bounds_is_422(clinic, url, offset):
    _error(clinic.get(url, params={"offset": offset}), "offset")


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_at_the_maximum_offset_is_empty(clinic, url):
    response = clinic.get(url, params={"offset": MAX_OFFSET})
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


def test_messages_with_offset_out_of_bounds_is_422(clinic):
    response = clinic.get(
        f"/api/v1/conversations/{uuid.uuid4()}/messages", params={"offset": str(2**63)}
    )
    _error(response, "offset")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"notes": "alergia\x00"}, "notes"),
        ({"reason": "control\x07"}, "reason"),
        ({"clientId": None, "client": {"phone": "3105551234", "name": "A\x00na"}}, "client.name"),
        ({"clientId": None, "client": {"phone": "310555\x001234"}}, "client.phone"),
        (
            {"clientId": None, "client": {"phone": "3105551234", "email": "a\x1b@b.co"}},
            "client.email",
        ),
        ({"pet": {"name": "Ki\x00ra"}}, "pet.name"),
        ({"pet": {"name": "Kira", "species": "ga\x00to"}}, "pet.species"),
        ({"pet": {"name": "Kira", "breed": "\x7fcriollo"}}, "pet.breed"),
    ],
)
def test_create_with_control_characters_is_422(clinic, extra, field):
    _error(_create(clinic, **extra), field)


def test_create_with_a_lone_surrogate_is_422(clinic):
    body = {
        "doctorId": str(clinic.doctor.id),
        "clientId": str(clinic.client.id),
        "startAt": FRIDAY_9,
        "notes": "\ud800",
    }
    response = clinic.http.post(
        "/api/v1/appointments",
        content=json.dumps(body).encode(),
        headers={**clinic.headers(), "content-type": "application/json"},
    )
    _error(response, "notes")


def test_line_breaks_and_tabs_are_text(clinic):
    notes = "línea 1\r\nlínea 2\tfin 🐾"
    response = _create(clinic, notes=notes)
    assert response.status_code == 201, response.text
    assert clinic.get(f"/api/v1/appointments/{response.json()['id']}").json()["notes"] == notes


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"notes": "x\x00", "version": 1}, "notes"),
        ({"reason": "x\x00", "version": 1}, "reason"),
        ({"status": "cancelled", "cancelReason": "x\x00", "version": 1}, "cancelReason"),
    ],
)
def test_patch_with_control_characters_is_422(clinic, body, field):
    appointment = _create(clinic).json()
    _error(clinic.patch(f"/api/v1/appointments/{appointment['id']}", json=body), field)


def test_cancel_with_control_characters_in_reason_is_422(clinic):
    appointment = _create(clinic).json()
    response = clinic.delete(
        f"/api/v1/appointments/{appointment['id']}", params={"reason": "viaje\x00"}
    )
    _error(response, "reason")


def test_staff_reply_with_nul_is_422(clinic):
    response = clinic.post(
        f"/api/v1/conversations/{uuid.uuid4()}/messages", json={"body": "hola\x00"}
    )
    _error(response, "body")


def test_resolving_an_emergency_with_nul_in_notes_is_422(clinic):
    response = clinic.post(
        f"/api/v1/emergencies/{uuid.uuid4()}/resolve",
        json={"outcome": "resolved", "notes": "ok\x00"},
    )
    _error(response, "notes")


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/appointments", "phone"),
        ("/api/v1/appointments", "status"),
        ("/api/v1/conversations", "phone"),
        ("/api/v1/conversations", "clientName"),
        ("/api/v1/conversations", "state"),
        ("/api/v1/conversations", "q"),
        ("/api/v1/emergencies", "status"),
        ("/api/v1/follow-ups", "status"),
    ],
)
def test_filter_with_nul_is_422(clinic, url, param):
    _error(clinic.get(url, params={param: "30\x0012"}), param)


@pytest.mark.parametrize(
    "start", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "1999-12-31T12:00:00Z"]
)
def test_create_with_a_start_out_of_range_is_422(clinic, start):
    _error(_create(clinic, startAt=start), "startAt")


@pytest.mark.parametrize("priority", ["normal", "emergency"])
def test_create_more_than_two_years_ahead_is_422(clinic, frozen_clock, priority):
    start = (frozen_clock + timedelta(days=DAYS_AHEAD + 1)).isoformat()
    _error(_create(clinic, startAt=start, priority=priority), "startAt")


def test_create_with_an_end_out_of_range_is_422(clinic):
    _error(_create(clinic, endAt="9999-12-31T23:59:59Z"), "endAt")


def test_reschedule_to_year_9999_is_422(clinic):
    appointment = _create(clinic).json()
    response = clinic.patch(
        f"/api/v1/appointments/{appointment['id']}",
        json={"startAt": "9999-12-31T23:00:00Z", "version": 1},
    )
    _error(response, "startAt")


@pytest.mark.parametrize("url", ["/api/v1/appointments", "/api/v1/conversations"])
@pytest.mark.parametrize("param", ["from", "to"])
def test_list_filtered_from_year_1_is_422(clinic, url, param):
    _error(clinic.get(url, params={param: "0001-01-01T00:00:00+05:00"}), param)


@pytest.mark.parametrize("url", ["/api/v1/appointments", "/api/v1/conversations"])
def test_list_filtered_by_a_time_without_offset_is_422(clinic, url):
    _error(clinic.get(url, params={"from": "2027-01-29T09:00:00"}), "from")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_availability_for_a_date_out_of_range_is_422(clinic, day):
    _error(clinic.get("/api/v1/availability", params={"date": day}), "date")


def test_availability_reaches_two_years_ahead_and_no_further(clinic, frozen_clock):
    last = frozen_clock.date() + timedelta(days=DAYS_AHEAD)
    assert clinic.get("/api/v1/availability", params={"date": last.isoformat()}).json() == {
        "tenantId": str(clinic.tenant.id),
        "timezone": "America/Bogota",
        "date": last.isoformat(),
        "slots": [],  # beyond the doctor's horizon: asked, answered, nothing free
    }
    beyond = (last + timedelta(days=1)).isoformat()
    _error(clinic.get("/api/v1/availability", params={"date": beyond}), "date")


@pytest.mark.parametrize("if_match", ['"²"', '"' + "9" * 5000 + '"', '"1\x00"'])
def test_patch_with_an_if_match_that_is_no_version_is_422(clinic, if_match):
    appointment = _create(clinic).json()
    response = clinic.patch(
        f"/api/v1/appointments/{appointment['id']}",
        json={"notes": "x"},
        headers={"If-Match": if_match.encode("latin-1")},
    )
    _error(response, "If-Match")
