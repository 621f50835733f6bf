"""Google Calendar sync in the production build: the failed badge, and "Reintentar
sincronización" writing the appointment to the (fake) Google Calendar from the portal.

This file starts a portal of its own, whose environment turns calendar sync on
against a fake Google served by this test process. Screenshots go to
artifacts/screenshots/calendar-sync-*.png.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, Page, expect

from backend.core import db as core_db
from backend.core.config import settings
from backend.demo import DEMO_SLUG
from backend.integrations.google_calendar.fake_server import DEFAULT_REFRESH_TOKEN, FakeGoogle
from backend.models import Appointment
from backend.services.calendar_sync import connections
from tests.e2e.conftest import Portal, _free_port, running_portal, save_screenshot
from tests.e2e.portal_helpers import (
    DOCTOR,
    MANAGER,
    ZONE,
    get_appointment,
    log_in,
    portal_db,
    upcoming_appointment,
)
from tests.workers.conftest import wait_for

CALENDAR = "ana@example.com"
ERROR = "Google respondió 400 (badRequest): Bad Request"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGoogle]:
    server = FakeGoogle().serve()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def sync_portal(fake: FakeGoogle) -> Iterator[Portal]:
    """A portal with calendar sync on, the demo clinic connected, Ana's calendar chosen."""
    env = {
        "SECRETS_KEY": Fernet.generate_key().decode(),
        "GOOGLE_CLIENT_ID": "client-id",
        "GOOGLE_CLIENT_SECRET": "client-secret",
        "GOOGLE_API_BASE_URL": fake.base_url,
        "GOOGLE_TOKEN_URI": fake.token_uri,
    }
    saved_env = {name: os.environ.get(name) for name in env}
    saved_settings = {name: getattr(settings, name) for name in env}
    os.environ.update(env)
    for name, value in env.items():
        setattr(settings, name, value)

    def prepare(database_url: str) -> None:
        engine = core_db.make_engine(database_url)
        core_db.set_engine(engine)
        try:
            connections.connect(slug=DEMO_SLUG, refresh_token=DEFAULT_REFRESH_TOKEN)
            connections.set_doctor_calendar(
                slug=DEMO_SLUG, doctor_email=DOCTOR, calendar_id=CALENDAR
            )
        finally:
            core_db.set_engine(None)
            engine.dispose()

    try:
        # a port of its own: other sessions' portals take 3100
        with running_portal(prepare=prepare, port=_free_port()) as portal:
            yield portal
    finally:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for name, value in saved_settings.items():
            setattr(settings, name, value)


