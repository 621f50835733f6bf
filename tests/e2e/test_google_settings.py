"""Settings → Google Calendar in a real browser, at desktop and phone width.

Screenshots go to artifacts/screenshots/google-settings-*.png.
"""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Portal, save_screenshot
from tests.e2e.portal_helpers import MANAGER, log_in


def test_the_google_tab_says_how_the_sync_is_doing(browser: Browser, portal: Portal) -> None:
    for name, options, shown in (
        ("escritorio", {"viewport": {"width": 1440, "height": 900}}, "#logout"),
        (
            "telefono",
            {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
            "#phone-menu",
        ),
    ):
        context = browser.new_context(
            base_url=portal.base_url, locale="es-CO", timezone_id="America/Bogota", **options
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, portal, MANAGER, shown=shown)
        page.goto(portal.url("/configuracion"))
        page.get_by_role("tab", name="Google Calendar").click()
        expect(page.locator("#google-status")).to_have_text("Sin conectar")
        expect(page.locator(".va-google-doctor")).not_to_have_count(0)
        expect(page.get_by_text("Ninguna: todo está al día.")).to_be_visible()
        if name == "telefono":  # a mobile browser widens to the widest content: compare to 390
            assert page.evaluate("document.documentElement.scrollWidth <= 391")
        save_screenshot(page, f"google-settings-{name}")
        context.close()
