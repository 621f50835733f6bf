"""Patient history and no-shows in the browser, at desktop (1440 px) and phone (390 px)
width: a pet's page from an appointment, editing a pet and its vaccines, creating and
merging clients, and "No asistió" only from the start time on, confirmed, then undone.

Screenshots go to artifacts/screenshots/patients-*.png and noshow-*.png.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, select

from backend.models import Appointment, Client
from tests.e2e.conftest import _REPORTS, Portal, save_screenshot
from tests.e2e.portal_helpers import (
    DOCTOR,
    MANAGER,
    at_page,
    demo_tenant,
    log_in,
    portal_db,
    staff,
)
from tests.factories import make_doctor, weekday_periods

SIZES = {
    "escritorio": {"viewport": {"width": 1440, "height": 900}},
    "telefono": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


@pytest.fixture(params=list(SIZES))
def screen(request: pytest.FixtureRequest, browser: Browser, portal: Portal) -> Iterator[Page]:
    context = browser.new_context(
        base_url=portal.base_url,
        locale="es-CO",
        timezone_id="America/Bogota",
        **SIZES[request.param],
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.size_name = request.param  # type: ignore[attr-defined]
    yield page
    call_report = request.node.stash.get(_REPORTS, {}).get("call")
    if call_report is not None and call_report.failed:
        with contextlib.suppress(Exception):
            save_screenshot(page, f"failed-{request.node.name}")
    context.close()


def enter(page: Page, portal: Portal, email: str) -> None:
    phone = page.size_name == "telefono"  # type: ignore[attr-defined]
    log_in(page, portal, email, shown="#phone-menu" if phone else "#logout")


def fits_the_screen(page: Page) -> bool:
    width = page.viewport_size["width"] if page.viewport_size else 0
    return bool(page.evaluate(f"document.documentElement.scrollWidth <= {width} + 1"))


def shot(page: Page, name: str) -> None:
    save_screenshot(page, f"{name}-{page.size_name}")  # type: ignore[attr-defined]


def appointment_with_pet(portal: Portal) -> Appointment:
    with portal_db(portal) as session:
        doctor = staff(session, DOCTOR)
        return session.exec(
            select(Appointment)
            .where(Appointment.doctor_id == doctor.id, col(Appointment.pet_id).is_not(None))
            .order_by(col(Appointment.start_at).desc())
        ).first()


def test_pet_page_opens_from_an_appointment_and_edits_the_pet(screen: Page, portal: Portal) -> None:
    appointment = appointment_with_pet(portal)
    enter(screen, portal, DOCTOR)
    screen.goto(portal.url(f"/citas/{appointment.id}"))

    screen.click("#appointment-pet-link")
    screen.wait_for_url(at_page(f"/mascotas/{appointment.pet_id}"))
    expect(screen.locator("#pet-name")).not_to_be_empty()
    expect(screen.locator(".va-visit").first).to_be_visible()
    assert fits_the_screen(screen)
    shot(screen, "patients-01-mascota")

    screen.click("#pet-edit")
    screen.fill("#pet-form-weight", "12,5")
    screen.fill("#pet-form-birth", "2023-03-15")
    screen.click("#pet-form-save")
    expect(screen.locator("#pet-weight")).to_have_text("12,5 kg")
    expect(screen.locator("#pet-age")).to_contain_text("año")

    vaccine_name = f"Rabia {uuid.uuid4().hex[:4]}"  # both sizes edit the same pet
    screen.click("#vaccine-add")
    screen.fill("#vaccine-name", vaccine_name)
    screen.fill("#vaccine-given", "2026-01-10")
    screen.fill("#vaccine-due", "2027-01-10")
    screen.click("#vaccine-save")
    vaccine = screen.locator(".va-vaccine", has_text=vaccine_name)
    expect(vaccine).to_be_visible()
    expect(vaccine.locator(".va-vaccine-due")).to_contain_text("10 ene 2027")
    assert fits_the_screen(screen)
    shot(screen, "patients-02-mascota-editada")


def test_client_is_created_without_appointment_then_merged_with_its_duplicate(
    screen: Page, portal: Portal
) -> None:
    tag = 1000 + uuid.uuid4().int % 9000  # four digits: no name holds another's tag
    first, second = f"310 555 {tag:04d}", f"311 555 {tag:04d}"
    name = f"Pedro Duplicado {tag}"
    enter(screen, portal, MANAGER)
    screen.goto(portal.url("/clientes"))

    for phone, who in ((second, f"{name} (otro número)"), (first, name)):
        screen.click("#client-new")
        screen.fill("#client-form-phone", phone)
        screen.fill("#client-form-name", who)
        screen.click("#client-form-save")
        expect(screen.locator("#client-dialog")).to_be_hidden()
        expect(screen.get_by_role("heading", name=who)).to_be_visible()

    # the same number again is refused politely, in the dialog
    screen.click("#client-new")
    screen.fill("#client-form-phone", first)
    screen.click("#client-form-save")
    expect(screen.locator("#client-dialog-error")).to_contain_text("ya pertenece a otro cliente")
    shot(screen, "patients-03-telefono-repetido")
    screen.keyboard.press("Escape")

    screen.click("#client-merge")
    screen.fill("#merge-query", "Duplicado " + str(tag))
    screen.keyboard.press("Enter")
    screen.locator(".va-duplicate", has_text="otro número").click()
    shot(screen, "patients-04-fusionar")
    screen.click("#merge-confirm")
    expect(screen.locator("#client-dialog")).to_be_hidden()
    expect(screen.locator("#client-other-phones")).to_contain_text(f"311 555 {tag:04d}")
    assert fits_the_screen(screen)
    shot(screen, "patients-05-fusionado")
    with portal_db(portal) as session:
        left = session.exec(
            select(Client).where(col(Client.name).in_([name, f"{name} (otro número)"]))
        ).all()
    assert [c.name for c in left] == [name]


def started_and_future_appointments(portal: Portal) -> tuple[Appointment, Appointment]:
    """A doctor of the demo clinic with one appointment that began 20 minutes ago and one
    tomorrow (written directly: booking refuses a start in the past)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with portal_db(portal, write=True) as session:
        tenant = demo_tenant(session)
        doctor = make_doctor(
            session,
            tenant,
            name=f"Dr. Puntual {uuid.uuid4().hex[:4]}",
            email=f"puntual{uuid.uuid4().hex[:6]}@demo.vetassist.co",
            periods=weekday_periods("00:00", "23:59", range(0, 7)),
        )
        client = session.exec(select(Client).where(Client.tenant_id == tenant.id)).first()
        made = []
        for start in (now - timedelta(minutes=20), now + timedelta(days=1)):
            appointment = Appointment(
                tenant_id=tenant.id,
                doctor_id=doctor.id,
                client_id=client.id,
                start_at=start,
                end_at=start + timedelta(minutes=30),
                blocked_end=start + timedelta(minutes=30),
                reason="Control",
                status="confirmed",
                source="portal",
            )
            session.add(appointment)
            made.append(appointment)
        session.flush()
        return made[0], made[1]