@pytest.fixture
def sync_page(browser: Browser, sync_portal: Portal) -> Iterator[Page]:
    context = browser.new_context(
        base_url=sync_portal.base_url,
        locale="es-CO",
        timezone_id="America/Bogota",
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def _mark_failed(portal: Portal, appointment_id: uuid.UUID) -> None:
    with portal_db(portal, write=True) as session:
        appointment = session.get(Appointment, appointment_id)
        appointment.calendar_sync_ok = False
        appointment.calendar_sync_error = ERROR
        appointment.calendar_event_id = appointment_id.hex
        appointment.calendar_synced_version = None
        session.add(appointment)


def test_failed_sync_shows_the_badge_and_retry_writes_the_event(
    sync_page: Page, sync_portal: Portal, fake: FakeGoogle
) -> None:
    # given: one of Ana's appointments, written to her calendar when the portal started
    # (the demo's booking events were relayed then), whose later sync failed
    appointment = upcoming_appointment(sync_portal, DOCTOR)
    wait_for(
        lambda: get_appointment(sync_portal, appointment.id).calendar_sync_ok,
        timeout=60,
        what="the demo appointment synced at start-up",
    )
    assert appointment.id.hex in {e["id"] for e in fake.events(CALENDAR)}
    fake.reset()  # Google lost it; the retry must write it again
    _mark_failed(sync_portal, appointment.id)
    day = appointment.start_at.astimezone(ZONE).date()
    log_in(sync_page, sync_portal, DOCTOR)
    # then: the calendar shows the red badge with the error
    sync_page.goto(
        sync_portal.url(f"/agenda?vista=dia&fecha={day.isoformat()}&doctor={appointment.doctor_id}")
    )
    badge = sync_page.locator('[data-testid="sync-failed"]').first
    expect(badge).to_be_visible()
    save_screenshot(sync_page, "calendar-sync-failed-badge")
    # when: the doctor retries from the appointment's page
    sync_page.goto(sync_portal.url(f"/citas/{appointment.id}"))
    expect(sync_page.locator("#sync-error")).to_contain_text("Google respondió 400")
    save_screenshot(sync_page, "calendar-sync-failed-panel")
    sync_page.click("#action-retry-sync")
    # then: the event is on the (fake) Google Calendar and the panel says so
    expect(sync_page.get_by_text("Sincronizada con Google Calendar")).to_be_visible()
    save_screenshot(sync_page, "calendar-sync-retried")
    events = {e["id"]: e for e in fake.events(CALENDAR)}
    assert appointment.id.hex in events
    start = datetime.fromisoformat(events[appointment.id.hex]["start"]["dateTime"])
    assert start == appointment.start_at


REVIEW_REASON = "Movida en Google Calendar a otra hora, pero ese horario ya está ocupado"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _mark_for_review(portal: Portal, appointment_id: uuid.UUID) -> None:
    with portal_db(portal, write=True) as session:
        appointment = session.get(Appointment, appointment_id)
        appointment.calendar_review_reason = REVIEW_REASON
        appointment.calendar_review_at = datetime.now(ZONE)
        appointment.calendar_review_start = appointment.start_at + timedelta(hours=2)
        appointment.calendar_review_end = appointment.end_at + timedelta(hours=2)
        session.add(appointment)


def test_review_box_shows_the_reason_and_keeping_ours_rewrites_google(
    browser: Browser, sync_portal: Portal, fake: FakeGoogle
) -> None:
    # given: one of Ana's appointments, synced, then moved in Google onto a taken time
    appointment = upcoming_appointment(sync_portal, DOCTOR)
    wait_for(
        lambda: get_appointment(sync_portal, appointment.id).calendar_sync_ok,
        timeout=60,
        what="the demo appointment synced",
    )
    _mark_for_review(sync_portal, appointment.id)
    day = appointment.start_at.astimezone(ZONE).date()
    pages = {}
    for name, options, shown in (
        ("escritorio", {"viewport": {"width": 1440, "height": 900}}, "#logout"),
        ("telefono", PHONE, "#phone-menu"),
    ):
        context = browser.new_context(
            base_url=sync_portal.base_url, locale="es-CO", timezone_id="America/Bogota", **options
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        log_in(page, sync_portal, DOCTOR, shown=shown)
        # then: the panel shows the amber box with the reason, Google's time and both choices
        page.goto(sync_portal.url(f"/citas/{appointment.id}"))
        expect(page.locator("#review-reason")).to_have_text(REVIEW_REASON)
        expect(page.locator("#action-use-google-time")).to_be_visible()
        expect(page.locator("#action-keep-vetassist-time")).to_be_visible()
        if name == "telefono":  # a mobile browser widens to the widest content: compare to 390
            assert page.evaluate("document.documentElement.scrollWidth <= 391")
            # the history stacks under the appointment, which keeps the phone's width
            review = page.locator("#calendar-review").bounding_box()
            history = page.get_by_text("Historial", exact=True).bounding_box()
            assert review is not None and history is not None
            assert review["width"] > 390 * 0.7
            assert history["y"] > review["y"] + review["height"]
        save_screenshot(page, f"calendar-review-panel-{name}")
        pages[name] = (context, page)
    # and the calendar block's badge is the amber review one
    _, desktop = pages["escritorio"]
    desktop.goto(
        sync_portal.url(f"/agenda?vista=dia&fecha={day.isoformat()}&doctor={appointment.doctor_id}")
    )
    expect(desktop.locator('[data-testid="sync-review"]').first).to_be_visible()
    save_screenshot(desktop, "calendar-review-badge")
    # when: the doctor keeps VetAssist's time
    desktop.goto(sync_portal.url(f"/citas/{appointment.id}"))
    desktop.click("#action-keep-vetassist-time")
    # then: the box goes and Google shows our time again
    expect(desktop.get_by_text("Sincronizada con Google Calendar")).to_be_visible()
    expect(desktop.locator("#calendar-review")).to_have_count(0)
    events = {e["id"]: e for e in fake.events(CALENDAR)}
    start = datetime.fromisoformat(events[appointment.id.hex]["start"]["dateTime"])
    assert start == appointment.start_at
    for context, _ in pages.values():
        context.close()


def test_settings_lists_appointments_to_review(browser: Browser, sync_portal: Portal) -> None:
    appointment = upcoming_appointment(sync_portal, DOCTOR)
    _mark_for_review(sync_portal, appointment.id)
    context = browser.new_context(
        base_url=sync_portal.base_url, locale="es-CO", timezone_id="America/Bogota", **PHONE
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, sync_portal, MANAGER, shown="#phone-menu")
    page.goto(sync_portal.url("/configuracion"))
    page.get_by_role("tab", name="Google Calendar").click()
    expect(page.locator(".va-google-review")).to_have_count(1)
    expect(page.locator(".va-google-review")).to_contain_text(REVIEW_REASON)
    assert page.evaluate("document.documentElement.scrollWidth <= 391")
    save_screenshot(page, "calendar-review-settings-telefono")
    context.close()
