"""Settings → Google Calendar in a real browser, at desktop and phone width: the read-only
view without a Google client, and connecting through the (fake) consent page, choosing a
doctor's calendar and disconnecting on a portal that has one.

Screenshots go to artifacts/screenshots/google-settings-*.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, expect
from sqlmodel import select

from backend.core.config import settings
from backend.integrations.google_calendar.fake_server import FakeGoogle
from backend.models import DoctorCalendar, GoogleConnection
from tests.e2e.conftest import Portal, _free_port, running_portal, save_screenshot
from tests.e2e.portal_helpers import DOCTOR, MANAGER, at_page, log_in, portal_db, staff

CONSULTAS = "c_consultas@group.calendar.google.com"
VIEWPORTS = (
    ("escritorio", {"viewport": {"width": 1440, "height": 900}}, "#logout"),
    (
        "telefono",
        {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
        "#phone-menu",
    ),
)


def test_the_google_tab_says_how_the_sync_is_doing(browser: Browser, portal: Portal) -> None:
    for name, options, shown in VIEWPORTS:
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
        expect(page.locator("#google-connect")).to_have_count(0)  # no Google client here
        if name == "telefono":  # a mobile browser widens to the widest content: compare to 390
            assert page.evaluate("document.documentElement.scrollWidth <= 391")
        save_screenshot(page, f"google-settings-{name}")
        context.close()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGoogle]:
    server = FakeGoogle().serve()
    server.client_id = "client-id"
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def google_portal(fake: FakeGoogle) -> Iterator[Portal]:
    """A portal with a Google client: the fake's consent page, token, API and revoke.

    The consent page is named `localhost` while the portal is `127.0.0.1`, so coming
    back from it is a cross-site navigation, as from accounts.google.com.
    """
    consent_host = fake.base_url.replace("127.0.0.1", "localhost")
    env = {
        "SECRETS_KEY": Fernet.generate_key().decode(),
        "GOOGLE_CLIENT_ID": "client-id",
        "GOOGLE_CLIENT_SECRET": "client-secret",
        "GOOGLE_API_BASE_URL": fake.base_url,
        "GOOGLE_TOKEN_URI": fake.token_uri,
        "GOOGLE_AUTH_URI": consent_host + "/o/oauth2/auth",
        "GOOGLE_REVOKE_URI": fake.revoke_uri,
    }
    saved_env = {name: os.environ.get(name) for name in env}
    saved_settings = {name: getattr(settings, name) for name in env}
    os.environ.update(env)
    for name, value in env.items():
        setattr(settings, name, value)
    try:
        with running_portal(port=_free_port()) as portal:
            yield portal
    finally:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for name, value in saved_settings.items():
            setattr(settings, name, value)


def _connection_status(portal: Portal) -> str | None:
    with portal_db(portal) as session:
        connection = session.exec(select(GoogleConnection)).first()
        return connection.status if connection else None


def _calendar_of(portal: Portal, email: str) -> str | None:
    with portal_db(portal) as session:
        doctor = staff(session, email)
        row = session.exec(
            select(DoctorCalendar).where(DoctorCalendar.doctor_id == doctor.id)
        ).first()
        return row.calendar_id if row else None


def test_manager_connects_google_picks_a_calendar_and_disconnects(
    browser: Browser, google_portal: Portal, fake: FakeGoogle
) -> None:
    portal = google_portal
    for name, options, shown in VIEWPORTS:
        context = browser.new_context(
            base_url=portal.base_url, locale="es-CO", timezone_id="America/Bogota", **options
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        log_in(page, portal, MANAGER, shown=shown)
        # given: the Google tab, opened by its link
        page.goto(portal.url("/configuracion/?tab=google"))
        expect(page.locator("#google-status")).to_have_text(
            "Sin conectar" if name == "escritorio" else "Desconectado"
        )
        # when: Conectar con Google, consented on the (fake) Google page
        page.locator("#google-connect").click()
        # then: back on Settings → Google, connected
        page.wait_for_url(at_page("/configuracion"))
        expect(page.locator("#google-outcome")).to_contain_text("quedó conectado")
        expect(page.locator("#google-status")).to_have_text("Conectado")
        assert "google=conectado" in page.url
        assert _connection_status(portal) == "connected"
        # when: Ana's calendar is "Consultas"
        picker = page.locator(".va-google-calendar-picker").filter(has_text="Ana Restrepo")
        picker.get_by_role("combobox").click()
        page.get_by_role("option", name="Consultas").click()
        picker.get_by_role("button", name="Guardar").click()
        # then
        expect(page.get_by_text("Calendario guardado")).to_be_visible()
        assert _calendar_of(portal, DOCTOR) == CONSULTAS
        if name == "telefono":
            assert page.evaluate("document.documentElement.scrollWidth <= 391")
        save_screenshot(page, f"google-settings-conectado-{name}")
        # when: Desconectar, confirmed
        revoked_before = len(fake.revoked)
        page.locator("#google-disconnect").click()
        expect(page.get_by_text("¿Desconectar Google Calendar?")).to_be_visible()
        save_screenshot(page, f"google-settings-desconectar-{name}")
        page.locator("#google-disconnect-confirm").click()
        # then
        expect(page.locator("#google-status")).to_have_text("Desconectado")
        expect(page.locator("#google-connect")).to_be_visible()
        assert _connection_status(portal) == "disconnected"
        assert len(fake.revoked) == revoked_before + 1
        assert _calendar_of(portal, DOCTOR) == CONSULTAS  # the choice is kept
        context.close()
