"""Chat search gives the same conversations, in the same order, as reading every message.

Generated history (accents, capitals, punctuation, two clinics) is searched
through `list_conversations` and compared with a plain pass over every
message using the meaning in `backend.domain.search_terms`, on both
databases; on PostgreSQL also with the threshold for common words lowered so
the walk of newest conversations answers too.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from backend.core.db import session_scope
from backend.domain.search_terms import matches, search_terms
from backend.models import Client, Conversation, Message, Tenant
from backend.services.chats import search
from backend.services.chats.search import list_conversations
from tests.factories import make_tenant

WORDS = (
    "hola necesito una cita para mi perro gato vacunación vacuna vacunar cirugía mañana "
    "tarde está vomitando atropellado atropello Luna Toby consulta precio cuánto cuesta "
    "gracias sí no desparasitación baño peluquería control herida pata oreja 10 11 am"
).split()
NAMES = ["Camila Rodríguez", "Andrés Muñoz", "José Pérez", "Lucía Gómez", None, "Ana Núñez"]
QUERIES = [
    "vacunacion",
    "VACUNACIÓN",
    "vacun",
    "atropell",
    "atropellado",
    "perro mañana",
    "cita perro gato",
    "sí",
    "10 am",
    "cuanto CUESTA",
    "tob",
    "xyz",
    "pe",
]
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _history(tenant: Tenant, other: Tenant, rng: random.Random) -> None:
    with session_scope(write=True) as session:
        for n in range(60):
            owner = tenant if n % 6 else other
            phone = f"+5730012{n:05d}"
            client = Client(tenant_id=owner.id, phone=phone, name=rng.choice(NAMES))
            session.add(client)
            session.flush()
            started = START + timedelta(hours=n * 7 % 300)
            conversation = Conversation(
                tenant_id=owner.id,
                client_id=client.id,
                client_phone=phone,
                state=rng.choice(["IDLE", "CLOSED", "ASK_REASON"]),
                is_open=False,
                started_at=started,
                last_message_at=started + timedelta(minutes=rng.randint(1, 500)),
            )
            session.add(conversation)
            session.flush()
            for m in range(rng.randint(0, 9)):
                words = rng.sample(WORDS, rng.randint(2, 9))
                body = " ".join(words).capitalize() + rng.choice([".", "?", "!!", " 😊", ""])
                session.add(
                    Message(
                        tenant_id=owner.id,
                        conversation_id=conversation.id,
                        direction="inbound" if m % 2 == 0 else "outbound",
                        author="client" if m % 2 == 0 else "assistant",
                        from_phone=phone,
                        to_phone="+14155550100",
                        body=body,
                        created_at=started + timedelta(minutes=m),
                    )
                )


def _by_reading_everything(tenant: Tenant, q: str, **filters: str) -> list[uuid.UUID]:
    terms = search_terms(q)
    with session_scope(read_only=True) as session:
        allowed = {
            row.conversation.id
            for row in list_conversations(session, tenant, limit=1000, **filters).rows
        }
        conversations = session.exec(
            select(Conversation).where(Conversation.tenant_id == tenant.id)
        ).all()
        found = {
            m.conversation_id
            for m in session.exec(select(Message).where(Message.tenant_id == tenant.id))
            if matches(m.body, terms)
        }
        ordered = sorted(conversations, key=lambda c: (-c.last_message_at.timestamp(), str(c.id)))
        return [c.id for c in ordered if c.id in found and c.id in allowed]


def _two_clinics() -> tuple[Tenant, Tenant]:
    with session_scope(write=True) as session:
        tenant = make_tenant(session, slug="buscar")
        other = make_tenant(session, slug="otra", whatsapp="+14155550101")
    _history(tenant, other, random.Random(15))
    return tenant, other


@pytest.fixture
def clinics(db):
    return _two_clinics()


@pytest.fixture
def pg_clinics(pg):
    return _two_clinics()


def _found(tenant: Tenant, q: str, **kwargs) -> search.ConversationPage:
    with session_scope(read_only=True) as session:
        return list_conversations(session, tenant, q=q, **kwargs)


def _order_is_newest_first(page: search.ConversationPage) -> list[uuid.UUID]:
    return [row.conversation.id for row in page.rows]


@pytest.mark.parametrize("q", QUERIES)
def test_search_finds_what_reading_every_message_finds(clinics, q):
    tenant, _ = clinics
    expected = _by_reading_everything(tenant, q)
    page = _found(tenant, q, limit=1000)
    assert _order_is_newest_first(page) == expected
    assert page.total == len(expected)
    assert page.total_exact


def test_each_found_conversation_shows_its_newest_matching_message_highlighted(clinics):
    tenant, _ = clinics
    terms = search_terms("vacun")
    page = _found(tenant, "vacun", limit=1000)
    assert page.rows
    with session_scope(read_only=True) as session:
        for row in page.rows:
            assert row.match is not None
            newest = max(
                (
                    m
                    for m in session.exec(
                        select(Message).where(Message.conversation_id == row.conversation.id)
                    )
                    if matches(m.body, terms)
                ),
                key=lambda m: (m.created_at, m.id),
            )
            assert row.match.message_id == newest.id
            marked = [text for text, found in row.match.snippet if found]
            assert marked
            assert all(text.lower().startswith("vacun") for text in marked)


def test_pages_join_up_into_the_whole_result(clinics):
    tenant, _ = clinics
    whole = _order_is_newest_first(_found(tenant, "perro", limit=1000))
    pages = [
        _order_is_newest_first(_found(tenant, "perro", limit=4, offset=offset))
        for offset in range(0, len(whole) + 4, 4)
    ]
    assert [cid for page in pages for cid in page] == whole


def test_words_combine_with_the_other_filters(clinics):
    tenant, _ = clinics
    for filters in ({"state": "CLOSED"}, {"client_name": "munoz"}, {"phone": "00120"}):
        expected = _by_reading_everything(tenant, "cita", **filters)
        assert _order_is_newest_first(_found(tenant, "cita", limit=1000, **filters)) == expected


def test_a_common_word_walks_the_newest_conversations_and_finds_the_same(pg_clinics, monkeypatch):
    tenant, _ = pg_clinics
    monkeypatch.setattr(search, "COMMON_MATCHES", 1)
    for q in ("vacunacion", "perro mañana", "atropell", "cita"):
        expected = _by_reading_everything(tenant, q)
        page = _found(tenant, q, limit=1000)
        assert _order_is_newest_first(page) == expected
        assert not page.total_exact
        assert 0 < page.total <= len(expected)
        first = _found(tenant, q, limit=5)
        assert _order_is_newest_first(first) == expected[:5]
        assert first.rows[0].match is not None


def test_another_clinics_messages_are_never_found(clinics):
    tenant, other = clinics
    ours = {row.conversation.id for row in _found(tenant, "hola", limit=1000).rows}
    theirs = {row.conversation.id for row in _found(other, "hola", limit=1000).rows}
    assert ours and theirs
    assert not ours & theirs


def test_a_search_without_words_finds_nothing(clinics):
    tenant, _ = clinics
    page = _found(tenant, "¿¿!! 😊", limit=50)
    assert page.rows == []
    assert page.total == 0


def test_any_character_postgresql_would_unaccent_is_a_clear_search(pg_clinics):
    tenant, _ = pg_clinics
    rules = sorted(Path("/usr/share/postgresql").glob("*/tsearch_data/unaccent.rules"))[-1]
    with rules.open(encoding="utf-8") as lines:
        characters = [line.split("\t", 1)[0] for line in lines if "\t" in line]
    for start in range(0, len(characters), 50):
        q = " ".join(f"ab{c}cd" for c in characters[start : start + 50][:8])
        assert _found(tenant, q, limit=5).rows == []
        assert _found(tenant, "".join(characters[start : start + 50]), limit=5).total == 0


@pytest.mark.parametrize("walk_factor", [1, 1000])
def test_a_word_wrongly_estimated_common_still_finds_the_same(pg_clinics, monkeypatch, walk_factor):
    tenant, _ = pg_clinics
    monkeypatch.setattr(search, "COMMON_ESTIMATE", -1)
    monkeypatch.setattr(search, "WALK_FACTOR", walk_factor)
    for q in QUERIES:
        expected = _by_reading_everything(tenant, q)
        for limit, offset in ((1000, 0), (3, 0), (3, 3)):
            page = _found(tenant, q, limit=limit, offset=offset)
            assert _order_is_newest_first(page) == expected[offset : offset + limit], q
            assert page.total >= min(offset + len(page.rows), len(expected))
            if page.total_exact:
                assert page.total == len(expected)
