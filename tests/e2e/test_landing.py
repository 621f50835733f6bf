"""Smoke test: the portal's landing page renders in a real browser, in Spanish."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Portal, save_screenshot


def test_open_landing_shows_spanish_login_and_connects_events(page: Page, portal: Portal) -> None:
    # when
    with page.expect_websocket(lambda ws: "/_event" in ws.url) as event_socket:
        page.goto(portal.url("/"))

    # then
    assert not event_socket.value.is_closed()
    expect(page.get_by_role("heading", name="VetAssist")).to_be_visible()
    expect(page.get_by_text("Iniciar sesión").first).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "es"
    assert save_screenshot(page, "landing").stat().st_size > 0


def test_get_healthz_answers_on_portal_backend(portal: Portal) -> None:
    # when
    response = httpx.get(portal.api("/healthz"))

    # then
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
