"""GET /api/v1/dead-letters and POST /api/v1/dead-letters/{id}/retry."""

from __future__ import annotations

import uuid

import pytest

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.services import events, outbox


@pytest.fixture
def broken_handler(monkeypatch):
    state = {"fail": True, "calls": 0}

    def handler(session, event):
        state["calls"] += 1
        if state["fail"]:
            raise RuntimeError("calendar API down")

    monkeypatch.setattr(outbox, "_handlers", {"calendar": handler})
    return state


def dead_letter_for(clinic) -> int:
    with session_scope(write=True) as session:
        event = events.emit(
            session,
            tenant_id=clinic.tenant.id,
            type="appointment.created",
            aggregate_id=uuid.uuid4(),
            payload={"action": "create"},
        )
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.relay_pending()
        clock.advance(outbox.BACKOFF_MAX * 2)
    return event.id


def test_list_shows_the_clinics_dead_letters(clinic, other_clinic, broken_handler):
    event_id = dead_letter_for(clinic)
    response = clinic.get("/api/v1/dead-letters")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    (item,) = body["items"]
    assert item["eventId"] == event_id and item["handler"] == "calendar"
    assert item["eventType"] == "appointment.created"
    assert "calendar API down" in item["error"]
    assert item["attempts"] == outbox.MAX_ATTEMPTS and item["resolvedAt"] is None
    assert other_clinic.get("/api/v1/dead-letters").json() == {"items": [], "total": 0}


def test_retry_resolves_a_letter_once_the_handler_works(clinic, broken_handler):
    dead_letter_for(clinic)
    letter_id = clinic.get("/api/v1/dead-letters").json()["items"][0]["id"]
    # still failing: stays open with the new error
    failed = clinic.post(f"/api/v1/dead-letters/{letter_id}/retry")
    assert failed.status_code == 200
    assert failed.json()["resolvedAt"] is None and failed.json()["retriedAt"] is not None
    # fixed: resolved, gone from the default list, still listed with includeResolved
    broken_handler["fail"] = False
    fixed = clinic.post(f"/api/v1/dead-letters/{letter_id}/retry")
    assert fixed.json()["resolvedAt"] is not None
    assert clinic.get("/api/v1/dead-letters").json()["total"] == 0
    assert clinic.get("/api/v1/dead-letters?includeResolved=true").json()["total"] == 1
    calls = broken_handler["calls"]
    clinic.post(f"/api/v1/dead-letters/{letter_id}/retry")
    assert broken_handler["calls"] == calls  # a resolved letter is not run again


def test_retry_of_another_clinics_letter_is_404(clinic, other_clinic, broken_handler):
    dead_letter_for(clinic)
    letter_id = clinic.get("/api/v1/dead-letters").json()["items"][0]["id"]
    response = other_clinic.post(f"/api/v1/dead-letters/{letter_id}/retry")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert other_clinic.post(f"/api/v1/dead-letters/{uuid.uuid4()}/retry").status_code == 404


def test_dead_letters_need_an_api_key(clinic):
    response = clinic.http.get("/api/v1/dead-letters")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
