"""Staff and hours in Settings, in the production build, at 1440 px and on a phone (390 px).

Invite a vet, set their password through the one-time link in a fresh browser, log in
as them, deactivate them; edit a doctor's week with time pickers; close the clinic for
a holiday and see the agenda closed that day. Screenshots: artifacts/screenshots/
staff-*.png and hours-*.png.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import select

from backend.models import ClinicClosure, DoctorSchedule, StaffUser
from tests.e2e.conftest import Portal, save_screenshot
from tests.e2e.portal_helpers import MANAGER, ZONE, at_page, log_in, portal_db

NEW_PASSWORD = "girasol tranvía cometa 42"


def _context(browser: Browser, portal: Portal, *, phone: bool = False) -> BrowserContext:
    size = {"width": 390, "height": 844} if phone else {"width": 1440, "height": 900}
    context = browser.new_context(
        base_url=portal.base_url,
        locale="es-CO",
        timezone_id="America/Bogota",
        viewport=size,
        **({"device_scale_factor": 2, "is_mobile": True, "has_touch": True} if phone else {}),
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def desktop(browser: Browser, portal: Portal) -> Iterator[Page]:
    context = _context(browser, portal)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser, portal: Portal) -> Iterator[Page]:
    context = _context(browser, portal, phone=True)
    yield context.new_page()
    context.close()


def _settings_tab(page: Page, portal: Portal, tab: str) -> None:
    page.goto(portal.url("/configuracion"))
    page.get_by_role("tab", name=tab).click()


def _log_in_as(page: Page, portal: Portal, email: str, password: str) -> None:
    page.goto(portal.url("/login"))
    page.fill("#login-email", email)
    page.fill("#login-password", password)
    page.click("#login-submit")


def _next_weekday(weekday: int) -> date:
    today = datetime.now(ZONE).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def test_invited_vet_sets_a_password_logs_in_and_is_deactivated(
    desktop: Page, browser: Browser, portal: Portal
) -> None:
    email = f"vet.{uuid.uuid4().hex[:6]}@demo.vetassist.co"
    log_in(desktop, portal, MANAGER)
    _settings_tab(desktop, portal, "Equipo")

    desktop.fill("#invite-name", "Dra. Lucía Prieto")
    desktop.fill("#invite-email", email)
    desktop.click("#invite-submit")

    expect(desktop.locator("#staff-link")).to_contain_text("/activar/")
    row = desktop.locator(f".va-staff-row[data-email='{email}']")
    expect(row).to_contain_text("Invitación pendiente")
    save_screenshot(desktop, "staff-01-invitacion")
    link = urlsplit(desktop.locator("#staff-link").inner_text().strip()).path

    vet_context = _context(browser, portal)
    vet = vet_context.new_page()
    try:
        vet.goto(portal.url(link))
        expect(vet.get_by_text("Dra. Lucía Prieto")).to_be_visible()
        save_screenshot(vet, "staff-02-crear-contrasena")
        vet.fill("#activate-password", NEW_PASSWORD)
        vet.fill("#activate-repeat", NEW_PASSWORD + "x")
        vet.click("#activate-submit")
        expect(vet.locator("#activate-error")).to_contain_text("no coinciden")
        vet.fill("#activate-repeat", NEW_PASSWORD)
        vet.click("#activate-submit")
        expect(vet.locator("#activate-done")).to_be_visible()
        save_screenshot(vet, "staff-03-contrasena-creada")

        _log_in_as(vet, portal, email, NEW_PASSWORD)
        vet.wait_for_url(at_page("/agenda"))
        expect(vet.locator("#logout")).to_be_visible()
        vet.goto(portal.url(link))  # the link works once
        expect(vet.locator("#activate-invalid")).to_be_visible()

        desktop.reload()
        desktop.get_by_role("tab", name="Equipo").click()
        row.locator(".va-staff-deactivate").click()
        expect(row).to_contain_text("Desactivado")
        save_screenshot(desktop, "staff-04-desactivada")

        vet.goto(portal.url("/agenda"))  # the open session ended with the deactivation
        vet.wait_for_url(at_page("/login"))
        _log_in_as(vet, portal, email, NEW_PASSWORD)
        expect(vet.locator("#login-error")).to_contain_text("incorrectos")
    finally:
        vet_context.close()
    with portal_db(portal) as session:
        emails = session.exec(select(StaffUser.email, StaffUser.is_active)).all()
    assert (email, False) in emails, emails


def test_doctor_week_is_edited_with_time_pickers(desktop: Page, portal: Portal) -> None:
    log_in(desktop, portal, MANAGER)
    _settings_tab(desktop, portal, "Médicos y horarios")
    card = (  # a demo doctor who does not work on Sundays (other tests add doctors)
        desktop.locator("form")
        .filter(has=desktop.locator("input[name=doctor_id]"))
        .filter(has_text="Dra. Ana Restrepo")
        .first
    )
    doctor_id = card.locator("input[name=doctor_id]").get_attribute("value")
    sunday = card.locator(".va-day[data-weekday='6']")

    sunday.locator(".va-period-add").click()
    expect(sunday.locator("input[type=time]")).to_have_count(2)
    sunday.locator(".va-time-start input").fill("09:00")
    sunday.locator(".va-time-end input").fill("13:00")
    sunday.locator(".va-period-add").click()
    sunday.locator(".va-time-start input").nth(1).fill("12:00")
    sunday.locator(".va-time-end input").nth(1).fill("14:00")
    card.get_by_role("button", name="Guardar horario").click()
    expect(
        desktop.get_by_text("Revisa los horarios del domingo: dos periodos se cruzan.")
    ).to_be_visible()
    save_screenshot(desktop, "hours-01-horario-con-cruce")

    sunday.locator(".va-period-remove").nth(1).click()
    expect(sunday.locator(".va-time-start input")).to_have_count(1)
    card.get_by_role("button", name="Guardar horario").click()
    expect(desktop.get_by_text("Horario del médico guardado.")).to_be_visible()
    save_screenshot(desktop, "hours-02-horario-guardado")

    with portal_db(portal) as session:
        schedule = session.exec(
            select(DoctorSchedule).where(DoctorSchedule.doctor_id == uuid.UUID(doctor_id))
        ).one()
    assert {"weekday": 6, "start": "09:00", "end": "13:00"} in schedule.periods


def test_holiday_closes_the_agenda_that_day(desktop: Page, portal: Portal) -> None:
    holiday = _next_weekday(2)  # next Wednesday
    log_in(desktop, portal, MANAGER)
    _settings_tab(desktop, portal, "Festivos y guardias")

    desktop.fill("#closure-first", holiday.isoformat())
    desktop.fill("#closure-reason", "Festivo nacional")
    desktop.click("#closure-submit")
    expect(desktop.locator(".va-closure-row")).to_contain_text("Festivo nacional")
    save_screenshot(desktop, "hours-03-festivos-y-guardias")

    desktop.goto(portal.url(f"/agenda?vista=dia&fecha={holiday.isoformat()}"))
    expect(desktop.get_by_text("Clínica cerrada").first).to_be_visible()
    save_screenshot(desktop, "hours-04-agenda-dia-festivo")
    with portal_db(portal) as session:
        assert session.exec(select(ClinicClosure)).first() is not None


def test_settings_for_staff_and_hours_fit_a_phone(phone: Page, portal: Portal) -> None:
    log_in(phone, portal, MANAGER, shown="#phone-menu")
    for tab, name in (
        ("Equipo", "staff-05-telefono"),
        ("Festivos y guardias", "hours-05-telefono-festivos"),
        ("Médicos y horarios", "hours-06-telefono-horarios"),
    ):
        _settings_tab(phone, portal, tab)
        phone.wait_for_timeout(500)
        save_screenshot(phone, name)
        assert phone.evaluate("document.documentElement.scrollWidth <= 391"), tab
