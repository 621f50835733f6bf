"""The agenda on paper and in a spreadsheet, in a real browser: the print view of a doctor's
day (no sidebar, no banners) from the calendar, and the CSV download of what is on screen.

Screenshots go to artifacts/screenshots/print-*.png.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Portal, save_screenshot
from tests.e2e.portal_helpers import DOCTOR, MANAGER, ZONE, log_in, upcoming_appointment


@pytest.fixture
def desk(browser: Browser, portal: Portal) -> Iterator[Page]:
    context = browser.new_context(
        base_url=portal.base_url,
        locale="es-CO",
        timezone_id="America/Bogota",
        viewport={"width": 1440, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_the_doctors_day_prints_without_the_portal_around_it(desk: Page, portal: Portal) -> None:
    appointment = upcoming_appointment(portal, DOCTOR)
    day = appointment.start_at.astimezone(ZONE).date()
    log_in(desk, portal, DOCTOR)
    desk.goto(portal.url(f"/agenda?vista=dia&fecha={day.isoformat()}"))
    expect(desk.locator("#calendar-grid")).to_be_visible()

    with desk.context.expect_page() as opened:
        desk.click("#cal-print")
    sheet = opened.value
    sheet.wait_for_load_state()
    expect(sheet.locator(".va-print-sheet h1")).to_have_text("Dra. Ana Restrepo")
    expect(sheet.locator(".va-print-row").first).to_be_visible()
    start = appointment.start_at.astimezone(ZONE).strftime("%H:%M")
    expect(sheet.locator(".va-print-time", has_text=start).first).to_be_visible()
    expect(sheet.locator(".va-sidebar")).to_have_count(0)
    expect(sheet.locator("#emergency-banner")).to_have_count(0)
    save_screenshot(sheet, "print-01-dia-pantalla")
    sheet.emulate_media(media="print")
    expect(sheet.locator("#print-now")).to_be_hidden()  # the buttons stay off the paper
    save_screenshot(sheet, "print-02-dia-papel")


def test_the_week_on_screen_downloads_as_csv(desk: Page, portal: Portal) -> None:
    appointment = upcoming_appointment(portal, DOCTOR)
    day = appointment.start_at.astimezone(ZONE).date()
    log_in(desk, portal, MANAGER)
    desk.goto(portal.url(f"/agenda?vista=equipo&fecha={day.isoformat()}"))
    expect(desk.locator("#calendar-grid")).to_be_visible()

    with desk.expect_download() as waited:
        desk.click("#cal-export")
    download = waited.value
    assert download.suggested_filename == f"agenda-{day}-{day}.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert rows, "the team's day has appointments in the demo"
    assert all(row["Fecha"] == day.isoformat() for row in rows)
    start = appointment.start_at.astimezone(ZONE).strftime("%H:%M")
    assert any(r["Inicio"] == start and r["Veterinario"] == "Dra. Ana Restrepo" for r in rows)


def test_the_print_view_reads_on_a_phone(browser: Browser, portal: Portal) -> None:
    context = browser.new_context(
        base_url=portal.base_url,
        locale="es-CO",
        timezone_id="America/Bogota",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    phone = context.new_page()
    appointment = upcoming_appointment(portal, DOCTOR)
    day = appointment.start_at.astimezone(ZONE).date()
    log_in(phone, portal, DOCTOR, shown="#phone-menu")
    phone.goto(portal.url(f"/agenda/imprimir?doctor=todos&fecha={day.isoformat()}"))
    expect(phone.locator(".va-print-sheet").first).to_be_visible()
    assert phone.locator(".va-print-sheet").count() >= 2  # one per doctor
    assert phone.evaluate("document.documentElement.scrollWidth <= 391")
    save_screenshot(phone, "print-03-equipo-telefono")
    context.close()
