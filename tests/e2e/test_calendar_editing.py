"""Calendar editing in the production build: drag a block to another time and confirm
(with and without the client's WhatsApp notice), keyboard shortcuts that change the view
and the address, the team's week, and the list view on a phone.

Screenshots go to artifacts/screenshots/calendar-*.png.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, select

from backend.domain.appointment_rules import Source, Status
from backend.models import Message
from backend.services.actors import SYSTEM
from backend.services.patients import clients
from backend.services.scheduling import booking
from tests.e2e.conftest import SCREENSHOTS, Portal, save_screenshot
from tests.e2e.portal_helpers import (
    MANAGER,
    ZONE,
    demo_tenant,
    get_appointment,
    log_in,
    portal_db,
)
from tests.factories import make_doctor, weekday_periods

PX_PER_MINUTE = 1.5
PHONE = 390


@dataclass(frozen=True)
class Seeded:
    appointment_id: uuid.UUID
    doctor_id: uuid.UUID
    day: date
    phone: str


def seed_appointment(portal: Portal) -> Seeded:
    """A doctor of the demo clinic who works every day 07:00–20:00, and one confirmed
    appointment of theirs two days ahead at 10:00 (nothing else in their column)."""
    day = datetime.now(ZONE).date() + timedelta(days=2)
    suffix = uuid.uuid4().hex[:6]
    phone = f"+57300{uuid.uuid4().int % 10**7:07d}"
    with portal_db(portal, write=True) as session:
        tenant = demo_tenant(session)
        doctor = make_doctor(
            session,
            tenant,
            name=f"Dr. Arrastre {suffix}",
            email=f"arrastre{suffix}@demo.vetassist.co",
            periods=weekday_periods("07:00", "20:00", range(0, 7)),
            min_notice_minutes=0,
        )
        client = clients.find_or_create(session, tenant, phone=phone, name="Camila Prueba")
        pet = clients.add_pet(session, client, name="Toby", species="perro")
        appointment = booking.create(
            session,
            tenant=tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=doctor.id,
                client_id=client.id,
                pet_id=pet.id,
                start_at=datetime.combine(day, datetime.min.time(), ZONE).replace(hour=10),
                end_at=datetime.combine(day, datetime.min.time(), ZONE).replace(hour=10, minute=30),
                reason="Control",
                source=Source.API,
                status=Status.CONFIRMED,
            ),
        )
        return Seeded(appointment.id, doctor.id, day, phone)


def drag_block(page: Page, appointment_id: uuid.UUID, minutes: int) -> None:
    page.wait_for_function("() => !!window.vaCalendar")  # assets/calendar_editing.js
    block = page.locator(f'.va-block[data-appointment-id="{appointment_id}"]')
    expect(block).to_have_attribute("data-movable", "true")
    box = block.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + 8
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 10, steps=3)
    page.mouse.move(x, y + minutes * PX_PER_MINUTE, steps=8)
    page.mouse.up()


def notices_to(portal: Portal, phone: str) -> list[str]:
    with portal_db(portal) as session:
        bodies = session.exec(
            select(Message.body).where(Message.to_phone == phone).order_by(col(Message.created_at))
        ).all()
    return [b for b in bodies if "cambió" in (b or "")]


def wait_for(condition, timeout_s: float = 45.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def starts_at(portal: Portal, appointment_id: uuid.UUID, hhmm: str) -> bool:
    start = get_appointment(portal, appointment_id).start_at
    if start.tzinfo is None:  # SQLite hands back naive UTC
        start = start.replace(tzinfo=UTC)
    return start.astimezone(ZONE).strftime("%H:%M") == hhmm


@pytest.fixture
def desktop(page: Page) -> Page:
    """The suite's page (a failure saves its screenshot), 1440 px wide."""
    page.set_viewport_size({"width": 1440, "height": 900})
    return page


