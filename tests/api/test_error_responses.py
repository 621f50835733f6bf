"""Errors as the OpenAPI spec documents them; an unexpected error closes the connection."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from backend.api.main import app, create_app


def test_unexpected_error_is_json_500_that_closes_the_connection():
    api = create_app()

    @api.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    http = TestClient(api, raise_server_exceptions=False)  # no lifespan: no wiring, no sweeps
    response = http.get("/boom")
    http.close()
    assert response.status_code == 500
    assert response.headers["connection"] == "close"
    assert response.json() == {
        "error": {
            "code": "internal_error",
            "message": "unexpected error; it has been logged",
            "field": None,
        }
    }


def _responses(spec: dict, method: str, path: str) -> dict:
    return spec["paths"][path][method]["responses"]


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("post", "/api/v1/appointments", {"401", "404", "409", "422"}),
        ("get", "/api/v1/appointments", {"401", "422"}),
        ("patch", "/api/v1/appointments/{appointment_id}", {"401", "404", "409", "422"}),
        ("delete", "/api/v1/appointments/{appointment_id}", {"401", "404", "409", "422"}),
        ("get", "/api/v1/availability", {"401", "404", "422"}),
        ("get", "/api/v1/doctors", {"401"}),
        ("post", "/api/v1/conversations/{conversation_id}/messages", {"401", "404", "409", "422"}),
        ("post", "/api/v1/emergencies/{emergency_id}/resolve", {"401", "404", "409", "422"}),
        ("post", "/api/v1/follow-ups/{follow_up_id}/cancel", {"401", "404", "409", "422"}),
        ("post", "/api/v1/dead-letters/{dead_letter_id}/retry", {"401", "404", "422"}),
        ("post", "/webhooks/whatsapp", {"403", "404", "415", "422"}),
        ("post", "/webhooks/whatsapp/status", {"403", "415", "422"}),
    ],
)
def test_openapi_documents_the_error_answers(method, path, statuses):
    responses = _responses(app.openapi(), method, path)
    errors = {status for status in responses if status.startswith(("4", "5"))}
    assert errors == statuses
    for status in statuses:
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorOut"}


def test_openapi_documents_bounds_and_enums():
    spec = app.openapi()
    parameters = {
        p["name"]: p["schema"] for p in spec["paths"]["/api/v1/appointments"]["get"]["parameters"]
    }
    assert parameters["offset"]["maximum"] == 1_000_000
    assert parameters["limit"]["maximum"] == 500
    create = spec["components"]["schemas"]["AppointmentCreate"]["properties"]
    assert spec["components"]["schemas"]["Priority"]["enum"] == ["normal", "emergency"]
    assert create["priority"]["$ref"] == "#/components/schemas/Priority"
    assert create["notes"]["anyOf"][0]["pattern"].startswith("^[^\\x00-")
