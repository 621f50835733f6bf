"""The doctor's own Google Calendar events shaded on the portal's calendar as busy time.

Screenshot: artifacts/screenshots/calendar-busy-google.png.
"""

from __future__ import annotations

from datetime import datetime, time

from playwright.sync_api import Page, expect

from backend.core.clock import utcnow
from backend.models import CalendarBusyBlock
from tests.e2e.conftest import Portal, save_screenshot
from tests.e2e.portal_helpers import DOCTOR, ZONE, demo_tenant, log_in, portal_db, staff


def test_google_busy_time_is_shaded_on_the_doctors_day(page: Page, portal: Portal) -> None:
    # given: the poll stored a Google event of the doctor's today 10:00-11:00
    today = utcnow().astimezone(ZONE).date()
    with portal_db(portal, write=True) as session:
        doctor = staff(session, DOCTOR)
        session.add(
            CalendarBusyBlock(
                tenant_id=demo_tenant(session).id,
                doctor_id=doctor.id,
                google_event_id="reunion0001",
                start_at=datetime.combine(today, time(10), ZONE),
                end_at=datetime.combine(today, time(11), ZONE),
            )
        )

    # when
    log_in(page, portal, DOCTOR)
    page.goto(portal.url("/agenda?vista=dia"))

    # then
    busy = page.locator("[data-column]").first.get_by_text("Ocupado (Google)")
    expect(busy).to_be_visible()
    save_screenshot(page, "calendar-busy-google")