@pytest.fixture
def phone(browser: Browser, portal: Portal) -> Iterator[Page]:
    context = browser.new_context(
        base_url=portal.base_url,
        locale="es-CO",
        timezone_id="America/Bogota",
        viewport={"width": PHONE, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_drag_to_another_time_confirms_in_words_and_can_skip_the_notice(
    desktop: Page, portal: Portal
) -> None:
    # given
    seeded = seed_appointment(portal)
    log_in(desktop, portal, MANAGER)
    desktop.goto(portal.url(f"/agenda?vista=dia&fecha={seeded.day}&doctor={seeded.doctor_id}"))

    # when: dragged an hour down, "avisar" unchecked
    drag_block(desktop, seeded.appointment_id, 60)
    dialog = desktop.locator("#move-dialog")
    expect(dialog).to_be_visible()
    expect(desktop.locator("#move-summary")).to_contain_text(
        re.compile(
            r"Mover la cita de Toby \(Camila Prueba\) del \S+ \d+ de \S+ 10:00 a 11:00 con Dr\. Arrastre"
        )
    )
    expect(desktop.locator("#move-notify")).to_be_checked()
    save_screenshot(desktop, "calendar-drag-confirm")
    desktop.click("#move-notify")
    expect(desktop.locator("#move-notify")).not_to_be_checked()
    desktop.click("#move-confirm")

    # then: moved, drawn at its new place, and no notice
    expect(desktop.get_by_text("Cita movida.")).to_be_visible()
    assert wait_for(lambda: starts_at(portal, seeded.appointment_id, "11:00"), 15)
    block = desktop.locator(f'.va-block[data-appointment-id="{seeded.appointment_id}"]')
    expect(block).to_contain_text("11:00")
    expect(block).not_to_have_class(re.compile("va-dragging"))
    save_screenshot(desktop, "calendar-drag-done")

    # when: moved again with the notice on (the default)
    drag_block(desktop, seeded.appointment_id, 60)
    expect(dialog).to_be_visible()
    desktop.click("#move-confirm")

    # then: only that second move is announced
    assert wait_for(lambda: starts_at(portal, seeded.appointment_id, "12:00"), 15)
    assert wait_for(lambda: len(notices_to(portal, seeded.phone)) > 0)
    (notice,) = notices_to(portal, seeded.phone)
    assert "12:00 PM" in notice and "antes" in notice and "11:00 AM" in notice


def test_keyboard_shortcuts_change_the_view_and_the_address(desktop: Page, portal: Portal) -> None:
    log_in(desktop, portal, MANAGER)
    expect(desktop.locator("#calendar-grid")).to_be_visible()
    desktop.wait_for_function("() => !!window.vaCalendar")  # assets/calendar_editing.js

    desktop.keyboard.press("l")
    expect(desktop).to_have_url(re.compile(r"vista=lista"))
    expect(desktop.locator("#calendar-list")).to_be_visible()

    desktop.keyboard.press("Shift+E")
    expect(desktop).to_have_url(re.compile(r"vista=semana-equipo"))
    expect(desktop.locator('[data-column^="equipo:"]')).to_have_count(7)
    save_screenshot(desktop, "calendar-team-week")

    fecha = re.search(r"fecha=([\d-]+)", desktop.url).group(1)
    desktop.keyboard.press("ArrowRight")
    next_week = (date.fromisoformat(fecha) + timedelta(days=7)).isoformat()
    expect(desktop).to_have_url(re.compile(rf"fecha={next_week}"))

    desktop.keyboard.press("d")
    expect(desktop).to_have_url(re.compile(r"vista=dia.*doctor="))

    # typing in a field is not a shortcut
    desktop.locator('input[type="date"]').first.focus()
    desktop.keyboard.press("l")
    expect(desktop).to_have_url(re.compile(r"vista=dia"))

    # a reload returns to the same place
    desktop.reload()
    expect(desktop).to_have_url(re.compile(rf"vista=dia&fecha={next_week}"))
    expect(desktop.locator("#calendar-grid")).to_be_visible()
    expect(desktop.locator("[data-column]")).to_have_count(1)
    save_screenshot(desktop, "calendar-day-after-reload")


def test_list_view_on_a_phone_reads_without_sideways_scrolling(phone: Page, portal: Portal) -> None:
    seeded = seed_appointment(portal)
    log_in(phone, portal, MANAGER, shown="#phone-menu")

    phone.goto(portal.url(f"/agenda?vista=lista&fecha={seeded.day}"))

    row = phone.locator(f'.va-list-row[data-appointment-id="{seeded.appointment_id}"]')
    expect(row).to_contain_text("Toby")
    expect(row).to_have_attribute("title", re.compile("10:00–10:30"))
    assert phone.evaluate(f"document.documentElement.scrollWidth <= {PHONE} + 1")
    row.scroll_into_view_if_needed()
    phone.screenshot(path=str(SCREENSHOTS / "calendar-list-phone.png"))  # the screen, not the week

    # on a phone, rescheduling is the dialog, and it opens on the appointment's own date
    row.click()
    phone.click("#action-reschedule")
    expect(phone.locator("#reschedule-day")).to_have_value(seeded.day.isoformat())
    phone.screenshot(path=str(SCREENSHOTS / "calendar-reschedule-phone.png"))
