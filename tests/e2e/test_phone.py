"""The portal on a phone (390 px wide, as an iPhone 12–15): navigation, the day's agenda,
the emergency board and the inbox, each usable without zooming or scrolling sideways.

Screenshots go to artifacts/screenshots/phone-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Portal, save_screenshot
from tests.e2e.portal_helpers import DOCTOR, MANAGER, SUPPORT, at_page, log_in, say

WIDTH = 390


@pytest.fixture
def phone(browser: Browser, portal: Portal) -> Iterator[Page]:
    context = browser.new_context(
        base_url=portal.base_url,
        locale="es-CO",
        timezone_id="America/Bogota",
        viewport={"width": WIDTH, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def log_in_on_phone(page: Page, portal: Portal, email: str, landing: str) -> None:
    log_in(page, portal, email, landing=landing, shown="#phone-menu")


def fits_the_screen(page: Page) -> bool:
    """Nothing pushes the page wider than the phone (no sideways scrolling of the page, no
    zooming out: a mobile browser widens its layout to the widest content)."""
    return bool(page.evaluate(f"document.documentElement.scrollWidth <= {WIDTH} + 1"))


def within_screen(page: Page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH


def test_phone_menu_replaces_the_sidebar_and_reaches_every_section(
    phone: Page, portal: Portal
) -> None:
    log_in_on_phone(phone, portal, MANAGER, "/agenda")

    expect(phone.locator(".va-sidebar")).to_be_hidden()
    assert fits_the_screen(phone)
    save_screenshot(phone, "phone-01-agenda-equipo")

    phone.click("#phone-menu")
    save_screenshot(phone, "phone-02-menu")
    phone.click("#menu-clientes")
    phone.wait_for_url(at_page("/clientes"))
    expect(phone.locator("input[name=query]")).to_be_visible()
    assert within_screen(phone, "input[name=query]")
    assert fits_the_screen(phone)
    save_screenshot(phone, "phone-03-clientes")

    phone.click("#phone-menu")
    phone.click("#phone-logout")
    phone.wait_for_url(at_page("/login"))


def test_phone_agenda_opens_on_one_day_a_doctor_can_read(phone: Page, portal: Portal) -> None:
    log_in_on_phone(phone, portal, DOCTOR, "/agenda")

    # a doctor's calendar opens on today, one column as wide as the screen
    expect(phone.locator("[data-column]")).to_have_count(1)
    column = phone.locator("[data-column]").first.bounding_box()
    assert column is not None and column["width"] > WIDTH * 0.7
    assert fits_the_screen(phone)
    for control in ("#cal-prev", "#cal-next", "#cal-print", "#cal-export"):  # none cut off
        assert within_screen(phone, control), control
    save_screenshot(phone, "phone-04-agenda-dia")

    # the week is still there, scrolling sideways inside the calendar, not the page
    phone.goto(portal.url("/agenda?vista=semana"))
    expect(phone.locator("[data-column]")).to_have_count(7)
    widths = [
        box["width"]
        for box in (c.bounding_box() for c in phone.locator("[data-column]").all())
        if box
    ]
    assert min(widths) >= 110
    assert fits_the_screen(phone)


def test_phone_emergency_card_shows_its_action(phone: Page, portal: Portal) -> None:
    log_in_on_phone(phone, portal, SUPPORT, "/conversaciones")
    phone.goto(portal.url("/sandbox"))
    say(phone, "Mi perra Luna se cayó del balcón y no se puede levantar")
    say(phone, "Sí")

    phone.goto(portal.url("/emergencias"))
    card = phone.locator('.va-emergency[data-status="active"]', has_text="balcón").first
    expect(card).to_be_visible()
    button = card.locator(".va-ack")
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= WIDTH
    assert fits_the_screen(phone)
    save_screenshot(phone, "phone-05-emergencias")
    button.click()
    expect(
        phone.locator('.va-emergency[data-status="acknowledged"]', has_text="balcón").first
    ).to_be_visible()


def test_phone_inbox_shows_the_list_then_the_chat_on_the_whole_screen(
    phone: Page, portal: Portal
) -> None:
    log_in_on_phone(phone, portal, SUPPORT, "/conversaciones")
    expect(phone.locator(".va-conversation").first).to_be_visible()
    expect(phone.locator(".va-chat-thread")).to_be_hidden()
    assert fits_the_screen(phone)
    save_screenshot(phone, "phone-06-conversaciones")

    phone.locator(".va-conversation").first.click()
    expect(phone.locator("#thread")).to_be_visible()
    expect(phone.locator(".va-chat-list")).to_be_hidden()
    thread = phone.locator(".va-chat-thread").bounding_box()
    assert thread is not None and thread["width"] > WIDTH * 0.85
    assert within_screen(phone, "#reply-input")
    save_screenshot(phone, "phone-07-chat")

    phone.click("#thread-back")
    expect(phone.locator(".va-chat-list")).to_be_visible()


@pytest.mark.parametrize(
    "path",
    ["/seguimientos", "/clientes", "/analitica", "/sandbox", "/configuracion", "/emergencias"],
)
def test_phone_every_page_fits_the_screen(phone: Page, portal: Portal, path: str) -> None:
    log_in_on_phone(phone, portal, MANAGER, "/agenda")
    phone.goto(portal.url(path))
    expect(phone.locator("#phone-menu")).to_be_visible()
    phone.wait_for_load_state("networkidle")
    save_screenshot(phone, "phone-page" + path.replace("/", "-"))
    assert fits_the_screen(phone), phone.evaluate(
        "[...document.querySelectorAll('body *')]"
        f".filter(e => e.getBoundingClientRect().right > {WIDTH} + 1)"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)"
    )
