"""The clinic portal in a real browser: access, calendar, sandbox, chats, emergencies.

One portal (demo clinic) serves the whole session; tests that change data use
their own sandbox phone numbers or appointments, so their order does not matter
for correctness. Every page is saved to artifacts/screenshots/.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, func, select

from backend.models import ApiKey, Appointment, StaffUser
from tests.e2e.conftest import Portal, save_screenshot
from tests.e2e.portal_helpers import (
    DOCTOR,
    MANAGER,
    SUPPORT,
    ZONE,
    at_page,
    booked_in,
    conversation_of,
    first_offer,
    get_appointment,
    log_in,
    other_clinic_appointment,
    portal_db,
    say,
    staff,
    upcoming_appointment,
)


def _e164(display: str) -> str:
    return "+" + re.sub(r"\D", "", display)


def _new_page(browser: Browser, portal: Portal) -> Page:
    context = browser.new_context(
        base_url=portal.base_url,
        locale="es-CO",
        timezone_id="America/Bogota",
        viewport={"width": 1440, "height": 900},
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def test_login_logout_and_pages_need_a_session(page: Page, portal: Portal) -> None:
    # an anonymous visit to the calendar ends at the login page
    page.goto(portal.url("/agenda"))
    page.wait_for_url("**/login")
    save_screenshot(page, "01-login")

    # a wrong password is refused in Spanish
    page.fill("#login-email", DOCTOR)
    page.fill("#login-password", "incorrecta")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text("Correo o contraseña incorrectos.")

    # the doctor logs in and lands on her calendar
    log_in(page, portal, DOCTOR)
    expect(page.get_by_text("Dra. Ana Restrepo").first).to_be_visible()
    expect(page.locator("#nav-configuracion")).to_have_count(0)  # not for doctors

    # logging out ends the session server-side
    page.click("#logout")
    page.wait_for_url(at_page("/login"))
    page.goto(portal.url("/agenda"))
    page.wait_for_url("**/login")


def test_doctor_is_kept_out_of_settings(page: Page, portal: Portal) -> None:
    log_in(page, portal, DOCTOR)

    page.goto(portal.url("/configuracion"))

    page.wait_for_url("**/agenda")
    expect(page.get_by_text("Tu rol no tiene acceso a esa sección.")).to_be_visible()


def test_week_view_shows_the_seeded_appointments(page: Page, portal: Portal) -> None:
    # given: the doctor's live appointments this week, from the database
    today = datetime.now(ZONE).date()
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday, datetime.min.time(), ZONE)
    with portal_db(portal) as session:
        doctor = staff(session, DOCTOR)
        expected = session.exec(
            select(func.count()).where(
                Appointment.doctor_id == doctor.id,
                Appointment.status != "cancelled",
                Appointment.start_at >= start,
                Appointment.start_at < start + timedelta(days=7),
            )
        ).one()
    assert expected > 0, "the demo seed should fill this week"

    # when
    log_in(page, portal, DOCTOR)

    # then
    expect(page.locator("#calendar-grid")).to_be_visible()
    expect(page.locator(".va-block")).to_have_count(expected)
    expect(page.locator("[data-column]")).to_have_count(7)
    save_screenshot(page, "02-agenda-semana")

    page.get_by_role("radio", name="Equipo", exact=True).click()
    with portal_db(portal) as session:  # the demo's three, and any another test added
        doctors = session.exec(
            select(func.count()).where(
                StaffUser.tenant_id == doctor.tenant_id,
                StaffUser.role == "doctor",
                col(StaffUser.is_active),
            )
        ).one()
    assert doctors >= 3
    expect(page.locator("[data-column]")).to_have_count(doctors)
    save_screenshot(page, "03-agenda-equipo")


def test_reschedule_through_the_dialog_changes_the_database(page: Page, portal: Portal) -> None:
    # given
    appointment = upcoming_appointment(portal, DOCTOR)
    assert appointment is not None
    day = appointment.start_at.astimezone(ZONE).date()
    log_in(page, portal, DOCTOR)
    page.goto(
        portal.url(f"/agenda?vista=dia&fecha={day.isoformat()}&doctor={appointment.doctor_id}")
    )

    # when: open it, choose "Reprogramar", a free day and its first free time
    page.locator(f'[data-appointment-id="{appointment.id}"]').click()
    dialog = page.locator("#appointment-dialog")
    expect(dialog).to_be_visible()
    save_screenshot(page, "04-cita-dialogo")
    page.click("#action-reschedule")
    # a Sunday first (no slots), so the list read below cannot be today's, still shown
    # while the target day's loads
    sunday = day + timedelta(days=6 - day.weekday())
    page.fill("#reschedule-day", sunday.isoformat())
    expect(dialog.get_by_text("No hay horarios libres ese día.")).to_be_visible()
    target_day = _free_weekday(day + timedelta(days=9))
    page.fill("#reschedule-day", target_day.isoformat())
    first_slot = page.locator("#reschedule-slots .va-slot").first
    expect(first_slot).to_be_visible()
    chosen = first_slot.inner_text().strip()
    save_screenshot(page, "05-cita-reprogramar")
    first_slot.click()

    # then
    expect(page.get_by_text("Cita reprogramada.")).to_be_visible()
    stored = get_appointment(portal, appointment.id)
    local_start = stored.start_at.astimezone(ZONE)
    assert (local_start.date(), local_start.strftime("%H:%M")) == (target_day, chosen)
    assert stored.version == appointment.version + 1
    expect(dialog.locator("#appointment-when")).to_contain_text(chosen)


def _free_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_another_clinics_appointment_url_is_refused(page: Page, portal: Portal) -> None:
    # given
    foreign = other_clinic_appointment(portal)
    own = upcoming_appointment(portal, DOCTOR)
    log_in(page, portal, MANAGER)

    # the clinic's own appointment opens on its page
    page.goto(portal.url(f"/citas/{own.id}"))
    expect(page.locator("#appointment-status")).to_be_visible()
    save_screenshot(page, "06-cita")

    # when: the URL is edited to another clinic's appointment
    page.goto(portal.url(f"/citas/{foreign.id}"))

    # then
    expect(page.locator("#appointment-missing")).to_contain_text("Cita no encontrada")
    expect(page.get_by_text("Cliente Secreto")).to_have_count(0)
    expect(page.get_by_text("Motivo confidencial")).to_have_count(0)
    save_screenshot(page, "07-cita-ajena")


def test_sandbox_booking_shows_on_calendar_live_and_in_chat_search(
    browser: Browser, portal: Portal
) -> None:
    calendar = _new_page(browser, portal)
    sandbox = calendar.context.new_page()
    log_in(calendar, portal, MANAGER)

    # the sandbox chat, as a new client, up to the offered times
    sandbox.goto(portal.url("/sandbox"))
    expect(sandbox.locator("#sandbox-phone")).not_to_have_text("")
    phone = _e164(sandbox.locator("#sandbox-phone").inner_text())
    say(sandbox, "Hola, soy Pedro Pérez, quiero agendar una cita para mi perro Firulais")
    say(sandbox, "Vacunación anual")
    conversation = conversation_of(portal, phone)
    offer = first_offer(portal, conversation.id)
    assert offer is not None, sandbox.locator("#sandbox-thread").inner_text()
    day = offer.start_at.astimezone(ZONE).date()

    # the calendar shows that day for the whole team, loaded once
    calendar.goto(portal.url(f"/agenda?vista=equipo&fecha={day.isoformat()}"))
    expect(calendar.locator("#calendar-grid")).to_be_visible()
    calendar.evaluate("window.__notReloaded = true")

    # when: the client picks the first time and confirms
    say(sandbox, "1")
    say(sandbox, "Sí, confirmo")
    save_screenshot(sandbox, "08-sandbox")

    # then: the appointment exists and appears on the open calendar without a reload
    appointment = booked_in(portal, conversation.id)
    assert appointment is not None, sandbox.locator("#sandbox-thread").inner_text()
    assert appointment.start_at.astimezone(ZONE).date() == day
    expect(calendar.locator(f'[data-appointment-id="{appointment.id}"]')).to_be_visible(
        timeout=20_000
    )
    assert calendar.evaluate("window.__notReloaded") is True
    save_screenshot(calendar, "09-agenda-en-vivo")

    # and the chat history finds the conversation by a word (no accents needed) and by phone
    calendar.click("#nav-conversaciones")
    calendar.wait_for_url("**/conversaciones")
    for query in (phone[-7:], "firulais", "vacunacion", "vacun"):
        calendar.fill("#chat-search", query)
        calendar.keyboard.press("Enter")
        result = calendar.locator(f'.va-conversation[data-id="{conversation.id}"]')
        expect(result).to_be_visible()
    # the start of a word finds it; the message is shown with the word marked and opens there
    expect(result.locator(".va-match mark").first).to_have_text("Vacunación")
    result.click()
    expect(calendar.locator("#thread .va-focused")).to_contain_text("Vacunación anual")
    expect(calendar.locator(".va-linked")).not_to_have_count(0)
    save_screenshot(calendar, "10-conversaciones")
    calendar.context.close()


def test_sandbox_emergency_rings_everywhere_and_reaches_the_board(
    browser: Browser, portal: Portal
) -> None:
    watcher = _new_page(browser, portal)
    sandbox = watcher.context.new_page()
    log_in(watcher, portal, SUPPORT, landing="/conversaciones")
    watcher.goto(portal.url("/agenda"))
    expect(watcher.locator("#calendar-grid")).to_be_visible()
    rang_before = watcher.evaluate("window.__vaAlerts || 0")

    # when: a client reports an emergency through the sandbox
    sandbox.goto(portal.url("/sandbox"))
    expect(sandbox.locator("#sandbox-phone")).not_to_have_text("")
    say(sandbox, "Mi perro Rocky está convulsionando y no respira bien")
    say(sandbox, "Sí")
    # the client hears the vet was notified only once the alert went out, and the
    # sandbox says in plain words what happened
    expect(sandbox.locator("#sandbox-thread")).to_contain_text(
        "El veterinario ha sido notificado", timeout=20_000
    )
    expect(sandbox.locator("#sandbox-steps")).to_contain_text(
        "Notó una posible emergencia y pidió confirmarla."
    )
    expect(sandbox.locator("#sandbox-steps")).to_contain_text(
        "el aviso le llegó al veterinario", timeout=20_000
    )
    save_screenshot(sandbox, "11-sandbox-emergencia")

    # then: the page open elsewhere shows the banner and rings, without a reload
    expect(watcher.locator("#emergency-banner")).to_be_visible(timeout=20_000)
    watcher.wait_for_function(f"(window.__vaAlerts || 0) > {rang_before}")
    save_screenshot(watcher, "11-banner-emergencia")

    # and the board lists it first; support acknowledges it
    watcher.click("#emergency-banner")
    watcher.wait_for_url("**/emergencias")
    card = watcher.locator('.va-emergency[data-status="active"]', has_text="convulsionando").first
    expect(card).to_be_visible()
    save_screenshot(watcher, "12-emergencias")
    card.locator(".va-ack").click()
    expect(
        watcher.locator(
            '.va-emergency[data-status="acknowledged"]', has_text="convulsionando"
        ).first
    ).to_be_visible()
    watcher.context.close()


def test_manager_closes_an_emergency_with_notes(
    page: Page, portal: Portal, browser: Browser
) -> None:
    log_in(page, portal, MANAGER)
    page.goto(portal.url("/sandbox"))
    say(page, "Mi gato se envenenó, comió veneno para ratas")
    say(page, "Sí")
    page.goto(portal.url("/emergencias"))
    card = page.locator(".va-emergency", has_text="veneno").first
    expect(card).to_be_visible()

    card.locator(".va-resolve").click()
    page.get_by_text("Falsa alarma", exact=True).click()
    page.fill("textarea[name=notes]", "Era chocolate, no veneno. Se dieron indicaciones.")
    page.click("#resolve-submit")

    expect(page.get_by_text("Emergencia cerrada.")).to_be_visible()
    expect(
        page.locator("table").get_by_text("Era chocolate, no veneno.", exact=False)
    ).to_be_visible()


def test_every_other_page_renders_for_the_manager(page: Page, portal: Portal) -> None:
    log_in(page, portal, MANAGER)
    pages = [
        ("/seguimientos", "13-seguimientos", "Seguimientos"),
        ("/clientes", "14-clientes", "Clientes y mascotas"),
        ("/analitica", "15-analitica", "Analítica de la semana"),
        ("/sandbox", "16-sandbox-vacio", "Probar el asistente de WhatsApp"),
        ("/configuracion", "17-configuracion-clinica", "Configuración"),
    ]
    for path, name, heading in pages:
        page.goto(portal.url(path))
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        page.wait_for_timeout(600)  # let live data settle before the picture
        save_screenshot(page, name)
    for tab, name in (
        ("Médicos y horarios", "18-configuracion-medicos"),
        ("Seguimientos", "19-configuracion-seguimientos"),
        ("Contactos de alerta", "20-configuracion-contactos"),
        ("Claves API", "21-configuracion-claves"),
    ):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(300)
        save_screenshot(page, name)

    # creating an API key shows it once
    page.fill("input[name=name]", "Facturación")
    page.click("#create-key")
    expect(page.locator("#new-api-key")).to_contain_text("va_")
    save_screenshot(page, "22-clave-creada")
    with portal_db(portal) as session:
        names = session.exec(select(ApiKey.name).where(col(ApiKey.revoked_at).is_(None))).all()
    assert "Facturación" in names
