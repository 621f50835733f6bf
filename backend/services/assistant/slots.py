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
from backend.domain.language.when import PartOfDay
from backend.domain.service_matching import BookableService
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
    """Slots fitting what the client asked for ("el viernes en la tarde"), an hour apart;
    for "a última hora" the day's last ones, latest first."""
    zone = ZoneInfo(tz)
    excluded = set(exclude)
    chosen: list[Slot] = []
    latest_first = hint.part_of_day == PartOfDay.END_OF_DAY
    ordered = sorted(
        slots,
        key=lambda s: (
            s.start.astimezone(zone).date(),
            -s.start.timestamp() if latest_first else s.start.timestamp(),
            str(s.doctor_id),
        ),
    )
    for slot in ordered:
        if slot.start in excluded or not hint.matches(slot.start.astimezone(zone)):
            continue
        spaced = abs(slot.start - chosen[-1].start) >= timedelta(hours=1) if chosen else True
        if not spaced and not hint.times and not latest_first:
            continue
        if any(c.start == slot.start for c in chosen):
            continue
        chosen.append(slot)
        if len(chosen) == count:
            break
    return chosen


def closest(
    slots: Iterable[Slot],
    hint: WhenHint,
    *,
    tz: str,
    count: int = OFFER_COUNT,
    exclude: Iterable[datetime] = (),
) -> list[Slot]:
    """Slots on the days asked for nearest the time or hours asked for, in time order (when
    none fits exactly: "mañana al mediodía" when noon is the doctors' break)."""
    zone = ZoneInfo(tz)
    excluded = set(exclude)

    def offset(slot: Slot) -> int:
        """Minutes from what was asked: negative before it, positive after, 0 inside."""
        local = slot.start.astimezone(zone)
        minutes = local.hour * 60 + local.minute
        if hint.times:
            return min((minutes - (t.hour * 60 + t.minute) for t in hint.times), key=abs)
        if hint.hours is not None:
            start, end = hint.hours[0] * 60, hint.hours[1] * 60
            return minutes - start if minutes < start else max(0, minutes - end + 1)
        return 0

    on_days = [
        s
        for s in slots
        if s.start not in excluded
        and (not hint.days or s.start.astimezone(zone).date() in hint.days)
    ]
    by_distance = sorted(on_days, key=lambda s: (abs(offset(s)), s.start, str(s.doctor_id)))
    # The nearest on each side first ("al mediodía": 11:30 AM and 2:00 PM), then the next.
    sides = [
        next((s for s in by_distance if offset(s) <= 0), None),
        next((s for s in by_distance if offset(s) > 0), None),
    ]
    chosen: list[Slot] = []
    for slot in [s for s in sides if s is not None] + by_distance:
        if all(c.start != slot.start for c in chosen):
            chosen.append(slot)
        if len(chosen) == count:
            break
    return sorted(chosen, key=lambda s: s.start)


def _clinic_open(tenant: Tenant, slot: Slot) -> bool:
    """Whether the slot lies inside the opening hours the clinic tells its clients (a doctor's
    own plan may run longer; the assistant never offers a time it says the clinic is closed)."""
    hours = tenant.business_hours
    if not hours:
        return True
    zone = ZoneInfo(tenant.timezone)
    start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
    periods = hours.get(str(start.weekday())) or []
    first, last = start.strftime("%H:%M"), end.strftime("%H:%M")
    return any(a <= first and (last <= b or end.date() > start.date()) for a, b in periods)


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
    nearest: bool = False,
    service: BookableService | None = None,
) -> list[Offer]:
    """Up to three free slots to offer (matching `hint` when the client named a moment, or
    nearest to it on its days with `nearest`; strictly between `after` and `before` when
    the client asked for later or earlier ones), as long as `service` lasts and only with
    doctors offering it."""
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
            service=service,
        )
        free = [s for s in free if _clinic_open(tenant, s)]
        if after is not None or before is not None:
            free = [
                s
                for s in free
                if (after is None or s.start > after) and (before is None or s.start < before)
            ]
        taken = excluded + [s.start for s in chosen]
        if hint is not None and nearest:
            picked = closest(
                free, hint, tz=tenant.timezone, count=OFFER_COUNT - len(chosen), exclude=taken
            )
        elif hint is not None:
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
