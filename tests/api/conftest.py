"""An API client for each of two clinics (the second one to test isolation)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from backend.api.main import app
from backend.core.db import session_scope
from backend.models import Client, Pet, StaffUser, Tenant
from backend.services.patients import clients
from tests.factories import make_api_key, make_client, make_doctor, make_tenant, weekday_periods


@dataclass
class Clinic:
    tenant: Tenant
    doctor: StaffUser
    client: Client
    pet: Pet
    key: str
    http: TestClient

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def get(self, url, **kw):
        return self.http.get(url, headers=self.headers(), **kw)

    def post(self, url, **kw):
        return self.http.post(url, headers=self.headers(), **kw)

    def patch(self, url, **kw):
        return self.http.patch(url, headers={**self.headers(), **kw.pop("headers", {})}, **kw)

    def delete(self, url, **kw):
        return self.http.delete(url, headers={**self.headers(), **kw.pop("headers", {})}, **kw)


def build_clinic(slug: str, whatsapp: str, http: TestClient) -> Clinic:
    with session_scope(write=True) as session:
        tenant = make_tenant(session, slug=slug, whatsapp=whatsapp)
        doctor = make_doctor(
            session, tenant, name=f"Dra. {slug.title()}", periods=weekday_periods()
        )
        client = make_client(session, tenant)
        pet = clients.add_pet(session, client, name="Max", species="perro")
        key = make_api_key(session, tenant)
    return Clinic(tenant, doctor, client, pet, key, http)


@pytest.fixture
def http():
    """The API without its lifespan: tests wire the process themselves and run no sweep loop."""
    client = TestClient(app, raise_server_exceptions=False)
    yield client
    client.close()


@pytest.fixture
def clinic(db, frozen_clock, http) -> Clinic:
    return build_clinic("patitas", "+14155550100", http)


@pytest.fixture
def other_clinic(clinic, http) -> Clinic:
    return build_clinic("huellitas", "+14155550101", http)
