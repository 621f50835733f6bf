"""What a client's message says: Claude's reading when configured, the rules otherwise.

Claude (when ANTHROPIC_API_KEY is set) reads each message once, with the
conversation's state, the offered options and recent messages; what it says
comes first, the rules fill whatever it left out and take over entirely when
it fails. Both readings come out in one shape (an intent, a `WhenHint`, an
option index...), so the flows fill one booking draft whichever read the
message. Emergencies are the exception: the rules' keyword check always runs,
and either reader can raise the alarm (the client is asked to confirm before
anyone is alerted).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlmodel import col, select

from backend.domain.language import (
    EmergencyDetection,
    Intent,
    PetMention,
    WhenHint,
    YesNo,
    detect_emergency,
    detect_intent,
    detect_yes_no,
    extract_client_name,
    extract_pet,
    parse_slot_choice,
    parse_when,
    wants_other_slots,
)
from backend.domain.language.when import (
    PartOfDay,
    Shift,
    local_zone,
    requested_shift,
    structured_hint,
)
from backend.integrations.llm import Interpretation, LlmContext, get_interpreter
from backend.models import Message
from backend.services.assistant import replies
from backend.services.assistant.slots import Offer

HISTORY_MESSAGES = 6


class Understanding:
    """Readings of one text; Claude's only for the message being answered."""

    def __init__(self, text: str, llm: Interpretation | None = None) -> None:
        self.text = text or ""
        self.llm = llm

    @cached_property
    def rules_emergency(self) -> EmergencyDetection:
        return detect_emergency(self.text)

    @cached_property
    def emergency(self) -> EmergencyDetection:
        found = self.rules_emergency
        if found.is_potential_emergency or not (self.llm and self.llm.is_emergency):
            return found
        return EmergencyDetection(
            is_potential_emergency=True,
            confidence="medium",
            matched_keywords=(),
            category=self.llm.emergency_category,
        )

    @cached_property
    def intent(self) -> Intent:
        if self.llm and self.llm.intent and self.llm.intent != Intent.UNKNOWN:
            return Intent(self.llm.intent)
        return detect_intent(self.text)

    @cached_property
    def yes_no(self) -> YesNo:
        if self.llm and self.llm.yes_no in (YesNo.YES, YesNo.NO):
            return YesNo(self.llm.yes_no)
        return detect_yes_no(self.text)

    def slot_choice(self, offers: Sequence[Offer], *, now: datetime, tz: str) -> int | None:
        return self.choice([o.start for o in offers], now=now, tz=tz)

    def choice(self, starts: Sequence[datetime], *, now: datetime, tz: str) -> int | None:
        """Which of the listed moments (offered slots, the client's appointments) was picked."""
        if self.llm and self.llm.slot_option and self.llm.slot_option <= len(starts):
            return self.llm.slot_option - 1
        return parse_slot_choice(self.text, list(starts), now=now, tz=tz)

    def moment(self, *, now: datetime, tz: str) -> WhenHint | None:
        """The day, time or part of day the message names: Claude's fields first, the rules'
        for what Claude left out. Claude's days in the past or over a year ahead are dropped."""
        rules = parse_when(self.text, now=now, tz=tz)
        llm = self._llm_moment(now, tz)
        if llm is None or rules is None:
            return llm or rules
        times = llm.times or rules.times
        return WhenHint(
            days=llm.days or rules.days,
            times=times,
            hours=None if times else llm.hours or rules.hours,
            day_range=llm.day_range if llm.days else rules.day_range,
            part_of_day=llm.part_of_day or rules.part_of_day,
            shift=llm.shift or rules.shift,
        )

    def _llm_moment(self, now: datetime, tz: str) -> WhenHint | None:
        if self.llm is None:
            return None
        today = now.astimezone(local_zone(tz)).date()
        days = tuple(d for d in self.llm.dates if 0 <= (d - today).days <= 366)
        part = PartOfDay(self.llm.part_of_day) if self.llm.part_of_day else None
        return structured_hint(days, self.llm.clock, part, self.shift)

    @cached_property
    def shift(self) -> Shift | None:
        """Earlier or later than the options offered ("¿algo antes?", "más tardecito")."""
        if self.llm and self.llm.shift:
            return Shift(self.llm.shift)
        return requested_shift(self.text)

    @cached_property
    def rejects_offers(self) -> bool:
        """None of the offered options suits ("esas no me quedan"): read as a no to them."""
        return self.yes_no == YesNo.NO or bool(self.llm and self.llm.rejects_offers)

    @cached_property
    def wants_other_slots(self) -> bool:
        return wants_other_slots(self.text) or bool(self.llm and self.llm.wants_other_slots)

    @cached_property
    def client_name(self) -> str | None:
        return extract_client_name(self.text) or (self.llm.client_name if self.llm else None)

    @cached_property
    def pet(self) -> PetMention | None:
        found = extract_pet(self.text)
        if self.llm and (self.llm.pet_name or self.llm.pet_species):
            return PetMention(
                name=(found.name if found else None) or self.llm.pet_name,
                species=(found.species if found else None) or self.llm.pet_species,
            )
        return found

    @property
    def reason_summary(self) -> str | None:
        return self.llm.reason_summary if self.llm else None


def _now_local(turn: Any) -> str:
    moment = turn.local(turn.now)
    return f"{replies.long_date(moment.date())} de {moment.year}, {replies.clock_time(moment)}"


def _history(turn: Any) -> list[tuple[str, str]]:
    rows = turn.session.exec(
        select(Message.direction, Message.body)
        .where(
            Message.conversation_id == turn.conversation.id,
            Message.id != turn.message.id,
            col(Message.created_at) > turn.now - timedelta(hours=24),
        )
        .order_by(col(Message.created_at).desc())
        .limit(HISTORY_MESSAGES)
    ).all()
    return [
        ("cliente" if d == "inbound" else "asistente", body[:500]) for d, body in reversed(rows)
    ]


def understand(turn: Any, run_tool: Any = None) -> Understanding:
    """Reads the turn's message (asking Claude when configured)."""
    interpreter = get_interpreter()
    if interpreter is None or not turn.text.strip():
        return Understanding(turn.text)
    offers = [Offer.from_json(o) for o in turn.data.get("offers", [])]
    context = LlmContext(
        clinic_name=turn.clinic_name,
        state=turn.conversation.state,
        now_local=_now_local(turn),
        message=turn.text[:2000],
        offered=[replies.offer_label(turn.local(o.start), turn.today) for o in offers],
        history=_history(turn),
    )
    return Understanding(turn.text, interpreter.interpret(context, run_tool))
