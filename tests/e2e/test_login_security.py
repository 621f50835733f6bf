"""Staff login in Chromium: throttle message, the session cookie, origins (ASVS V2.2, V3.4, V14.5)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Portal, save_screenshot
from tests.e2e.portal_helpers import SUPPORT, log_in

OPEN_SOCKET = """(url) => new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.onopen = () => { socket.close(); resolve("open"); };
    socket.onerror = () => resolve("refused");
    setTimeout(() => resolve("no answer"), 5000);
})"""


def _try_password(page: Page, email: str, password: str) -> None:
    page.fill("#login-email", email)
    page.fill("#login-password", password)
    with page.expect_navigation():
        page.click("#login-submit")


def test_login_is_throttled_with_a_spanish_message(page: Page, portal: Portal) -> None:
    # given: five wrong passwords (an address nobody has: the throttle does not tell)
    email = "intruso@demo.vetassist.co"
    page.goto(portal.url("/login"))
    for attempt in range(5):
        _try_password(page, email, f"adivina-{attempt}")
        expect(page.locator("#login-error")).to_have_text("Correo o contraseña incorrectos.")

    # when
    _try_password(page, email, "otra-vez")

    # then
    expect(page.locator("#login-error")).to_have_text("Demasiados intentos. Espera 15 minutos.")
    save_screenshot(page, "login-throttled")


def test_session_cookie_is_httponly_and_kept_out_of_reflex_state(
    page: Page, portal: Portal
) -> None:
    # when
    log_in(page, portal, SUPPORT, landing="/conversaciones")

    # then: the server set it HttpOnly and SameSite=Strict; page scripts cannot read it
    session = next(c for c in page.context.cookies() if c["name"] == "va_session")
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Strict"
    assert session["secure"] is False  # plain http here; Secure with an https PUBLIC_BASE_URL
    assert "va_session" not in page.evaluate("document.cookie")

    # and Reflex's saved state holds the token's digest at most, never the token
    states = Path(portal.database_url.removeprefix("sqlite:///")).parent / "states"
    digest = hashlib.sha256(session["value"].encode()).hexdigest().encode()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(digest in f.read_bytes() for f in _files(states)):
        time.sleep(0.5)
    saved = b"".join(f.read_bytes() for f in _files(states))
    assert digest in saved, "Reflex wrote no state for the logged-in tab"
    assert session["value"].encode() not in saved


def _files(folder: Path) -> list[Path]:
    return [f for f in folder.rglob("*") if f.is_file()]


def test_event_socket_refuses_a_foreign_origin(page: Page, portal: Portal) -> None:
    socket_url = portal.base_url.replace("http", "ws", 1) + "/_event/?EIO=4&transport=websocket"

    # when: a page of another site opens the portal's event socket
    page.route(
        "http://evil.test/**",
        lambda route: route.fulfill(
            body="<html><body>evil</body></html>", content_type="text/html"
        ),
    )
    page.goto("http://evil.test/")
    foreign = page.evaluate(OPEN_SOCKET, socket_url)

    # then it is refused, while the portal's own page opens it
    page.goto(portal.url("/login"))
    own = page.evaluate(OPEN_SOCKET, socket_url)
    assert (foreign, own) == ("refused", "open")


def test_cors_with_credentials_answers_only_the_portals_origin(portal: Portal) -> None:
    def preflight(origin: str) -> httpx.Response:
        return httpx.options(
            portal.api("/api/v1/appointments"),
            headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
        )

    foreign, own = preflight("https://evil.example"), preflight(portal.base_url)

    assert foreign.status_code == 400
    assert "access-control-allow-origin" not in foreign.headers
    assert own.headers["access-control-allow-origin"] == portal.base_url
    assert own.headers["access-control-allow-credentials"] == "true"
