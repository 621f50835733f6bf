"""The inbox list in keyset pages: newest activity first, no row twice, none missed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.core.db import session_scope
from backend.domain.errors import ValidationFailed
from backend.services.chats import conversations
from tests.factories import make_conversation, make_doctor, make_tenant


@pytest.fixture
def clinic(db, frozen_clock):
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        doctor = make_doctor(session, tenant)
        other = make_tenant(session, slug="otra", whatsapp="+14155550199")
        base = frozen_clock - timedelta(days=3)
        ids = []
        for i in range(23):
            # pairs share a timestamp: the id must break the tie the same way on every page
            at = base + timedelta(minutes=(i // 2) * 7)
            ids.append(make_conversation(session, tenant, phone=f"+5730000{i:05d}", at=at).id)
        make_conversation(session, other, phone="+573009999999", at=frozen_clock)
        return tenant.id, doctor.id, ids


def _all_pages(tenant_id, user_id, limit):
    seen, after, pages = [], "", 0
    while True:
        page = conversations.inbox_page(
            tenant_id, user_id, after=after, limit=limit, with_counts=False
        )
        seen += [item.id for item in page.items]
        pages += 1
        if not page.next_cursor:
            return seen, pages
        after = page.next_cursor


def test_pages_join_up_into_the_whole_list_newest_first(clinic):
    tenant_id, user_id, ids = clinic
    whole, _ = _all_pages(tenant_id, user_id, limit=50)
    seen, pages = _all_pages(tenant_id, user_id, limit=4)
    assert seen == whole
    assert pages == 6  # 23 rows in pages of 4
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == set(ids)  # nothing of the other clinic


def test_the_list_is_newest_activity_first_with_ties_broken_by_id(clinic, db):
    tenant_id, user_id, _ = clinic
    items = conversations.inbox_page(tenant_id, user_id, limit=50).items
    keys = [(item.last_message_at, str(item.id)) for item in items]
    assert keys == sorted(keys, reverse=True)


def test_the_list_is_no_longer_capped_at_sixty_rows(db, frozen_clock):
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        user = make_doctor(session, tenant)
        for i in range(130):
            make_conversation(
                session, tenant, phone=f"+5731000{i:05d}", at=frozen_clock - timedelta(minutes=i)
            )
        tenant_id, user_id = tenant.id, user.id
    seen, _ = _all_pages(tenant_id, user_id, limit=50)
    assert len(seen) == 130


def test_a_forged_cursor_is_a_clear_error(clinic):
    tenant_id, user_id, _ = clinic
    with pytest.raises(ValidationFailed) as raised:
        conversations.inbox_page(tenant_id, user_id, after="2027-01-01|not-a-uuid")
    assert raised.value.field == "cursor"


def test_an_oversized_page_is_refused(clinic):
    tenant_id, user_id, _ = clinic
    with pytest.raises(ValidationFailed):
        conversations.inbox_page(tenant_id, user_id, limit=1000)
