"""Helpers for the portal's browser tests: log in, and read or seed the portal's database."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from backend.core.db import make_engine
from backend.demo import DEMO_PASSWORD, DEMO_SLUG
from backend.domain.appointment_rules import Source
from backend.models import Appointment, Conversation, SlotHold, StaffUser, Tenant
from backend.services.actors import SYSTEM
from backend.services.patients import clients
from backend.services.scheduling import booking
from tests.e2e.conftest import Portal
from tests.factories import make_doctor, make_tenant, weekday_periods

MANAGER = "gerente@demo.vetassist.co"
DOCTOR = "ana.restrepo@demo.vetassist.co"
SUPPORT = "soporte@demo.vetassist.co"
ZONE = ZoneInfo("America/Bogota")


def at_page(path: str) -> re.Pattern[str]:
    """The URL of a portal page, as the browser's address bar may show it: `/agenda`, or
    `/agenda/` after a full page load (the production build serves pages as folders)."""
    return re.compile(rf"^[^?#]*{re.escape(path)}/?([?#].*)?$")


def log_in(
    page: Page, portal: Portal, email: str, *, landing: str = "/agenda", shown: str = "#logout"
) -> None:
    """Logs in through the login form (the browser posts it; the server sets the cookie);
    `shown` is what a logged-in page shows (on a phone, the menu button)."""
    page.goto(portal.url("/login"))
    page.fill("#login-email", email)
    page.fill("#login-password", DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(at_page(landing))
    expect(page.locator(shown)).to_be_visible()


@contextmanager
def portal_db(portal: Portal, *, write: bool = False) -> Iterator[Session]:
    """A session on the running portal's own database (SQLite file)."""
    engine = make_engine(portal.database_url)
    bind = engine.execution_options(sqlite_write=True) if write else engine
    try:
        with Session(bind=bind, expire_on_commit=False) as session:
            yield session
            session.commit()
    finally:
        engine.dispose()


def demo_tenant(session: Session) -> Tenant:
    return session.exec(select(Tenant).where(Tenant.slug == DEMO_SLUG)).one()


def staff(session: Session, email: str) -> StaffUser:
    return session.exec(select(StaffUser).where(StaffUser.email == email)).one()


def upcoming_appointment(portal: Portal, doctor_email: str) -> Appointment:
    """A pending or confirmed appointment of the doctor at least a day ahead."""
    with portal_db(portal) as session:
        doctor = staff(session, doctor_email)
        return session.exec(
            select(Appointment)
            .where(
                Appointment.doctor_id == doctor.id,
                col(Appointment.status).in_(["pending", "confirmed"]),
                Appointment.start_at > datetime.now(ZONE) + timedelta(days=1),
            )
            .order_by(col(Appointment.start_at))
        ).first()


def get_appointment(portal: Portal, appointment_id: uuid.UUID) -> Appointment:
    with portal_db(portal) as session:
        return session.get(Appointment, appointment_id)


def other_clinic_appointment(portal: Portal) -> Appointment:
    """Creates a second clinic with one appointment (the demo clinic must never see it)."""
    with portal_db(portal, write=True) as session:
        slug = f"otra{uuid.uuid4().hex[:6]}"
        tenant = make_tenant(session, slug=slug, whatsapp=f"+1415555{uuid.uuid4().int % 10000:04d}")
        doctor = make_doctor(
            session,
            tenant,
            name="Dr. Ajeno",
            email=f"ajeno@{slug}.co",
            periods=weekday_periods("00:00", "23:59", range(0, 7)),
            min_notice_minutes=0,
        )
        client = clients.find_or_create(
            session, tenant, phone="+573005550000", name="Cliente Secreto"
        )
        return booking.create(
            session,
            tenant=tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=doctor.id,
                client_id=client.id,
                start_at=(datetime.now(ZONE) + timedelta(days=2)).replace(
                    minute=0, second=0, microsecond=0
                ),
                reason="Motivo confidencial",
                source=Source.API,
            ),
        )


def conversation_of(portal: Portal, phone: str) -> Conversation | None:
    with portal_db(portal) as session:
        return session.exec(
            select(Conversation)
            .where(Conversation.client_phone == phone)
            .order_by(col(Conversation.started_at).desc())
        ).first()


def first_offer(portal: Portal, conversation_id: uuid.UUID) -> SlotHold | None:
    with portal_db(portal) as session:
        return session.exec(
            select(SlotHold)
            .where(SlotHold.conversation_id == conversation_id)
            .order_by(col(SlotHold.start_at))
        ).first()


def booked_in(portal: Portal, conversation_id: uuid.UUID) -> Appointment | None:
    with portal_db(portal) as session:
        return session.exec(
            select(Appointment).where(Appointment.conversation_id == conversation_id)
        ).first()


def say(page: Page, text: str) -> None:
    """Sends a message in the sandbox and waits until the assistant has answered it."""
    selector = "#sandbox-thread [data-author=assistant], #sandbox-thread [data-author=staff]"
    before = page.locator(selector).count()
    page.fill("#sandbox-input", text)
    page.click("#sandbox-send")
    page.wait_for_function(
        "([selector, before]) => document.querySelectorAll(selector).length > before",
        arg=[selector, before],
        timeout=20_000,
    )
