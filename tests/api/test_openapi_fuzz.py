"""Schemathesis against the app's own OpenAPI spec, in-process: no request gets a 5xx.

Every operation gets a bounded number of generated requests (valid and
invalid ones) with a valid API key of a test clinic; ids in bodies and the
appointment path are the clinic's own, so the requests reach the booking
rules and not only the 404s. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from backend.api.main import app

EXAMPLES_PER_OPERATION = 20


async def without_lifespan(scope, receive, send):
    """The API without its start-up work (wiring, sweep loop): the tests wire the process."""
    if scope["type"] == "lifespan":
        return
    await app(scope, receive, send)


schema = schemathesis.openapi.from_asgi("/api/openapi.json", without_lifespan)


@pytest.fixture
def known_ids(clinic):
    created = clinic.post(
        "/api/v1/appointments",
        json={
            "doctorId": str(clinic.doctor.id),
            "clientId": str(clinic.client.id),
            "startAt": "2027-01-29T09:00:00-05:00",
        },
    )
    assert created.status_code == 201, created.text
    return {
        "doctorId": str(clinic.doctor.id),
        "clientId": str(clinic.client.id),
        "petId": str(clinic.pet.id),
        "appointment_id": created.json()["id"],
    }


def _use_known_ids(case, known: dict[str, str]) -> None:
    if isinstance(case.body, dict):
        for name in ("doctorId", "clientId", "petId"):
            if isinstance(case.body.get(name), str):
                case.body[name] = known[name]
    if case.path_parameters and "appointment_id" in case.path_parameters:
        case.path_parameters["appointment_id"] = known["appointment_id"]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_server_error(case, clinic, known_ids):
    _use_known_ids(case, known_ids)
    response = case.call(headers=clinic.headers())
    case.validate_response(response, checks=[not_a_server_error])
