"""The portal's client search finds what a pass over every client finds, on both databases."""

from __future__ import annotations

import pytest

from backend.core.db import session_scope
from backend.domain.text import fold_accents
from backend.models import Client, Pet
from backend.services.patients import client_directory
from tests.factories import make_tenant

PEOPLE = [
    ("+573001110001", "Camila Rodríguez", ["Luna", "Toby"]),
    ("+573001110002", "Andrés Muñoz", ["Max"]),
    ("+573001110003", "José Pérez", []),
    ("+573001110004", "Lucía Gómez", ["Pelusa"]),
    ("+573001110005", None, ["Michi"]),
    ("+573001110006", "Ana Núñez", ["Rocky", "Lunita"]),
    ("+573001110007", "Ana María 100% Ruiz", []),
    ("+573002220008", "María_José Díaz", ["Firulais"]),
]
QUERIES = [
    "",
    "muñoz",
    "MUNOZ",
    "luna",
    "ana luna",
    "ana",
    "an",
    "rodriguez toby",
    "0002",
    "300222",
    "100%",
    "maría_josé",
    "a_a",
    "perez max",
    "zz",
]


def _reading_every_client(tenant_id, query: str, limit: int = 60) -> list[str]:
    with session_scope(read_only=True) as session:
        clients = list(session.exec(Client.__table__.select().where(Client.tenant_id == tenant_id)))
        pets = list(session.exec(Pet.__table__.select().where(Pet.tenant_id == tenant_id)))
    text = query.strip()
    digits = "".join(c for c in text if c.isdigit())
    words = fold_accents(text.lower()).split()

    def matches(client) -> bool:
        if not text:
            return True
        if len(digits) >= 3 and digits in client.phone:
            return True
        names = " ".join([client.name or ""] + [p.name for p in pets if p.client_id == client.id])
        return bool(words) and all(w in fold_accents(names.lower()) for w in words)

    found = sorted(
        (c for c in clients if matches(c)),
        key=lambda c: (c.name is None, fold_accents((c.name or "").lower()), c.phone),
    )
    return [c.phone for c in found][:limit]


@pytest.fixture
def clinic(db):
    with session_scope(write=True) as session:
        tenant = make_tenant(session, slug="clientes")
        other = make_tenant(session, slug="otra", whatsapp="+14155550101")
        for phone, name, pets in PEOPLE:
            for owner in (tenant, other):
                client = Client(tenant_id=owner.id, phone=phone, name=name)
                session.add(client)
                session.flush()
                for pet in pets:
                    session.add(Pet(tenant_id=owner.id, client_id=client.id, name=pet))
        return tenant.id


@pytest.mark.parametrize("query", QUERIES)
def test_client_search_matches_a_pass_over_every_client(clinic, query):
    found = [c.phone for c in client_directory.search(clinic, query)]
    assert found == _reading_every_client(clinic, query)


def test_client_search_lists_each_clients_pets_and_keeps_to_the_limit(clinic):
    first = client_directory.search(clinic, "", limit=3)
    assert [c.name for c in first] == ["Ana María 100% Ruiz", "Ana Núñez", "Andrés Muñoz"]
    assert first[1].pets == ["Lunita", "Rocky"]
    assert [c.pets for c in client_directory.search(clinic, "michi")] == [["Michi"]]
