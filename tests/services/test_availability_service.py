"""Free slots read from the database: appointments, time off, holds, DST zones."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.models import Conversation, SlotHold, TimeOff
from backend.services.actors import SYSTEM
from backend.services.scheduling import booking
from backend.services.scheduling.availability import find_free_slots
from tests.factories import make_client, make_doctor, make_tenant, weekday_periods


def local_times(slots, tz: str) -> list[str]:
    return [s.start.astimezone(ZoneInfo(tz)).strftime("%a %H:%M") for s in slots]


def test_free_slots_skip_appointments_time_off_and_other_chats_holds(db, frozen_clock):
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        doctor = make_doctor(
            session, tenant, periods=weekday_periods("08:00", "11:00"), buffer_minutes=0
        )
        client = make_client(session, tenant)
        friday_8 = datetime(2027, 1, 29, 13, 0, tzinfo=UTC)
        booking.create(
            session,
            tenant=tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=doctor.id, client_id=client.id, start_at=friday_8
            ),
        )
        session.add(
            TimeOff(
                tenant_id=tenant.id,
                doctor_id=doctor.id,
                start_at=friday_8 + timedelta(hours=1),
                end_at=friday_8 + timedelta(hours=2),
            )
        )
        chat = Conversation(tenant_id=tenant.id, client_phone="+573001230000")
        mine = Conversation(tenant_id=tenant.id, client_phone="+573001230001")
        session.add_all([chat, mine])
        session.flush()
        for conversation, minutes in ((chat, 30), (mine, 120)):
            session.add(
                SlotHold(
                    tenant_id=tenant.id,
                    doctor_id=doctor.id,
                    conversation_id=conversation.id,
                    start_at=friday_8 + timedelta(minutes=minutes),
                    end_at=friday_8 + timedelta(minutes=minutes + 30),
                    expires_at=clock.now() + timedelta(minutes=15),
                )
            )
    with session_scope(read_only=True) as session:
        slots = find_free_slots(
            session,
            tenant=tenant,
            doctors=[doctor],
            start_day=date(2027, 1, 29),
            now=clock.now(),
            limit=None,
            holder_conversation_id=mine.id,
        )
    # 08:00 booked, 08:30 held by another chat, 09:00-10:00 time off; this chat's own hold at 10:00 stays offered
    assert local_times(slots, tenant.timezone) == ["Fri 10:00", "Fri 10:30"]


def test_expired_holds_do_not_block(db, frozen_clock):
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        doctor = make_doctor(
            session, tenant, periods=weekday_periods("08:00", "09:00"), buffer_minutes=0
        )
        chat = Conversation(tenant_id=tenant.id, client_phone="+573001230000")
        session.add(chat)
        session.flush()
        session.add(
            SlotHold(
                tenant_id=tenant.id,
                doctor_id=doctor.id,
                conversation_id=chat.id,
                start_at=datetime(2027, 1, 29, 13, 0, tzinfo=UTC),
                end_at=datetime(2027, 1, 29, 13, 30, tzinfo=UTC),
                expires_at=clock.now() - timedelta(seconds=1),
            )
        )
    with session_scope(read_only=True) as session:
        slots = find_free_slots(
            session,
            tenant=tenant,
            doctors=[doctor],
            start_day=date(2027, 1, 29),
            now=clock.now(),
            limit=None,
        )
    assert local_times(slots, tenant.timezone) == ["Fri 08:00", "Fri 08:30"]


def test_santiago_spring_forward_day_has_no_slots_in_the_missing_hour(db):
    """2026-09-06: Santiago clocks jump from 00:00 to 01:00; a 00:00-03:00 shift is two real hours."""
    clock.freeze(datetime(2026, 9, 1, 12, 0, tzinfo=UTC))
    try:
        with session_scope(write=True) as session:
            tenant = make_tenant(session, timezone="America/Santiago", country="CL")
            doctor = make_doctor(
                session,
                tenant,
                periods=[{"weekday": 6, "start": "00:00", "end": "03:00"}],
                buffer_minutes=0,
                min_notice_minutes=0,
            )
        with session_scope(read_only=True) as session:
            slots = find_free_slots(
                session,
                tenant=tenant,
                doctors=[doctor],
                start_day=date(2026, 9, 6),
                now=clock.now(),
                limit=None,
            )
        assert [
            s.start.astimezone(ZoneInfo("America/Santiago")).strftime("%H:%M") for s in slots
        ] == ["01:00", "01:30", "02:00", "02:30"]
        assert len({s.start for s in slots}) == 4
    finally:
        clock.unfreeze()


def test_santiago_fall_back_day_books_both_real_hours(db):
    """2026-04-04: 24:00 becomes 23:00 again, so 22:00-24:00 holds three real hours of slots."""
    clock.freeze(datetime(2026, 4, 1, 12, 0, tzinfo=UTC))
    try:
        with session_scope(write=True) as session:
            tenant = make_tenant(session, timezone="America/Santiago", country="CL")
            doctor = make_doctor(
                session,
                tenant,
                periods=[{"weekday": 5, "start": "22:00", "end": "24:00"}],
                buffer_minutes=0,
                min_notice_minutes=0,
            )
            client = make_client(session, tenant, phone="+56912345678")
        with session_scope(read_only=True) as session:
            slots = find_free_slots(
                session,
                tenant=tenant,
                doctors=[doctor],
                start_day=date(2026, 4, 4),
                now=clock.now(),
                limit=None,
            )
        assert len(slots) == 6 and slots[-1].end - slots[0].start == timedelta(hours=3)
        with session_scope(write=True) as session:
            for slot in slots:  # every real slot is bookable, none collides with another
                booking.create(
                    session,
                    tenant=tenant,
                    actor=SYSTEM,
                    data=booking.NewAppointment(
                        doctor_id=doctor.id,
                        client_id=client.id,
                        start_at=slot.start,
                        end_at=slot.end,
                    ),
                )
    finally:
        clock.unfreeze()


def test_slots_across_doctors_are_soonest_first(db, frozen_clock):
    with session_scope(write=True) as session:
        tenant = make_tenant(session)
        early = make_doctor(
            session, tenant, name="Dra. Temprano", periods=weekday_periods("08:00", "09:00")
        )
        late = make_doctor(
            session,
            tenant,
            name="Dr. Tarde",
            email=f"{uuid.uuid4().hex}@x.co",
            periods=weekday_periods("07:00", "08:00"),
        )
    with session_scope(read_only=True) as session:
        slots = find_free_slots(
            session,
            tenant=tenant,
            doctors=[early, late],
            start_day=date(2027, 1, 29),
            end_day=date(2027, 1, 30),
            now=clock.now(),
            limit=3,
        )
    assert [s.doctor_id for s in slots] == [late.id, late.id, early.id]
    assert slots == sorted(slots, key=lambda s: s.start)
