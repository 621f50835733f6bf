"""Post-procedure follow-ups: protocols, scheduling, sending, answers and escalation (spec 002 §6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from backend.core.clock import clock
from backend.core.config import settings
from backend.core.db import session_scope
from backend.domain.errors import IllegalTransition, NotFound, ValidationFailed
from backend.integrations.whatsapp import SandboxChannel, set_channel
from backend.models import (
    Alert,
    AlertDelivery,
    Appointment,
    Conversation,
    EscalationContact,
    FollowUp,
    FollowUpProtocol,
    FollowUpResponse,
    Message,
)
from backend.services.chats import messaging
from backend.services.outreach import followups
from tests.workers.support import MONDAY_9, book, build_clinic, change_status, relay

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
    clinic = build_clinic()
    with session_scope(write=True) as session:
        session.add(
            EscalationContact(
                tenant_id=clinic.tenant.id,
                name="Dra. Ana",
                whatsapp_phone="+573209876543",
                channels=["whatsapp"],
            )
        )
    return clinic


def completed(clinic, procedure_type, start=MONDAY_9):
    """Books, lets the visit happen and completes it with the procedure type."""
    appointment = book(clinic, start)
    clock.freeze(appointment.end_at + timedelta(minutes=5))
    done = change_status(clinic, appointment, "completed", procedure_type=procedure_type)
    relay()
    return done


def follow_up_rows(appointment_id=None):
    with session_scope() as session:
        query = select(FollowUp).order_by(col(FollowUp.sequence_number))
        if appointment_id:
            query = query.where(FollowUp.appointment_id == appointment_id)
        return list(session.exec(query).all())


def follow_up_messages(clinic):
    with session_scope() as session:
        ids = {f.conversation_id for f in session.exec(select(FollowUp)) if f.conversation_id}
        return [
            m
            for m in session.exec(select(Message).order_by(col(Message.created_at)))
            if m.conversation_id in ids
            and m.direction == "outbound"
            and m.to_phone == clinic.client.phone
        ]


def send_at(moment):
    clock.freeze(moment)
    return followups.send_due_follow_ups(moment)


# ---------------------------------------------------------------- protocols


def test_protocols_are_seeded_with_the_spec_defaults(clinic):
    with session_scope(write=True) as session:
        protocols = {
            p.procedure_type: p for p in followups.ensure_protocols(session, clinic.tenant.id)
        }
    assert protocols["surgery"].schedule_hours == [24, 48, 72, 168]
    assert protocols["surgery"].escalation_keywords == [
        "sangre",
        "sangrado",
        "fiebre",
        "no come",
        "hinchado",
        "pus",
        "olor",
    ]
    assert protocols["vaccination"].schedule_hours == [24]
    assert protocols["consultation"].schedule_hours == [48]
    assert protocols["consultation"].escalation_keywords == [
        "peor",
        "empeora",
        "no mejora",
        "igual",
    ]
    assert len(protocols["surgery"].messages) == 4


def test_seeding_twice_changes_nothing(clinic):
    with session_scope(write=True) as session:
        followups.ensure_protocols(session, clinic.tenant.id)
    with session_scope(write=True) as session:
        followups.ensure_protocols(session, clinic.tenant.id)
        count = len(session.exec(select(FollowUpProtocol)).all())
    assert count == 3


def test_clinic_can_edit_a_protocol(clinic):
    with session_scope(write=True) as session:
        followups.update_protocol(
            session,
            tenant_id=clinic.tenant.id,
            procedure_type="vaccination",
            schedule_hours=[12, 72],
            messages=["¿Cómo está {pet_name}?", "¿Todo bien con {pet_name}, {client_name}?"],
            escalation_keywords=[" Vómito ", "fiebre"],
        )
    appointment = completed(clinic, "vaccination")
    rows = follow_up_rows(appointment.id)
    assert [f.scheduled_at - appointment.end_at for f in rows] == [
        timedelta(hours=12),
        timedelta(hours=72),
    ]
    assert rows[0].escalation_keywords == ["vómito", "fiebre"]


@pytest.mark.parametrize(
    ("hours", "messages", "field"),
    [
        ([24, 48], ["una"], "messages"),
        ([48, 24], ["a", "b"], "scheduleHours"),
        ([0], ["a"], "scheduleHours"),
        ([24], ["Hola {mascota}"], "messages"),
        ([24], ["  "], "messages"),
    ],
)
def test_invalid_protocol_edit_is_refused(hours, messages, field):
    with pytest.raises(ValidationFailed) as refused:
        followups.check_protocol(hours, messages)
    assert refused.value.field == field


def test_edited_protocol_does_not_change_follow_ups_already_scheduled(clinic):
    appointment = completed(clinic, "consultation")
    with session_scope(write=True) as session:
        followups.update_protocol(
            session,
            tenant_id=clinic.tenant.id,
            procedure_type="consultation",
            schedule_hours=[1],
            messages=["Otro texto"],
            escalation_keywords=[],
        )
    (row,) = follow_up_rows(appointment.id)
    assert row.message_template == "Hola, ¿cómo sigue {pet_name}? ¿Ha mejorado con el tratamiento?"


# --------------------------------------------------------------- scheduling


def test_completing_a_surgery_schedules_follow_ups_at_24_48_72_168_hours(clinic):
    appointment = completed(clinic, "surgery")
    rows = follow_up_rows(appointment.id)
    assert [(f.sequence_number, f.scheduled_at - appointment.end_at, f.status) for f in rows] == [
        (1, timedelta(hours=24), "pending"),
        (2, timedelta(hours=48), "pending"),
        (3, timedelta(hours=72), "pending"),
        (4, timedelta(hours=168), "pending"),
    ]
    assert all(f.client_id == clinic.client.id and f.pet_id == clinic.pet.id for f in rows)


def test_vaccination_and_consultation_follow_ups(clinic):
    vaccine = completed(clinic, "vaccination")
    consult = completed(clinic, "consultation", MONDAY_9 + timedelta(days=1))
    assert [f.scheduled_at - vaccine.end_at for f in follow_up_rows(vaccine.id)] == [
        timedelta(hours=24)
    ]
    assert [f.scheduled_at - consult.end_at for f in follow_up_rows(consult.id)] == [
        timedelta(hours=48)
    ]


def test_completing_without_a_procedure_type_schedules_nothing(clinic):
    appointment = book(clinic)
    clock.freeze(appointment.end_at)
    change_status(clinic, appointment, "completed")
    relay()
    assert follow_up_rows() == []


def test_visit_recorded_days_late_counts_from_the_recording(clinic):
    appointment = book(clinic)
    clock.freeze(appointment.end_at + timedelta(days=3))
    change_status(clinic, appointment, "completed", procedure_type="vaccination")
    relay()
    (row,) = follow_up_rows()
    assert row.scheduled_at == clock.now() + timedelta(hours=24)


def test_redelivered_completion_schedules_nothing_twice(clinic):
    from backend.models import OutboxEvent

    completed(clinic, "surgery")
    with session_scope(write=True) as session:
        for row in session.exec(select(OutboxEvent)):
            row.dispatched_at = None
            session.add(row)
    relay()
    assert len(follow_up_rows()) == 4


def test_cancel_or_no_show_cancels_pending_follow_ups(clinic):
    # follow-ups can only exist for a live appointment if made by hand; they must not go out
    appointment = book(clinic)
    other = book(clinic, MONDAY_9 + timedelta(days=1))
    with session_scope(write=True) as session:
        for a in (appointment, other):
            session.add(
                FollowUp(
                    tenant_id=clinic.tenant.id,
                    appointment_id=a.id,
                    client_id=clinic.client.id,
                    procedure_type="consultation",
                    message_template="Hola",
                    scheduled_at=a.end_at + timedelta(hours=48),
                )
            )
    relay()
    change_status(clinic, appointment, "cancelled")
    clock.freeze(other.end_at)
    change_status(clinic, other, "no_show")
    relay()
    rows = {f.appointment_id: (f.status, f.error) for f in follow_up_rows()}
    assert rows == {
        appointment.id: ("cancelled", "cita cancelada"),
        other.id: ("cancelled", "cita el paciente no asistió"),
    }


# ------------------------------------------------------------------ sending


def test_due_follow_up_is_sent_once_and_opens_a_collect_status_conversation(clinic):
    appointment = completed(clinic, "surgery")
    first_due = appointment.end_at + timedelta(hours=24)
    assert send_at(first_due - timedelta(seconds=1)) == 0
    assert send_at(first_due) == 1
    assert send_at(first_due + timedelta(minutes=5)) == 0  # the next sweep: nothing twice
    (message,) = follow_up_messages(clinic)
    assert message.body == (
        "Hola, ¿cómo sigue Luna después de la cirugía de ayer? ¿Ha comido y orinado con normalidad?"
    )
    rows = follow_up_rows()
    assert [f.status for f in rows] == ["sent", "pending", "pending", "pending"]
    assert rows[0].sent_at == first_due
    with session_scope() as session:
        conversation = session.get(Conversation, rows[0].conversation_id)
    assert conversation.state == "COLLECT_STATUS"
    assert conversation.type == "follow_up"
    assert conversation.follow_up_id == rows[0].id
    assert conversation.is_open
    assert conversation.timeout_at == first_due + timedelta(hours=24)


def test_every_follow_up_of_the_protocol_goes_at_its_time(clinic):
    appointment = completed(clinic, "surgery")
    sent = [send_at(appointment.end_at + timedelta(hours=h)) for h in (24, 48, 72, 168)]
    assert sent == [1, 1, 1, 1]
    assert [f.status for f in follow_up_rows()] == ["sent"] * 4
    assert "revisión de puntos para Luna" in follow_up_messages(clinic)[-1].body


def test_failed_send_is_recorded_and_retried_by_the_next_run(clinic, monkeypatch):
    appointment = completed(clinic, "vaccination")
    due = appointment.end_at + timedelta(hours=24)
    real = messaging.queue_text
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("proveedor caído")
        return real(*args, **kwargs)

    monkeypatch.setattr(messaging, "queue_text", flaky)
    # when: the first run fails
    assert send_at(due) == 0
    (row,) = follow_up_rows()
    assert (row.status, row.attempts, row.error) == ("failed", 1, "proveedor caído")
    with session_scope() as session:
        assert session.exec(select(Conversation)).all() == []  # the failed send left nothing behind
    # then: the next run (5 minutes later) sends it
    assert send_at(due + timedelta(minutes=5)) == 1
    (row,) = follow_up_rows()
    assert (row.status, row.attempts, row.error) == ("sent", 2, None)


def test_send_that_keeps_failing_stops_after_max_attempts(clinic, monkeypatch):
    appointment = completed(clinic, "vaccination")
    due = appointment.end_at + timedelta(hours=24)

    def broken(*args, **kwargs):
        raise RuntimeError("sin servicio")

    monkeypatch.setattr(messaging, "queue_text", broken)
    for minutes in range(0, 40, 5):
        send_at(due + timedelta(minutes=minutes))
    (row,) = follow_up_rows()
    assert (row.status, row.attempts) == ("failed", followups.MAX_SEND_ATTEMPTS)


def test_follow_up_waits_while_the_client_is_booking(clinic):
    appointment = completed(clinic, "vaccination")
    due = appointment.end_at + timedelta(hours=24)
    with session_scope(write=True) as session:
        busy = Conversation(
            tenant_id=clinic.tenant.id, client_phone=clinic.client.phone, state="OFFER_SLOTS"
        )
        session.add(busy)
    assert send_at(due) == 0
    assert [(f.status, f.attempts) for f in follow_up_rows()] == [("pending", 0)]
    with session_scope(write=True) as session:
        row = session.get(Conversation, busy.id)
        row.state, row.is_open = "CLOSED", False
        session.add(row)
    assert send_at(due + timedelta(minutes=5)) == 1


def test_follow_up_closes_a_finished_conversation_and_starts_its_own(clinic):
    appointment = completed(clinic, "vaccination")
    with session_scope(write=True) as session:
        done = Conversation(
            tenant_id=clinic.tenant.id, client_phone=clinic.client.phone, state="COMPLETED"
        )
        session.add(done)
    send_at(appointment.end_at + timedelta(hours=24))
    with session_scope() as session:
        old = session.get(Conversation, done.id)
        (current,) = session.exec(select(Conversation).where(col(Conversation.is_open))).all()
    assert (old.state, old.is_open) == ("CLOSED", False)
    assert current.state == "COLLECT_STATUS"


def test_cancelled_appointment_follow_up_is_not_sent(clinic):
    appointment = book(clinic)
    with session_scope(write=True) as session:
        session.add(
            FollowUp(
                tenant_id=clinic.tenant.id,
                appointment_id=appointment.id,
                client_id=clinic.client.id,
                procedure_type="consultation",
                message_template="Hola",
                scheduled_at=MONDAY_9 + timedelta(days=2),
            )
        )
    with session_scope(write=True) as session:  # cancelled behind the outbox's back
        row = session.get(Appointment, appointment.id)
        row.status = "cancelled"
        session.add(row)
    assert send_at(MONDAY_9 + timedelta(days=2)) == 0
    assert follow_up_rows()[0].status == "cancelled"


# ---------------------------------------------------------------- responses


def answered(clinic, text, procedure="surgery"):
    completed(clinic, procedure)
    send_at(follow_up_rows()[0].scheduled_at)
    follow_up = follow_up_rows()[0]
    with session_scope(write=True) as session:
        conversation = session.get(Conversation, follow_up.conversation_id)
        outcome = followups.record_follow_up_response(session, conversation, text)
    return outcome, follow_up


def test_spec_example_eating_normally_is_normal_and_responded(clinic):
    outcome, follow_up = answered(clinic, "Bien, está comiendo normal pero se queja cuando camina")
    assert (outcome.status, outcome.recommendation, outcome.escalated) == (
        "normal",
        "continue_protocol",
        False,
    )
    assert follow_up_rows()[0].status == "responded"
    with session_scope() as session:
        (response,) = session.exec(select(FollowUpResponse)).all()
        alerts = session.exec(select(Alert)).all()
    assert response.follow_up_id == follow_up.id
    assert response.analysis["recommendation"] == "continue_protocol"
    assert alerts == []
    assert "Luna" in outcome.reply


def test_escalation_keyword_alerts_the_vet(clinic):
    outcome, follow_up = answered(clinic, "Tiene un poco de sangrado en la herida y no come")
    assert (outcome.status, outcome.recommendation, outcome.escalated) == (
        "concern",
        "alert_vet",
        True,
    )
    assert set(outcome.matched_keywords) == {"sangrado", "no come"}
    assert follow_up_rows()[0].status == "escalated"
    with session_scope() as session:
        alert = session.exec(select(Alert)).one()
        deliveries = session.exec(select(AlertDelivery)).all()
        response = session.exec(select(FollowUpResponse)).one()
    assert alert.kind == "follow_up_escalation"
    assert alert.subject_id == follow_up.id
    assert "sangrado" in alert.body and "Luna" in alert.title
    assert [(d.channel, d.target) for d in deliveries] == [("whatsapp", "+573209876543")]
    assert response.requires_escalation and response.escalated_at == clock.now()
    assert outcome.alert_id == alert.id


def test_more_negative_than_positive_words_is_concern_to_monitor(clinic):
    outcome, _ = answered(clinic, "La veo mal, me preocupa, tiene un problema al caminar")
    assert (outcome.status, outcome.recommendation, outcome.escalated) == (
        "concern",
        "monitor",
        False,
    )
    assert follow_up_rows()[0].status == "responded"
    with session_scope() as session:
        assert session.exec(select(Alert)).all() == []


def test_consultation_keyword_no_mejora_escalates(clinic):
    outcome, _ = answered(clinic, "Sigue igual, no mejora", procedure="consultation")
    assert outcome.escalated
    assert set(outcome.matched_keywords) == {"igual", "no mejora"}


def test_escalated_follow_up_stays_escalated_after_a_calm_answer(clinic):
    answered(clinic, "tiene fiebre")
    follow_up = follow_up_rows()[0]
    with session_scope(write=True) as session:
        conversation = session.get(Conversation, follow_up.conversation_id)
        outcome = followups.record_follow_up_response(
            session, conversation, "ya está mejor, gracias"
        )
    assert outcome.status == "normal"
    assert follow_up_rows()[0].status == "escalated"
    with session_scope() as session:
        assert len(session.exec(select(FollowUpResponse)).all()) == 2


def test_conversation_without_a_follow_up_records_nothing(clinic):
    with session_scope(write=True) as session:
        conversation = Conversation(tenant_id=clinic.tenant.id, client_phone=clinic.client.phone)
        session.add(conversation)
        assert followups.record_follow_up_response(session, conversation, "bien") is None


def test_client_answer_through_the_assistant_is_filed(clinic):
    from backend.services.assistant.inbound import InboundMessage, process_inbound_message
    from tests.factories import receive

    appointment = completed(clinic, "surgery")
    send_at(appointment.end_at + timedelta(hours=24))
    clock.advance(timedelta(minutes=10))
    message_id = receive(
        InboundMessage(
            tenant_id=clinic.tenant.id,
            from_phone=clinic.client.phone,
            to_phone=clinic.tenant.whatsapp_numbers[0],
            body="Está con fiebre y la herida tiene pus",
            provider_sid="SMx1",
        )
    )
    process_inbound_message(message_id)
    assert follow_up_rows()[0].status == "escalated"
    with session_scope() as session:
        assert session.exec(select(Alert).where(Alert.kind == "follow_up_escalation")).one()


# ----------------------------------------------------------------- read/cancel


def test_cancel_pending_follow_up(clinic):
    completed(clinic, "vaccination")
    (row,) = follow_up_rows()
    with session_scope(write=True) as session:
        cancelled = followups.cancel_follow_up(
            session, tenant_id=clinic.tenant.id, follow_up_id=row.id
        )
    assert cancelled.status == "cancelled"
    assert send_at(row.scheduled_at) == 0


def test_sent_follow_up_cannot_be_cancelled(clinic):
    appointment = completed(clinic, "vaccination")
    send_at(appointment.end_at + timedelta(hours=24))
    (row,) = follow_up_rows()
    with pytest.raises(IllegalTransition), session_scope(write=True) as session:
        followups.cancel_follow_up(session, tenant_id=clinic.tenant.id, follow_up_id=row.id)


def test_other_clinic_cannot_see_or_cancel(clinic):
    completed(clinic, "vaccination")
    (row,) = follow_up_rows()
    other = build_clinic(slug="otra", whatsapp="+14155550199", phone="+573009999999")
    with pytest.raises(NotFound), session_scope() as session:
        followups.get_follow_up(session, tenant_id=other.tenant.id, follow_up_id=row.id)
    with pytest.raises(NotFound), session_scope(write=True) as session:
        followups.cancel_follow_up(session, tenant_id=other.tenant.id, follow_up_id=row.id)


def test_list_filters_by_status(clinic):
    appointment = completed(clinic, "surgery")
    send_at(appointment.end_at + timedelta(hours=24))
    with session_scope() as session:
        pending, total = followups.list_follow_ups(
            session, tenant_id=clinic.tenant.id, statuses=["pending"]
        )
        everything, all_total = followups.list_follow_ups(session, tenant_id=clinic.tenant.id)
    assert (len(pending), total) == (3, 3)
    assert all_total == 4 and [f.sequence_number for f in everything] == [1, 2, 3, 4]
    with pytest.raises(ValidationFailed), session_scope() as session:
        followups.list_follow_ups(session, tenant_id=clinic.tenant.id, statuses=["nope"])


def test_demo_clinic_gets_protocols_and_follow_ups(db, frozen_clock, channel):
    from backend import demo

    with session_scope(write=True) as session:
        tenant = demo.seed_demo(session)
    with session_scope(read_only=True) as session:
        protocols = session.exec(
            select(FollowUpProtocol).where(FollowUpProtocol.tenant_id == tenant.id)
        ).all()
        rows = session.exec(select(FollowUp).where(FollowUp.tenant_id == tenant.id)).all()
        responses = session.exec(select(FollowUpResponse)).all()
    assert {p.procedure_type for p in protocols} == {"surgery", "vaccination", "consultation"}
    statuses = {f.status for f in rows}
    assert {"pending", "responded", "escalated"} <= statuses
    assert len(responses) >= 2
    # the completion events, delivered later, add nothing twice
    before = len(rows)
    relay()
    with session_scope(read_only=True) as session:
        after = session.exec(select(FollowUp).where(FollowUp.tenant_id == tenant.id)).all()
    assert len(after) >= before
    assert len({(f.appointment_id, f.sequence_number) for f in after}) == len(after)
