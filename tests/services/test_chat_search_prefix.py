"""A word finds the words it starts, and its other Spanish endings, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.core.db import session_scope
from backend.models import Message
from backend.services.chats import conversations
from tests.factories import make_conversation, make_tenant


@pytest.fixture
def clinic(db, frozen_clock):
    bodies = {
        "+573000000001": "Mi gato Simón fue atropellado esta mañana",
        "+573000000002": "¿Tienen vacunación para perros?",
        "+573000000003": "lo atropellaron ayer",
    }
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        ids = {}
        for i, (phone, body) in enumerate(bodies.items()):
            at = frozen_clock - timedelta(hours=i + 1)
            conversation = make_conversation(session, tenant, phone=phone, at=at)
            session.add(
                Message(
                    tenant_id=tenant.id,
                    conversation_id=conversation.id,
                    direction="inbound",
                    author="client",
                    from_phone=phone,
                    to_phone="+14155550100",
                    body=body,
                    created_at=at,
                    processed_at=at,
                )
            )
            ids[phone] = conversation.id
    return tenant.id, ids


def _found(tenant_id, text):
    return [item.client_phone for item in conversations.inbox(tenant_id, text)]


def test_atropello_finds_atropellado_and_atropellaron(clinic):
    tenant_id, _ = clinic
    assert _found(tenant_id, "atropello") == ["+573000000001", "+573000000003"]


def test_a_prefix_finds_the_longer_word(clinic):
    tenant_id, _ = clinic
    assert _found(tenant_id, "vacun") == ["+573000000002"]
    assert _found(tenant_id, "perro") == ["+573000000002"]


def test_the_found_word_is_highlighted_whole(clinic):
    tenant_id, _ = clinic
    item = conversations.inbox(tenant_id, "atropello simon")[0]
    assert [text for text, found in item.match if found] == ["Simón", "atropellado"]
    assert item.match_message_id is not None


def test_a_longer_word_does_not_find_a_different_ending(clinic):
    tenant_id, _ = clinic
    assert _found(tenant_id, "atropellado") == ["+573000000001"]
