"""The inbox's filters and their counts, "sin leer" per staff member, and assignment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.domain.errors import NotFound
from backend.models import ConversationAssignment
from backend.services.chats import conversations, inbox
from tests.factories import make_conversation, make_doctor, make_tenant


@pytest.fixture
def clinic(db, frozen_clock):
    """Six conversations, one of each kind, and two staff members."""
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        ana = make_doctor(session, tenant, name="Dra. Ana Restrepo")
        luis = make_doctor(session, tenant, name="Dr. Luis Gómez")
        at = frozen_clock - timedelta(hours=1)
        made = {
            "quiet": make_conversation(session, tenant, phone="+573000000001", at=at),
            "emergency": make_conversation(
                session, tenant, phone="+573000000002", at=at, state="ESCALATE"
            ),
            "taken": make_conversation(
                session, tenant, phone="+573000000003", at=at, taken_over_at=at
            ),
            "closed": make_conversation(
                session, tenant, phone="+573000000004", at=at, is_open=False, state="CLOSED"
            ),
            "reminder": make_conversation(
                session, tenant, phone="+573000000005", at=at, client_wrote=False
            ),
        }
        ids = {name: c.id for name, c in made.items()}
        return tenant.id, ana.id, luis.id, ids


def _ids(tenant_id, user_id, name):
    page = conversations.inbox_page(tenant_id, user_id, filter=name, with_counts=False)
    return {item.id for item in page.items}


def test_each_filter_keeps_its_conversations(clinic):
    tenant_id, ana, _, ids = clinic
    assert _ids(tenant_id, ana, "todas") == set(ids.values())
    assert _ids(tenant_id, ana, "emergencias") == {ids["emergency"]}
    assert _ids(tenant_id, ana, "equipo") == {ids["taken"]}
    assert _ids(tenant_id, ana, "cerradas") == {ids["closed"]}
    # open, and the client wrote: a reminder nobody answered is not waiting to be read
    assert _ids(tenant_id, ana, "sin_leer") == {ids["quiet"], ids["emergency"], ids["taken"]}
    assert _ids(tenant_id, ana, "mias") == set()


def test_counts_match_the_filters(clinic):
    tenant_id, ana, _, _ = clinic
    counts = conversations.inbox_page(tenant_id, ana).counts
    assert counts == {
        "todas": 5,
        "sin_leer": 3,
        "mias": 0,
        "emergencias": 1,
        "equipo": 1,
        "cerradas": 1,
    }


def test_opening_a_thread_marks_it_read_for_that_person_only(clinic):
    tenant_id, ana, luis, ids = clinic
    assert inbox.mark_read_from_inbox(
        tenant_id=tenant_id, user_id=ana, conversation_id=ids["quiet"]
    )
    assert ids["quiet"] not in _ids(tenant_id, ana, "sin_leer")
    assert ids["quiet"] in _ids(tenant_id, luis, "sin_leer")
    items = {i.id: i for i in conversations.inbox_page(tenant_id, ana).items}
    assert not items[ids["quiet"]].unread and items[ids["emergency"]].unread
    # read already: nothing is written again
    assert not inbox.mark_read_from_inbox(
        tenant_id=tenant_id, user_id=ana, conversation_id=ids["quiet"]
    )


def test_a_new_client_message_makes_it_unread_again(clinic):
    tenant_id, ana, _, ids = clinic
    inbox.mark_read_from_inbox(tenant_id=tenant_id, user_id=ana, conversation_id=ids["quiet"])
    clock.advance(timedelta(minutes=5))
    with session_scope(write=True) as session:
        conversation = session.get(inbox.Conversation, ids["quiet"])
        conversation.last_inbound_at = conversation.last_message_at = clock.now()
        session.add(conversation)
    assert ids["quiet"] in _ids(tenant_id, ana, "sin_leer")


def test_assigning_puts_it_under_mias_and_is_audited(clinic):
    tenant_id, ana, luis, ids = clinic
    inbox.assign_from_inbox(
        tenant_id=tenant_id, conversation_id=ids["quiet"], assignee_id=luis, by_user_id=ana
    )
    assert _ids(tenant_id, luis, "mias") == {ids["quiet"]}
    assert _ids(tenant_id, ana, "mias") == set()
    items = {i.id: i for i in conversations.inbox_page(tenant_id, ana).items}
    assert items[ids["quiet"]].assigned_name == "Dr. Luis Gómez"
    inbox.assign_from_inbox(
        tenant_id=tenant_id, conversation_id=ids["quiet"], assignee_id=None, by_user_id=ana
    )
    assert _ids(tenant_id, luis, "mias") == set()
    with session_scope(read_only=True) as session:
        trail = [
            (a.assigned_to, a.assigned_by)
            for a in session.exec(
                select(ConversationAssignment).order_by(ConversationAssignment.at)
            )
        ]
    assert trail == [(luis, ana), (None, ana)]


def test_a_conversation_cannot_be_assigned_to_another_clinics_staff(clinic):
    tenant_id, ana, _, ids = clinic
    with session_scope(write=True) as session:
        stranger = make_doctor(
            session, make_tenant(session, slug="otra", whatsapp="+14155550199"), name="Dr. Otro"
        ).id
    with pytest.raises(NotFound):
        inbox.assign_from_inbox(
            tenant_id=tenant_id, conversation_id=ids["quiet"], assignee_id=stranger, by_user_id=ana
        )


def test_an_unknown_filter_is_a_clear_error(clinic):
    tenant_id, ana, _, _ = clinic
    with pytest.raises(inbox.ValidationFailed):
        conversations.inbox_page(tenant_id, ana, filter="todo")


def test_counts_stop_at_the_cap(clinic, monkeypatch):
    tenant_id, ana, _, _ = clinic
    monkeypatch.setattr(inbox, "COUNT_CAP", 2)
    assert conversations.inbox_page(tenant_id, ana).counts["todas"] == 3
