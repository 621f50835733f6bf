"""Handing a conversation to the clinic's people, and answering what is not a request.

A client who asks for a person (in any wording) gets the staff takeover: the
assistant stays silent from then on, the clinic's alert contacts are told
through the alert service, and the client learns who answers and how to reach
the clinic now. A voice note or an image without text gets a request to
write; "mejor después" closes the conversation quietly.
"""

from __future__ import annotations

from datetime import datetime, time

from backend.services.alerting import alerts
from backend.services.assistant import replies
from backend.services.assistant.context import Turn
from backend.services.chats import lifecycle


def to_staff(turn: Turn) -> None:
    """Staff takes the conversation; the clinic is alerted; the client is told what happens next."""
    lifecycle.hand_to_staff(turn.session, turn.conversation, now=turn.now)
    who = turn.client.name if turn.client and turn.client.name else turn.conversation.client_phone
    alerts.raise_alert(
        turn.session,
        tenant=turn.tenant,
        kind="handoff",
        title=f"{who} pide hablar con una persona",
        body=replies.handoff_alert(who, turn.text),
        subject_id=turn.conversation.id,
    )
    turn.say(replies.handoff(turn.clinic_name, turn.clinic_phone, _opening(turn)))


def _opening(turn: Turn) -> str:
    """When a person can answer: now (open), later today, or the next day the clinic opens."""
    hours = turn.tenant.business_hours or {}
    local_now = turn.local(turn.now)
    for offset in range(8):
        day = turn.today.toordinal() + offset
        weekday = (turn.today.weekday() + offset) % 7
        for start, end in hours.get(str(weekday)) or []:
            opens = _at(local_now, day, start)
            closes = _at(local_now, day, end)
            if offset == 0 and opens <= local_now < closes:
                return ""  # open now
            if opens > local_now:
                label = (
                    "hoy"
                    if offset == 0
                    else "mañana"
                    if offset == 1
                    else replies.long_date(opens.date()).lower()
                )
                return f" en cuanto abramos ({label} a las {replies.clock_time(opens)})"
    return ""


def _at(local_now: datetime, ordinal: int, hhmm: str) -> datetime:
    hour, minute = (int(p) for p in hhmm.split(":"))
    day = local_now.date().fromordinal(ordinal)
    return datetime.combine(day, time(hour % 24, minute), local_now.tzinfo)


def media_without_text(turn: Turn) -> None:
    """A voice note, image or file with no words: ask for it in writing (nothing else changes)."""
    content_type = str((turn.message.media or [{}])[0].get("content_type", ""))
    turn.say(replies.media_without_text(content_type))


def later(turn: Turn) -> None:
    """ "Mejor después": no more questions, no "¿sigues ahí?"; it closes quietly."""
    turn.quiet()
    turn.say(replies.later_reply())
