"""Merging duplicate clients keeps every row: pets, appointments, conversations,
emergencies and follow-ups move to the client kept; the duplicate's number stays as
the kept client's other phone, which the assistant still recognises."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from backend.core.db import session_scope
from backend.domain.errors import NotFound, ValidationFailed
from backend.integrations.llm import set_interpreter
from backend.integrations.whatsapp import SandboxChannel, set_channel
from backend.models import (
    Appointment,
    AuditLog,
    Client,
    ClientPhone,
    Conversation,
    EmergencyEvent,
    FollowUp,
    OutboxEvent,
    Pet,
)
from backend.services.actors import Actor
from backend.services.patients import client_directory, clients, merging
from backend.services.scheduling import booking
from tests.chat import Chat, configure_webhook
from tests.factories import make_client, make_doctor, make_tenant, weekday_periods

ACTOR = Actor(type="user", id="u1", label="Recepción")
FRIDAY_9 = datetime(2027, 1, 29, 14, 0, tzinfo=UTC)
KEPT_PHONE = "+573001234567"
SECOND_PHONE = "+573157654321"


@pytest.fixture
def clinic(db, frozen_clock):
    """One person known twice: each record with a pet, two appointments, a conversation,
    an emergency and a follow-up; plus a third client nobody touches."""
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        doctor = make_doctor(session, tenant, periods=weekday_periods("08:00", "18:00"))
        keep = make_client(session, tenant, phone=KEPT_PHONE, name="Camila Rodríguez")
        duplicate = make_client(session, tenant, phone=SECOND_PHONE, name="Cami")
        bystander = make_client(session, tenant, phone="+573200000000", name="Otra Persona")
        clients.add_pet(session, keep, name="Luna", species="gato")
        clients.add_pet(session, duplicate, name="Rocky", species="perro")
        clients.add_pet(session, bystander, name="Kira", species="perro")
    hour = 0
    for owner in (keep, duplicate, keep, duplicate, bystander):
        appointment = booking.book(
            tenant_id=tenant.id,
            actor=ACTOR,
            data=booking.NewAppointment(
                doctor_id=doctor.id, client_id=owner.id, start_at=FRIDAY_9 + timedelta(hours=hour)
            ),
        )
        hour += 1
        with session_scope(write=True) as session:
            session.add(
                FollowUp(
                    tenant_id=tenant.id,
                    appointment_id=appointment.id,
                    client_id=owner.id,
                    procedure_type="consultation",
                    message_template="Hola",
                    scheduled_at=appointment.end_at + timedelta(hours=48),
                )
            )
    with session_scope(write=True) as session:
        for owner in (keep, duplicate, bystander):
            conversation = Conversation(
                tenant_id=tenant.id, client_id=owner.id, client_phone=owner.phone, is_open=False
            )
            session.add(conversation)
            session.add(
                EmergencyEvent(tenant_id=tenant.id, client_id=owner.id, client_phone=owner.phone)
            )
    return tenant, keep, duplicate, bystander


def rows_of(client_id: uuid.UUID) -> dict[str, int]:
    """How many rows of each kind point at the client."""
    with session_scope(read_only=True) as session:
        return {
            model.__tablename__: session.exec(  # type: ignore[attr-defined]
                select(sa.func.count()).where(model.client_id == client_id)  # type: ignore[attr-defined]
            ).one()
            for model in (Pet, Appointment, Conversation, EmergencyEvent, FollowUp)
        }


def test_merge_keeps_every_row_on_the_client_kept(clinic):
    tenant, keep, duplicate, bystander = clinic
    kept_before, merged_before = rows_of(keep.id), rows_of(duplicate.id)
    bystander_before = rows_of(bystander.id)
    assert all(count > 0 for count in merged_before.values())

    result = merging.merge_clients(
        tenant_id=tenant.id, actor=ACTOR, keep_id=keep.id, merge_id=duplicate.id
    )

    expected = {k: kept_before[k] + merged_before[k] for k in kept_before}
    assert rows_of(keep.id) == expected
    assert rows_of(duplicate.id) == dict.fromkeys(expected, 0)
    assert rows_of(bystander.id) == bystander_before
    assert result.appointments == merged_before["appointment"]
    with session_scope(read_only=True) as session:
        assert session.get(Client, duplicate.id) is None
        assert session.exec(select(sa.func.count()).select_from(Appointment)).one() == 5
        kept = session.get(Client, keep.id)
        assert (kept.name, kept.phone) == ("Camila Rodríguez", KEPT_PHONE)


def test_merge_audits_each_moved_appointment_and_the_merge(clinic):
    tenant, keep, duplicate, _ = clinic

    merging.merge_clients(tenant_id=tenant.id, actor=ACTOR, keep_id=keep.id, merge_id=duplicate.id)

    with session_scope(read_only=True) as session:
        audit = session.exec(select(AuditLog).where(AuditLog.action == "merge_client")).all()
        merged = session.exec(select(OutboxEvent).where(OutboxEvent.type == "client.merged")).one()
        versions = session.exec(
            select(Appointment.version).where(
                col(Appointment.id).in_([a.appointment_id for a in audit])
            )
        ).all()
    assert len(audit) == 2
    assert {tuple(a.changes["client_id"]) for a in audit} == {(str(duplicate.id), str(keep.id))}
    assert versions == [2, 2]
    assert merged.payload["merged"]["phone"] == SECOND_PHONE
    assert merged.payload["actor"]["label"] == "Recepción"


def test_merged_number_stays_as_another_phone_of_the_client_kept(clinic):
    tenant, keep, duplicate, _ = clinic

    merging.merge_clients(tenant_id=tenant.id, actor=ACTOR, keep_id=keep.id, merge_id=duplicate.id)

    with session_scope(write=True) as session:
        assert session.exec(select(ClientPhone.phone)).all() == [SECOND_PHONE]
        found = clients.find_by_phone(session, tenant, "315 765 4321")
        again = clients.find_or_create(session, tenant, phone=SECOND_PHONE)
    assert found is not None and found.id == keep.id
    assert again.id == keep.id
    assert client_directory.client_card(tenant.id, keep.id).other_phones == [SECOND_PHONE]


def test_search_by_the_merged_number_finds_the_client_kept(clinic):
    tenant, keep, duplicate, _ = clinic
    merging.merge_clients(tenant_id=tenant.id, actor=ACTOR, keep_id=keep.id, merge_id=duplicate.id)

    with session_scope(read_only=True) as session:
        by_old_number = client_directory.search_clients(session, tenant.id, "7654321")
        by_kept_number = client_directory.search_clients(session, tenant.id, "1234567")
        nobody = client_directory.search_clients(session, tenant.id, "9999999")
    assert [c.id for c in by_old_number] == [keep.id]
    assert [c.id for c in by_kept_number] == [keep.id]
    assert nobody == []


def test_assistant_knows_a_message_from_the_merged_number(clinic, monkeypatch):
    tenant, keep, duplicate, _ = clinic
    merging.merge_clients(tenant_id=tenant.id, actor=ACTOR, keep_id=keep.id, merge_id=duplicate.id)
    configure_webhook(monkeypatch)
    set_channel(SandboxChannel())
    set_interpreter(None)
    try:
        chat = Chat(None, phone=SECOND_PHONE)
        chat.direct("Hola", tenant_id=tenant.id)
        conversation = chat.conversation()
    finally:
        set_channel(None)
    assert conversation.client_id == keep.id
    with session_scope(read_only=True) as session:
        assert session.exec(select(sa.func.count()).select_from(Client)).one() == 2


def test_merge_refuses_itself_and_another_clinics_client(clinic):
    tenant, keep, _, _ = clinic
    with session_scope(write=True) as session:
        other = make_tenant(session, slug="otra", whatsapp="+14155550199")
        stranger = make_client(session, other, phone="+573001111111")

    with pytest.raises(ValidationFailed):
        merging.merge_clients(tenant_id=tenant.id, actor=ACTOR, keep_id=keep.id, merge_id=keep.id)
    with pytest.raises(NotFound):
        merging.merge_clients(
            tenant_id=tenant.id, actor=ACTOR, keep_id=keep.id, merge_id=stranger.id
        )
    with session_scope(read_only=True) as session:
        assert session.get(Client, stranger.id) is not None
