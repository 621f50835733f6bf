"""GET /api/v1/follow-ups, GET /api/v1/follow-ups/{id}, POST /api/v1/follow-ups/{id}/cancel."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from backend.core.clock import clock
from backend.core.config import settings
from backend.core.db import session_scope
from backend.integrations.whatsapp import SandboxChannel, set_channel
from backend.models import Conversation, FollowUp
from backend.services import outbox
from backend.services.outreach import followups

MONDAY_9 = datetime(2027, 2, 1, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def channel(monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_TEMPLATE_CONTENT_SID", "HXtest")
    set_channel(SandboxChannel())
    yield
    set_channel(None)


def completed_surgery(clinic) -> str:
    created = clinic.post(
        "/api/v1/appointments",
        json={
            "doctorId": str(clinic.doctor.id),
            "clientId": str(clinic.client.id),
            "petId": str(clinic.pet.id),
            "startAt": MONDAY_9.isoformat(),
        },
    ).json()
    clock.freeze(MONDAY_9 + timedelta(hours=1))
    done = clinic.patch(
        f"/api/v1/appointments/{created['id']}",
        json={
            "version": created["version"],
            "status": "completed",
            "procedureType": "surgery",
        },
    )
    assert done.status_code == 200, done.text
    outbox.relay_pending()
    return created["id"]


def test_completed_surgery_lists_four_follow_ups(clinic, other_clinic):
    appointment_id = completed_surgery(clinic)
    body = clinic.get("/api/v1/follow-ups").json()
    assert body["total"] == 4
    assert [f["sequenceNumber"] for f in body["items"]] == [1, 2, 3, 4]
    assert {f["status"] for f in body["items"]} == {"pending"}
    assert all(f["appointmentId"] == appointment_id for f in body["items"])
    assert (
        clinic.get(f"/api/v1/follow-ups?appointmentId={appointment_id}&status=pending").json()[
            "total"
        ]
        == 4
    )
    assert clinic.get("/api/v1/follow-ups?status=sent").json()["total"] == 0
    assert other_clinic.get("/api/v1/follow-ups").json()["total"] == 0


def test_unknown_status_filter_is_422(clinic):
    response = clinic.get("/api/v1/follow-ups?status=lost")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "status"


def test_detail_includes_the_clients_answers(clinic):
    completed_surgery(clinic)
    first = clinic.get("/api/v1/follow-ups").json()["items"][0]
    clock.freeze(datetime.fromisoformat(first["scheduledAt"]))
    followups.send_due_follow_ups(clock.now())
    with session_scope(write=True) as session:
        follow_up = session.get(FollowUp, uuid.UUID(first["id"]))
        conversation = session.get(Conversation, follow_up.conversation_id)
        followups.record_follow_up_response(session, conversation, "Tiene fiebre y no come")
    detail = clinic.get(f"/api/v1/follow-ups/{first['id']}").json()
    assert detail["status"] == "escalated"
    (answer,) = detail["responses"]
    assert answer["responseText"] == "Tiene fiebre y no come"
    assert answer["requiresEscalation"] is True
    assert answer["analysis"]["recommendation"] == "alert_vet"


def test_cancel_pending_then_conflict_once_cancelled(clinic):
    completed_surgery(clinic)
    follow_up_id = clinic.get("/api/v1/follow-ups").json()["items"][0]["id"]
    cancelled = clinic.post(f"/api/v1/follow-ups/{follow_up_id}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = clinic.post(f"/api/v1/follow-ups/{follow_up_id}/cancel")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "illegal_transition"


def test_other_clinic_gets_404(clinic, other_clinic):
    completed_surgery(clinic)
    follow_up_id = clinic.get("/api/v1/follow-ups").json()["items"][0]["id"]
    assert other_clinic.get(f"/api/v1/follow-ups/{follow_up_id}").status_code == 404
    refused = other_clinic.post(f"/api/v1/follow-ups/{follow_up_id}/cancel")
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"
    assert clinic.get(f"/api/v1/follow-ups/{uuid.uuid4()}").status_code == 404
