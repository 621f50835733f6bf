"""Emergencies booked through the API skip working hours, not the calendar's bounds."""

from __future__ import annotations

from datetime import timedelta

import pytest


def _emergency(clinic, start: str, **extra):
    return clinic.post(
        "/api/v1/appointments",
        json={
            "doctorId": str(clinic.doctor.id),
            "clientId": str(clinic.client.id),
            "startAt": start,
            "priority": "emergency",
            **extra,
        },
    )


@pytest.mark.parametrize("start", ["2020-06-01T10:00:00-05:00", "2027-01-28T09:00:00-05:00"])
def test_emergency_in_the_past_is_refused(clinic, start):
    response = _emergency(clinic, start)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == {
        "code": "in_past",
        "message": "the time is in the past",
        "field": "startAt",
    }


def test_emergency_beyond_the_horizon_is_refused(clinic):
    response = _emergency(clinic, "2027-06-01T10:00:00-05:00")  # the horizon is 60 days
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "beyond_horizon"


def test_emergency_written_down_minutes_after_it_started_is_booked(clinic, frozen_clock):
    start = (frozen_clock - timedelta(minutes=10)).isoformat()
    response = _emergency(clinic, start)
    assert response.status_code == 201, response.text
    assert response.json()["priority"] == "emergency"


def test_emergency_outside_working_hours_and_over_a_booking_is_booked(clinic):
    sunday_night = "2027-01-31T03:00:00-05:00"
    assert _emergency(clinic, sunday_night).status_code == 201
    normal = clinic.post(
        "/api/v1/appointments",
        json={
            "doctorId": str(clinic.doctor.id),
            "clientId": str(clinic.client.id),
            "startAt": "2027-01-29T09:00:00-05:00",
        },
    )
    assert normal.status_code == 201
    assert _emergency(clinic, "2027-01-29T09:00:00-05:00").status_code == 201


def test_rescheduling_an_emergency_into_the_past_is_refused(clinic):
    emergency = _emergency(clinic, "2027-01-28T11:00:00-05:00").json()
    response = clinic.patch(
        f"/api/v1/appointments/{emergency['id']}",
        json={"startAt": "2027-01-27T11:00:00-05:00", "version": 1},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "in_past"
