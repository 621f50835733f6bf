"""The portal's "Avisar al cliente por WhatsApp" choice on a move: off sends no notice
for that move only; on (the default) sends the usual one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.core.config import settings
from backend.core.db import session_scope
from backend.integrations.whatsapp import SandboxChannel, set_channel
from backend.models import Appointment
from backend.services.scheduling import booking
from tests.workers.support import MONDAY_9, RECEPTION, book, build_clinic, outbound_to, relay


@pytest.fixture
def clinic(db, frozen_clock, monkeypatch):
    monkeypatch.setattr(
        settings, "WHATSAPP_TEMPLATE_CONTENT_SID", "HX0000000000000000000000000000test"
    )
    set_channel(SandboxChannel())
    yield build_clinic()
    set_channel(None)


def move(clinic, appointment, start, *, notify_client: bool) -> None:
    with session_scope() as session:
        version = session.get(Appointment, appointment.id).version
    booking.edit(
        tenant_id=clinic.tenant.id,
        actor=RECEPTION,
        appointment_id=appointment.id,
        expected_version=version,
        change=booking.AppointmentChange(start_at=start, notify_client=notify_client),
    )


def notices(clinic) -> list[str]:
    return [m.body for m in outbound_to(clinic.client.phone) if "cambió" in m.body]


def test_reschedule_with_notify_off_sends_no_whatsapp_notice(clinic):
    appointment = book(clinic)

    move(clinic, appointment, MONDAY_9 + timedelta(hours=2), notify_client=False)
    relay()

    assert notices(clinic) == []


def test_reschedule_with_notify_on_sends_one_notice(clinic):
    appointment = book(clinic)

    move(clinic, appointment, MONDAY_9 + timedelta(hours=2), notify_client=True)
    relay()

    assert len(notices(clinic)) == 1
    assert "ahora es el lunes 1 de febrero a las 11:00 AM" in notices(clinic)[0]


def test_notify_off_applies_to_that_move_only(clinic):
    appointment = book(clinic)

    move(clinic, appointment, MONDAY_9 + timedelta(hours=2), notify_client=False)
    move(clinic, appointment, MONDAY_9 + timedelta(hours=3), notify_client=True)
    relay()

    (notice,) = notices(clinic)
    assert "12:00 PM" in notice
