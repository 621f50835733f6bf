"""The API refuses an outcome before the appointment starts, with a JSON 409."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.core.clock import clock

MONDAY_9 = datetime(2027, 2, 1, 14, 0, tzinfo=UTC)


def test_no_show_before_the_start_is_a_409_with_its_reason(clinic):
    created = clinic.post(
        "/api/v1/appointments",
        json={
            "doctorId": str(clinic.doctor.id),
            "clientId": str(clinic.client.id),
            "startAt": MONDAY_9.isoformat(),
        },
    ).json()

    early = clinic.patch(
        f"/api/v1/appointments/{created['id']}",
        json={"version": created["version"], "status": "no_show"},
    )
    clock.freeze(MONDAY_9 + timedelta(minutes=15))
    on_time = clinic.patch(
        f"/api/v1/appointments/{created['id']}",
        json={"version": created["version"], "status": "no_show"},
    )

    assert early.status_code == 409
    assert early.json()["error"]["code"] == "before_start"
    assert early.json()["error"]["field"] == "status"
    assert on_time.status_code == 200 and on_time.json()["status"] == "no_show"
