"""Which real free slots the assistant offers, and holding them for the chat.

Up to three slots spread out so the client has a real choice: the first free
one today, then the first of each half-day (morning, afternoon) from tomorrow
on — e.g. "Hoy 4:30 PM / Mañana 9:00 AM / Mañana 2:00 PM". Only doctors open
to AI booking are offered. Offered slots are held (SlotHold, 15 minutes) so
another chat is not offered the same time; the booking service still has the
last word when the client says yes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, delete

from backend.domain.availability import Slot
from backend.domain.language import WhenHint
from backend.models import Conversation, SlotHold, StaffUser, Tenant
from backend.services.scheduling.availability import bookable_doctors, find_free_slots

OFFER_COUNT = 3
HOLD_FOR = timedelta(minutes=15)
NEAR_DAYS = 3
FAR_DAYS = 21
AFTERNOON_FROM_HOUR = 13


@dataclass(frozen=True)
class Offer:
    start: datetime
    end: datetime
    doctor_id: uuid.UUID

    def to_json(self) -> dict[str, str]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "doctor_id": str(self.doctor_id),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Offer:
        return cls(
            start=datetime.fromisoformat(data["start"]),
            end=datetime.fromisoformat(data["end"]),
            doctor_id=uuid.UUID(data["doctor_id"]),
        )

    @classmethod
    def from_slot(cls, slot: Slot) -> Offer:
        return cls(start=slot.start, end=slot.end, doctor_id=slot.doctor_id)


def spread(
    slots: Iterable[Slot],
    *,
    tz: str,
    today: date,
    count: int = OFFER_COUNT,
    exclude: Iterable[datetime] = (),
) -> list[Slot]:
    """First free slot today, then the first of each later half-day, soonest first."""
    zone = ZoneInfo(tz)
    excluded = set(exclude)
    chosen: list[Slot] = []
    groups: set[tuple[date, bool] | str] = set()
    for slot in sorted(slots, key=lambda s: (s.start, str(s.doctor_id))):
        if slot.start in excluded:
            continue
        moment = slot.start.astimezone(zone)
        group: tuple[date, bool] | str = (
            "today"
            if moment.date() == today
            else (moment.date(), moment.hour >= AFTERNOON_FROM_HOUR)
        )
        if group in groups:
            continue
        groups.add(group)
        chosen.append(slot)
        if len(chosen) == count:
            break
    return chosen


def matching(
    slots: Iterable[Slot],
    hint: WhenHint,
    *,
    tz: str,
    count: int = OFFER_COUNT,
    exclude: Iterable[datetime] = (),
) -> list[Slot]:
    """Slots fitting what the client asked for ("el viernes en la tarde"), an hour apart."""
    zone = ZoneInfo(tz)
    excluded = set(exclude)
    chosen: list[Slot] = []
    for slot in sorted(slots, key=lambda s: (s.start, str(s.doctor_id))):
        if slot.start in excluded or not hint.matches(slot.start.astimezone(zone)):
            continue
        if chosen and slot.start - chosen[-1].start < timedelta(hours=1) and not hint.times:
            continue
        if any(c.start == slot.start for c in chosen):
            continue
        chosen.append(slot)
        if len(chosen) == count:
            break
    return chosen


def offer_doctors(
    session: Session, tenant: Tenant, prefer: uuid.UUID | None = None
) -> list[StaffUser]:
    """Doctors open to AI booking; only `prefer` when given and open (rescheduling keeps the doctor)."""
    doctors = bookable_doctors(session, tenant.id, for_assistant=True)
    if prefer is not None:
        same = [d for d in doctors if d.id == prefer]
        if same:
            return same
    return doctors


def find_offers(
    session: Session,
    tenant: Tenant,
    conversation: Conversation,
    *,
    now: datetime,
    doctors: Sequence[StaffUser],
    hint: WhenHint | None = None,
    exclude: Iterable[datetime] = (),
    after: datetime | None = None,
    before: datetime | None = None,
) -> list[Offer]:
    """Up to three free slots to offer (matching `hint` when the client named a moment;
    strictly between `after` and `before` when the client asked for later or earlier ones)."""
    if not doctors:
        return []
    excluded = list(exclude)
    today = now.astimezone(ZoneInfo(tenant.timezone)).date()
    if hint is not None and hint.days:
        first, last = min(hint.days), max(hint.days)
        windows = [(max(first, today), max(last, today))]
    else:
        windows = [
            (today, today + timedelta(days=NEAR_DAYS)),
            (today + timedelta(days=NEAR_DAYS + 1), today + timedelta(days=FAR_DAYS)),
        ]
    chosen: list[Slot] = []
    for start_day, end_day in windows:
        free = find_free_slots(
            session,
            tenant=tenant,
            doctors=doctors,
            start_day=start_day,
            end_day=end_day,
            now=now,
            limit=None,
            holder_conversation_id=conversation.id,
        )
        if after is not None or before is not None:
            free = [
                s
                for s in free
                if (after is None or s.start > after) and (before is None or s.start < before)
            ]
        taken = excluded + [s.start for s in chosen]
        if hint is not None:
            picked = matching(
                free, hint, tz=tenant.timezone, count=OFFER_COUNT - len(chosen), exclude=taken
            )
        else:
            picked = spread(
                free,
                tz=tenant.timezone,
                today=today,
                count=OFFER_COUNT - len(chosen),
                exclude=taken,
            )
        chosen += picked
        if len(chosen) >= OFFER_COUNT:
            break
    return [Offer.from_slot(s) for s in chosen[:OFFER_COUNT]]


def hold(
    session: Session,
    tenant: Tenant,
    conversation: Conversation,
    offers: Sequence[Offer],
    *,
    now: datetime,
) -> None:
    """Replaces the chat's holds with holds on `offers`."""
    release(session, conversation.id)
    for offer in offers:
        session.add(
            SlotHold(
                tenant_id=tenant.id,
                doctor_id=offer.doctor_id,
                conversation_id=conversation.id,
                start_at=offer.start,
                end_at=offer.end,
                expires_at=now + HOLD_FOR,
            )
        )


def release(session: Session, conversation_id: uuid.UUID) -> None:
    session.exec(delete(SlotHold).where(col(SlotHold.conversation_id) == conversation_id))  # type: ignore[call-overload]
