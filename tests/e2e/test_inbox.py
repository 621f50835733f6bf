"""The inbox like Chatwoot's, in the production build: filters with counts, "Cargar más"
past the old 60 rows, assignment, internal notes, canned replies after "/", and a prefix
search that opens the thread at the message it found; at 1440 px and on a 390 px phone.

Screenshots go to artifacts/screenshots/inbox-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, func, select

from backend.models import CannedReply, Conversation, ConversationNote, Message
from tests.e2e.conftest import Portal, save_screenshot
from tests.e2e.portal_helpers import SUPPORT, demo_tenant, log_in, portal_db, staff
from tests.factories import make_conversation

OLD_CHATS = 70
FOUND_TEXT = "Mi gato Simón fue atropellado esta mañana y cojea"


@pytest.fixture(scope="module", autouse=True)
def history(portal: Portal) -> None:
    """Older conversations than the demo's (more than a page), one about an accident."""
    with portal_db(portal, write=True) as session:
        tenant = demo_tenant(session)
        long_ago = datetime.now(UTC) - timedelta(days=40)
        for i in range(OLD_CHATS):
            make_conversation(
                session,
                tenant,
                phone=f"+5731577{i:05d}",
                at=long_ago - timedelta(hours=i),
                is_open=False,
                state="CLOSED",
            )
        accident = make_conversation(
            session, tenant, phone="+573157799999", at=long_ago + timedelta(hours=1)
        )
        session.add(
            Message(
                tenant_id=tenant.id,
                conversation_id=accident.id,
                direction="inbound",
                author="client",
                from_phone=accident.client_phone,
                to_phone=tenant.whatsapp_numbers[0],
                body=FOUND_TEXT,
                processed_at=accident.last_message_at,
                created_at=accident.last_message_at,
            )
        )
    with portal_db(portal) as session:
        closed = session.exec(
            select(func.count()).select_from(Conversation).where(~col(Conversation.is_open))
        ).one()
    assert closed >= OLD_CHATS


@pytest.fixture
def desktop(page: Page) -> Page:
    """The shared test page (saved on failure) at 1440 px."""
    page.set_viewport_size({"width": 1440, "height": 900})
    return page


