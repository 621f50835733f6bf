"""Appointment reminders: at the right times, exactly once, never for cancelled or moved ones."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import col, select

from backend.core.clock import clock
from backend.core.config import settings
from backend.core.db import session_scope
from backend.integrations.whatsapp import SandboxChannel, set_channel
from backend.models import Conversation, Message, Reminder, Tenant
from backend.services.chats import lifecycle
from backend.services.outreach import reminders
from tests.workers.support import MONDAY_9, book, build_clinic, change_status, relay, reschedule

TEMPLATE = "HX0000000000000000000000000000test"


@pytest.fixture
def channel(monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_TEMPLATE_CONTENT_SID", TEMPLATE)
    sandbox = SandboxChannel()
    set_channel(sandbox)
    yield sandbox
    set_channel(None)


@pytest.fixture
def clinic(db, frozen_clock, channel):
    return build_clinic()


def reminder_rows(appointment_id=None):
    with session_scope() as session:
        query = select(Reminder).order_by(col(Reminder.due_at))
        if appointment_id:
            query = query.where(Reminder.appointment_id == appointment_id)
        return list(session.exec(query).all())


def reminder_messages():
    """Outbound messages that are reminders (booking notices excluded), oldest first."""
    with session_scope() as session:
        ids = {r.message_id for r in session.exec(select(Reminder)) if r.message_id}
        messages = session.exec(select(Message).order_by(col(Message.created_at))).all()
    return [m for m in messages if m.id in ids]


def send_at(moment):
    clock.freeze(moment)
    return reminders.send_due_reminders(moment)


def test_booking_schedules_a_reminder_24_and_2_hours_before(clinic):
    # when
    appointment = book(clinic)
    relay()
    # then
    rows = reminder_rows()
    assert [(r.offset_hours, r.due_at, r.status) for r in rows] == [
        (24, MONDAY_9 - timedelta(hours=24), "pending"),
        (2, MONDAY_9 - timedelta(hours=2), "pending"),
    ]
    assert all(
        r.appointment_id == appointment.id and r.appointment_start_at == MONDAY_9 for r in rows
    )


def test_reminders_go_at_their_time_and_exactly_once(clinic):
    book(clinic)
    relay()
    # a second before: nothing
    assert send_at(MONDAY_9 - timedelta(hours=24, seconds=1)) == 0
    # at the time: the 24-hour one
    assert send_at(MONDAY_9 - timedelta(hours=24)) == 1
    # the sweep again, and a later one before the 2-hour mark: nothing more
    assert send_at(MONDAY_9 - timedelta(hours=24)) == 0
    assert send_at(MONDAY_9 - timedelta(hours=3)) == 0
    # at the 2-hour mark
    assert send_at(MONDAY_9 - timedelta(hours=2)) == 1
    assert send_at(MONDAY_9 - timedelta(hours=1)) == 0
    messages = reminder_messages()
    assert len(messages) == 2
    assert [r.status for r in reminder_rows()] == ["sent", "sent"]
    assert [r.message_id for r in reminder_rows()] == [m.id for m in messages]


def test_reminder_text_is_spanish_in_the_clinic_zone(clinic):
    book(clinic)
    relay()
    send_at(MONDAY_9 - timedelta(hours=24))
    send_at(MONDAY_9 - timedelta(hours=2))
    day_before, same_day = (m.body for m in reminder_messages())
    assert day_before == (
        "Hola Camila, te recordamos tu cita de Luna en Clínica patitas el lunes 1 de febrero a las 9:00 AM. "
        "Si necesitas cancelar o cambiar la cita, responde «cancelar» o «cambiar»."
    )
    assert same_day.startswith(
        "Hola Camila, tu cita de Luna en Clínica patitas es hoy a las 9:00 AM (en 2 horas)."
    )


def test_reminder_in_another_zone_shows_that_zone(db, frozen_clock, channel):
    clinic = build_clinic(slug="cdmx", timezone="America/Mexico_City")
    book(clinic, MONDAY_9 + timedelta(hours=1))  # 09:00 in Mexico City (UTC-6)
    relay()
    send_at(MONDAY_9 + timedelta(hours=1) - timedelta(hours=24))
    assert "el lunes 1 de febrero a las 9:00 AM" in reminder_messages()[0].body


def test_reminder_outside_the_24_hour_window_goes_as_the_template(clinic):
    book(clinic)
    relay()
    send_at(MONDAY_9 - timedelta(hours=24))
    (message,) = reminder_messages()
    assert message.template_sid == TEMPLATE
    assert message.status == "sent"
    assert channel_sent_template(message)


def channel_sent_template(message):
    from backend.integrations.whatsapp import get_channel

    return any(
        call["content_sid"] == TEMPLATE and call["body"] is None for call in get_channel().sent
    )


def test_reminder_without_template_outside_window_is_failed_not_sent(clinic, monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_TEMPLATE_CONTENT_SID", None)
    book(clinic)
    relay()
    assert send_at(MONDAY_9 - timedelta(hours=24)) == 0
    (row, _) = reminder_rows()
    assert row.status == "failed"
    assert "plantilla" in row.error
    # and it is not tried again
    assert send_at(MONDAY_9 - timedelta(hours=23)) == 0
    assert len(reminder_messages()) == 1


def test_cancelled_appointment_gets_no_reminder(clinic):
    appointment = book(clinic)
    relay()
    change_status(clinic, appointment, "cancelled")
    relay()
    assert [r.status for r in reminder_rows()] == ["cancelled", "cancelled"]
    assert send_at(MONDAY_9 - timedelta(hours=2)) == 0
    assert reminder_messages() == []


def test_moved_appointment_gets_new_reminders_and_old_ones_never_go(clinic):
    appointment = book(clinic)
    relay()
    new_start = MONDAY_9 + timedelta(days=1, hours=2)
    reschedule(clinic, appointment, new_start)
    relay()
    rows = reminder_rows(appointment.id)
    assert sorted((r.appointment_start_at, r.offset_hours, r.status) for r in rows) == sorted(
        [
            (MONDAY_9, 24, "cancelled"),
            (MONDAY_9, 2, "cancelled"),
            (new_start, 24, "pending"),
            (new_start, 2, "pending"),
        ]
    )
    assert send_at(MONDAY_9 - timedelta(hours=2)) == 0
    assert send_at(new_start - timedelta(hours=24)) == 1
    assert "martes 2 de febrero a las 11:00 AM" in reminder_messages()[-1].body


def test_reminder_of_an_appointment_moved_before_the_relay_ran_is_not_sent(clinic):
    # given: reminders made for 09:00, then the appointment moves but the event is not delivered yet
    appointment = book(clinic)
    relay()
    reschedule(clinic, appointment, MONDAY_9 + timedelta(days=2))
    # when the old time comes
    assert send_at(MONDAY_9 - timedelta(hours=24)) == 0
    # then the stale reminder was cancelled at send time
    old = [r for r in reminder_rows(appointment.id) if r.offset_hours == 24][0]
    assert old.status == "cancelled"
    assert "cambió" in old.error


def test_moving_back_to_the_original_time_does_not_duplicate(clinic):
    appointment = book(clinic)
    relay()
    reschedule(clinic, appointment, MONDAY_9 + timedelta(days=1))
    reschedule(clinic, appointment, MONDAY_9)
    relay()
    pending = [r for r in reminder_rows(appointment.id) if r.status == "pending"]
    assert sorted(r.offset_hours for r in pending) == [2, 24]
    assert all(r.appointment_start_at == MONDAY_9 for r in pending)


def test_clinic_setting_decides_the_offsets(db, frozen_clock, channel):
    clinic = build_clinic(reminder_offsets_hours=[48])
    book(clinic, MONDAY_9 + timedelta(days=1))
    relay()
    assert [(r.offset_hours, r.due_at) for r in reminder_rows()] == [
        (48, MONDAY_9 + timedelta(days=1) - timedelta(hours=48))
    ]


def test_reminder_already_past_at_booking_is_not_made(clinic):
    # booked Friday 09:00 on Thursday 10:00: the 24-hour reminder would be in the past
    book(clinic, MONDAY_9 - timedelta(days=3))
    relay()
    assert [r.offset_hours for r in reminder_rows()] == [2]


def test_two_reminders_due_together_send_only_the_closest(clinic):
    book(clinic)
    relay()
    # the system was down for a day: both are due at once
    assert send_at(MONDAY_9 - timedelta(hours=1)) == 1
    rows = reminder_rows()
    assert [(r.offset_hours, r.status) for r in rows] == [(24, "cancelled"), (2, "sent")]
    assert len(reminder_messages()) == 1


def test_no_reminder_once_the_appointment_started(clinic):
    book(clinic)
    relay()
    assert send_at(MONDAY_9 + timedelta(minutes=1)) == 0
    assert {r.status for r in reminder_rows()} == {"cancelled"}


def test_reminder_opens_a_reminder_conversation_about_the_appointment(clinic):
    appointment = book(clinic)
    relay()
    send_at(MONDAY_9 - timedelta(hours=24))
    with session_scope() as session:
        conversation = session.exec(select(Conversation).where(col(Conversation.is_open))).one()
    assert conversation.type == "reminder"
    assert conversation.state == "REMINDER"
    assert conversation.state_data["reminder_appointment_id"] == str(appointment.id)
    assert conversation.state_data["reminder_appointment_ids"] == [str(appointment.id)]
    assert conversation.timeout_at == clock.now() + timedelta(hours=24)
    assert reminder_messages()[0].conversation_id == conversation.id


def test_reminder_joins_a_conversation_in_the_middle_of_a_booking_without_taking_it_over(clinic):
    book(clinic)
    relay()
    with session_scope(write=True) as session:
        busy = Conversation(
            tenant_id=clinic.tenant.id,
            client_id=clinic.client.id,
            client_phone=clinic.client.phone,
            state="OFFER_SLOTS",
            state_data={"step": 1},
        )
        session.add(busy)
    assert send_at(MONDAY_9 - timedelta(hours=24)) == 1
    with session_scope() as session:
        conversation = session.get(Conversation, busy.id)
    assert conversation.state == "OFFER_SLOTS"
    assert conversation.state_data == {"step": 1}
    assert reminder_messages()[0].conversation_id == busy.id


def test_concurrent_sweeps_send_each_reminder_once(pg, frozen_clock, channel):
    # given: 36 appointments (12 a day from 08:00, Monday to Wednesday), all 24-hour reminders due
    clinic = build_clinic()
    for i in range(36):
        book(clinic, MONDAY_9 - timedelta(hours=1) + timedelta(minutes=45 * (i % 12), days=i // 12))
    relay()
    clock.freeze(MONDAY_9 + timedelta(days=2) - timedelta(hours=3))
    now = clock.now()
    counts: list[int] = []
    # when: three sweeps at once
    threads = [
        threading.Thread(
            target=lambda: counts.append(reminders.send_due_reminders(now, batch_size=5))
        )
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    with session_scope() as session:
        sent = session.exec(select(Reminder).where(Reminder.status == "sent")).all()
    assert len(sent) == 12  # Wednesday's; Monday's and Tuesday's appointments are over
    assert sum(counts) == len(sent)
    assert len({r.message_id for r in sent}) == len(sent)
    assert len(reminder_messages()) == len(sent)


def test_offsets_for_sorts_and_drops_nonsense():
    assert reminders.offsets_for(
        Tenant(name="x", slug="x", reminder_offsets_hours=[2, 24, 2, 0, -1])
    ) == [24, 2]


def client_says(clinic, text):
    from backend.services.assistant.inbound import InboundMessage, process_inbound_message
    from tests.factories import receive

    message_id = receive(
        InboundMessage(
            tenant_id=clinic.tenant.id,
            from_phone=clinic.client.phone,
            to_phone=clinic.tenant.whatsapp_numbers[0],
            body=text,
            provider_sid=None,
        )
    )
    process_inbound_message(message_id)
    with session_scope() as session:
        replies = session.exec(
            select(Message)
            .where(Message.direction == "outbound", col(Message.created_at) >= clock.now())
            .order_by(col(Message.created_at))
        ).all()
    return [m.body for m in replies]


def test_answering_cancelar_to_a_reminder_cancels_that_appointment(clinic):
    from backend.models import Appointment

    appointment = book(clinic)
    relay()
    send_at(MONDAY_9 - timedelta(hours=24))
    clock.advance(timedelta(minutes=5))
    # when
    asked = client_says(clinic, "cancelar")
    clock.advance(timedelta(minutes=1))
    done = client_says(clinic, "sí")
    # then
    assert "cancelarla" in asked[-1] and "9:00 AM" in asked[-1]
    with session_scope() as session:
        assert session.get(Appointment, appointment.id).status == "cancelled"
    assert done
    relay()
    assert {r.status for r in reminder_rows()} == {"sent", "cancelled"}


def test_answering_cambiar_to_a_reminder_offers_new_times(clinic):
    book(clinic)
    relay()
    send_at(MONDAY_9 - timedelta(hours=24))
    clock.advance(timedelta(minutes=5))
    offered = client_says(clinic, "cambiar")
    with session_scope() as session:
        conversation = session.exec(select(Conversation).where(col(Conversation.is_open))).one()
    assert conversation.state in ("OFFER_SLOTS", "AWAIT_SELECTION")
    assert conversation.state_data["flow"] == "reschedule"
    assert "cambiemos tu cita" in offered[-1]


def test_a_reminder_does_not_hide_an_emergency_in_the_inbox_preview(clinic):
    # given: the client reported an emergency the vet has not resolved yet
    book(clinic)
    relay()
    with session_scope(write=True) as session:
        conversation = lifecycle.lock_or_open(
            session, clinic.tenant.id, clinic.client.phone, now=clock.now()
        )
        conversation.state = "ESCALATE"
        conversation.last_message_preview = "Mi gata Luna no respira bien"
        session.add(conversation)
        conversation_id = conversation.id

    # when: the day-before reminder goes out in that conversation
    send_at(MONDAY_9 - timedelta(hours=24))

    # then: the inbox still shows the emergency, and when the conversation last moved
    (reminder,) = reminder_messages()
    with session_scope() as session:
        stored = session.get(Conversation, conversation_id)
    assert reminder.conversation_id == conversation_id
    assert stored.last_message_preview == "Mi gata Luna no respira bien"
    assert stored.last_message_at == reminder.created_at
