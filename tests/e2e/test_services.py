"""Services with durations in the browser, at desktop (1440 px) and phone (390 px) width:
adding a service in the settings, and booking a two-hour surgery from the calendar.

Screenshots go to artifacts/screenshots/services-*.png.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from backend.core.clock import utcnow
from backend.models import Appointment, Client, Service
from tests.e2e.conftest import Portal, save_screenshot
from tests.e2e.portal_helpers import MANAGER, demo_tenant, log_in, portal_db, staff

ZONE = ZoneInfo("America/Bogota")
SURGEON = "carlos.mejia@demo.vetassist.co"
WIDTHS = {"escritorio": 1440, "telefono": 390}


@pytest.fixture(params=list(WIDTHS))
def screen(request: pytest.FixtureRequest, browser: Browser, portal: Portal) -> Iterator[Page]:
    width = WIDTHS[request.param]
    phone = width < 600
    context = browser.new_context(
        base_url=portal.base_url,
        locale="es-CO",
        timezone_id="America/Bogota",
        viewport={"width": width, "height": 844 if phone else 900},
        is_mobile=phone,
        has_touch=phone,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.va_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


def _landing(page: Page) -> str:
    return "#phone-menu" if page.viewport_size and page.viewport_size["width"] < 600 else "#logout"


def test_manager_adds_a_service_in_settings(screen: Page, portal: Portal) -> None:
    name = f"Radiografía {uuid.uuid4().hex[:4]}"
    log_in(screen, portal, MANAGER, shown=_landing(screen))
    screen.goto(portal.url("/configuracion"))
    screen.get_by_role("tab", name="Servicios").click()
    expect(screen.locator('[data-service="Consulta general"]')).to_be_visible()

    form = screen.locator("#new-service-form")
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=duration_minutes]").fill("40")
    form.locator("input[name=buffer_minutes]").fill("10")
    form.locator("input[name=keywords]").fill("rayos x, radiografía")
    form.locator("#add-service").click()

    expect(screen.get_by_text("Servicio agregado.")).to_be_visible()
    card = screen.locator(f'[data-service="{name}"]')
    expect(card).to_be_visible()
    expect(card).to_contain_text("40 min · margen 10 min · Todos los médicos")
    save_screenshot(screen, f"services-settings-{screen.va_name}")  # type: ignore[attr-defined]
    with portal_db(portal) as session:
        stored = session.exec(select(Service).where(Service.name == name)).one()
    assert (stored.duration_minutes, stored.buffer_minutes) == (40, 10)


def test_booking_a_surgery_from_the_calendar_spans_two_hours(screen: Page, portal: Portal) -> None:
    with portal_db(portal) as session:
        surgeon = staff(session, SURGEON)
        tenant = demo_tenant(session)
        surgery = session.exec(
            select(Service).where(Service.tenant_id == tenant.id, Service.name == "Cirugía")
        ).one()
    day = utcnow().astimezone(ZONE).date() + timedelta(days=12)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    if screen.va_name == "telefono":  # type: ignore[attr-defined]
        day += timedelta(days=1)  # its own, empty day
        while day.weekday() >= 5:
            day += timedelta(days=1)
    phone = f"+5730055{uuid.uuid4().int % 100000:05d}"
    log_in(screen, portal, SURGEON, shown=_landing(screen))
    screen.goto(portal.url(f"/agenda?vista=dia&fecha={day.isoformat()}&doctor={surgeon.id}"))
    free = screen.locator(f'.va-free[data-doctor="{surgeon.id}"]').first
    expect(free).to_be_visible()
    cell_height = free.bounding_box()["height"]  # type: ignore[index]
    free.click()

    screen.fill("#new-phone", phone[3:])
    screen.fill("#new-client-name", "Paula Cirugía")
    screen.fill("#new-pet", "Rocky")
    screen.locator("#new-service").click()
    screen.get_by_role("option", name="Cirugía (2 h)").click()
    screen.fill("#new-reason", "castración")
    save_screenshot(screen, f"services-booking-{screen.va_name}")  # type: ignore[attr-defined]
    screen.click("#new-submit")
    expect(screen.get_by_text("Cita creada.")).to_be_visible()

    with portal_db(portal) as session:
        booked = session.exec(
            select(Appointment)
            .join(Client, Client.id == Appointment.client_id)  # type: ignore[arg-type]
            .where(Client.phone == phone)
        ).one()
    assert booked.service_id == surgery.id
    assert booked.end_at - booked.start_at == timedelta(hours=2)
    block = screen.locator(f'[data-appointment-id="{booked.id}"]')
    expect(block).to_be_visible()
    expect(block).to_contain_text("Cirugía")
    height = block.bounding_box()["height"]  # type: ignore[index]
    # the demo doctors' grid is 30 minutes: two hours are four cells tall
    assert height == pytest.approx(4 * cell_height, rel=0.1)
    save_screenshot(screen, f"services-calendar-{screen.va_name}")  # type: ignore[attr-defined]