@pytest.fixture
def phone(browser: Browser, portal: Portal) -> Iterator[Page]:
    context = browser.new_context(
        base_url=portal.base_url,
        locale="es-CO",
        timezone_id="America/Bogota",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_the_list_pages_past_sixty_and_filters_with_counts(desktop: Page, portal: Portal) -> None:
    log_in(desktop, portal, SUPPORT, landing="/conversaciones")
    rows = desktop.locator(".va-conversation")
    expect(rows.first).to_be_visible()
    closed = desktop.locator('.va-filter[data-filter="cerradas"]')
    expect(closed).to_have_text(re.compile(r"Cerradas\s*\d+"))
    assert int(re.sub(r"\D", "", closed.inner_text())) >= OLD_CHATS  # the history counts
    expect(rows).to_have_count(50)  # one keyset page
    desktop.wait_for_timeout(1500)
    assert rows.count() == 50  # the next page waits until the list is scrolled to its end
    while desktop.locator("#load-more").count():  # scrolling down loads page after page
        before = rows.count()
        desktop.eval_on_selector("#conversation-list", "el => el.scrollTo(0, el.scrollHeight)")
        desktop.wait_for_function(
            f"document.querySelectorAll('.va-conversation').length > {before}"
            " || !document.getElementById('load-more')"
        )
    total = rows.count()
    assert total > 60 + 10  # every conversation, no longer 60 at most
    ids = rows.evaluate_all("els => els.map(e => e.dataset.id)")
    assert len(ids) == len(set(ids))
    save_screenshot(desktop, "inbox-desktop-list")

    desktop.click('.va-filter[data-filter="cerradas"]')
    expect(desktop.locator('.va-filter[data-filter="cerradas"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(rows).to_have_count(50)
    desktop.click('.va-filter[data-filter="emergencias"]')
    expect(desktop.locator('.va-filter[data-filter="emergencias"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    desktop.wait_for_timeout(500)
    assert rows.count() < 50


def test_assign_note_and_canned_reply_in_a_thread(desktop: Page, portal: Portal) -> None:
    log_in(desktop, portal, SUPPORT, landing="/conversaciones")
    desktop.locator(".va-conversation").first.click()
    expect(desktop.locator("#thread")).to_be_visible()
    with portal_db(portal) as session:
        me = staff(session, SUPPORT).full_name

    # assignment: the list says to whom, "Mías" holds it
    desktop.click("#assign-trigger")
    desktop.get_by_role("option", name=me).click()
    expect(desktop.locator(".va-assigned").first).to_contain_text(f"Asignada a {me}")
    desktop.click('.va-filter[data-filter="mias"]')
    expect(desktop.locator(".va-conversation")).to_have_count(1)

    # an internal note: yellow in the thread, never a message
    note = "Nota para el equipo: el cliente prefiere llamadas"
    desktop.click("#note-toggle")
    desktop.fill("#reply-input", note)
    desktop.click("#reply-send")
    expect(desktop.locator(".va-note", has_text=note)).to_be_visible()
    with portal_db(portal) as session:
        assert session.exec(select(ConversationNote).where(ConversationNote.body == note)).first()
        assert not session.exec(select(Message).where(Message.body == note)).first()
    save_screenshot(desktop, "inbox-desktop-thread")

    # a canned reply made in the dialog, offered after "/" and put in the reply box
    desktop.click("#note-toggle")
    desktop.click("#canned-open")
    expect(desktop.locator("#canned-dialog")).to_be_visible()
    desktop.fill("#canned-shortcut", "horario")
    desktop.fill("#canned-title", "Horario de atención")
    desktop.fill("#canned-body", "Atendemos de lunes a sábado de 8:00 a 18:00.")
    desktop.click("#canned-save")
    expect(desktop.locator("#canned-dialog .va-canned", has_text="/horario")).to_be_visible()
    save_screenshot(desktop, "inbox-desktop-canned")
    desktop.keyboard.press("Escape")
    expect(desktop.locator("#canned-dialog")).to_be_hidden()
    desktop.locator("#reply-input").press_sequentially("/hor", delay=60)
    expect(desktop.locator("#canned-suggestions .va-suggestion")).to_have_count(1)
    save_screenshot(desktop, "inbox-desktop-suggestions")
    desktop.locator("#canned-suggestions .va-suggestion").click()
    expect(desktop.locator("#reply-input")).to_have_value(
        "Atendemos de lunes a sábado de 8:00 a 18:00."
    )
    with portal_db(portal) as session:
        assert session.exec(
            select(CannedReply).where(col(CannedReply.shortcut) == "horario")
        ).first()


def test_a_prefix_search_highlights_and_opens_at_the_message(desktop: Page, portal: Portal) -> None:
    log_in(desktop, portal, SUPPORT, landing="/conversaciones")
    desktop.fill("#chat-search", "atropello simon")
    desktop.keyboard.press("Enter")
    found = desktop.locator(".va-conversation", has_text="atropellado")
    expect(found).to_have_count(1)
    expect(found.locator("mark")).to_have_text(["Simón", "atropellado"])
    found.click()
    focused = desktop.locator(".va-focused")
    expect(focused).to_contain_text(FOUND_TEXT)
    expect(focused).to_be_in_viewport()
    save_screenshot(desktop, "inbox-desktop-search")


def test_the_inbox_on_a_phone(phone: Page, portal: Portal) -> None:
    log_in(phone, portal, SUPPORT, landing="/conversaciones", shown="#phone-menu")
    expect(phone.locator(".va-conversation").first).to_be_visible()
    expect(phone.locator("#inbox-filters")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= 391")
    save_screenshot(phone, "inbox-phone-list")

    phone.locator(".va-conversation").first.click()
    expect(phone.locator("#thread")).to_be_visible()
    expect(phone.locator("#note-toggle")).to_be_visible()
    expect(phone.locator("#assign-trigger")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= 391")
    save_screenshot(phone, "inbox-phone-thread")