def test_no_show_only_from_the_start_with_confirmation_then_undo(
    screen: Page, portal: Portal
) -> None:
    started, future = started_and_future_appointments(portal)
    enter(screen, portal, MANAGER)

    screen.goto(portal.url(f"/citas/{future.id}"))
    expect(screen.locator("#action-notes")).to_be_visible()
    expect(screen.locator("#action-no-show")).to_have_count(0)
    expect(screen.locator("#action-complete")).to_have_count(0)

    screen.goto(portal.url(f"/citas/{started.id}"))
    screen.click("#action-no-show")
    expect(screen.locator("#confirm-no-show-dialog")).to_be_visible()
    shot(screen, "noshow-01-confirmar")
    screen.click("#confirm-no-show")
    expect(screen.locator("#appointment-status")).to_have_text("No asistió")
    expect(screen.locator("#appointment-no-shows")).to_contain_text("inasistencia")
    expect(screen.locator("#action-undo")).to_be_visible()
    assert fits_the_screen(screen)
    shot(screen, "noshow-02-marcada")

    screen.click("#action-undo")
    expect(screen.locator("#appointment-status")).to_have_text("Confirmada")
    expect(screen.locator("#action-undo")).to_have_count(0)
    expect(screen.locator("#action-no-show")).to_be_visible()
    shot(screen, "noshow-03-deshecha")
