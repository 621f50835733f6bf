"""The conversation engine: one inbound message in, the state's handler, replies out.

Order of concerns for every message, in every state: a conversation taken
over by staff gets no answer; an emergency is looked for first (except while
one is being confirmed or is already escalated); then the current state's
handler runs. Handlers only change state through `Turn.move`, so an illegal
transition is logged and never applied.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from backend.domain.conversation_states import BOOKING_STATES, State
from backend.domain.errors import DomainError
from backend.domain.language import Intent, YesNo, normalize
from backend.models import Client, Conversation, Message, Tenant
from backend.services.assistant import replies
from backend.services.assistant.context import Turn
from backend.services.assistant.flows import appointments, emergency, handoff, intents
from backend.services.assistant.flows import booking as booking_flow
from backend.services.assistant.understanding import understand
from backend.services.outreach import followups
from backend.services.patients import clients
from backend.services.scheduling.availability import bookable_doctors, find_free_slots

log = logging.getLogger("backend.services.assistant")

_MIXED = re.compile(r"\b(?:pero|aunque|sin embargo|solo que|excepto)\b")
"""A follow-up answer with a "but" deserves one more question (spec §3.3)."""

HANDLERS = {
    State.IDLE: intents.open_conversation,
    State.GREETING: intents.on_name,
    State.INTENT_DETECTION: intents.handle,
    State.ASK_REASON: booking_flow.on_reason,
    State.OFFER_SLOTS: booking_flow.on_selection,
    State.AWAIT_SELECTION: booking_flow.on_selection,
    State.CONFIRM_BOOKING: booking_flow.on_confirm,
    State.CONFIRM_EMERGENCY: emergency.on_confirm,
    State.REMINDER: intents.on_reminder_answer,
    State.ESCALATE: emergency.on_escalated,
}


def _client_for(session: Session, tenant: Tenant, phone: str) -> Client | None:
    try:
        return clients.find_by_phone(session, tenant, phone)
    except DomainError:
        return None


def _tool_runner(turn: Turn) -> Any:
    """The read-only tools Claude may call, answered by our services."""

    def run(name: str, data: dict[str, Any]) -> Any:
        if name == "check_availability":
            day = date.fromisoformat(str(data.get("date", "")))
            found = find_free_slots(
                turn.session,
                tenant=turn.tenant,
                doctors=bookable_doctors(turn.session, turn.tenant.id, for_assistant=True),
                start_day=day,
                now=turn.now,
                limit=12,
                holder_conversation_id=turn.conversation.id,
            )
            return [replies.offer_label(turn.local(s.start), turn.today) for s in found]
        if name == "list_appointments":
            return [
                appointments.line(turn, a)
                for a in appointments.upcoming(turn.session, turn.client, turn.now)
            ]
        return {"error": "unknown tool"}

    return run


def _switches_flow(turn: Turn) -> bool:
    """Mid-booking, a clear request about an existing appointment starts a new conversation."""
    intent = turn.understanding.intent
    if intent not in (Intent.CANCEL, Intent.RESCHEDULE, Intent.MY_APPOINTMENTS):
        return False
    if turn.state == State.CONFIRM_BOOKING and intent == Intent.CANCEL:
        return False  # "cancelar" here means "no"
    if intent != Intent.MY_APPOINTMENTS and not appointments.upcoming(
        turn.session, turn.client, turn.now
    ):
        return False
    return turn.understanding.yes_no == YesNo.UNCLEAR


def _follow_up(turn: Turn) -> None:
    """COLLECT_STATUS: the answer to a post-procedure follow-up, filed and read by the follow-up service."""
    detection = turn.understanding.emergency
    outcome = None
    if turn.text.strip():
        outcome = followups.record_follow_up_response(turn.session, turn.conversation, turn.text)
    if detection.is_potential_emergency and not (outcome and outcome.escalated):
        emergency.start(turn, detection)
        return
    if outcome is not None and outcome.escalated:
        if turn.move(State.ESCALATE):
            turn.say(outcome.reply)
        return
    mixed = outcome is not None and (
        outcome.status == "concern" or _MIXED.search(normalize(turn.text))
    )
    if mixed and not turn.data.get("follow_up_asked"):
        turn.data["follow_up_asked"] = True  # spec §3.3: one question more before closing
        turn.say(replies.follow_up_more())
        return
    if turn.move(State.COMPLETED):
        turn.quiet()
        turn.say(outcome.reply if outcome else replies.thanks_reply())


def dispatch(turn: Turn) -> None:
    """Runs the handler for the conversation's state (emergencies first)."""
    if not turn.text.strip() and turn.message.media:
        handoff.media_without_text(turn)
        return
    said = turn.understanding.client_name
    if said and turn.client is not None and not turn.client.name:
        turn.ensure_client(said)  # "soy Ana" in any message names a client known by number only
    if turn.state == State.COLLECT_STATUS:
        _follow_up(turn)
        return
    if turn.state == State.ESCALATE:
        emergency.on_escalated(turn)
        return
    detection = turn.understanding.emergency
    if turn.state == State.COMPLETED:
        if not detection.is_potential_emergency and intents.on_completed(turn):
            return
        turn.restart()
    if detection.is_potential_emergency and turn.state != State.CONFIRM_EMERGENCY:
        emergency.start(turn, detection)
        return
    if turn.state != State.CONFIRM_EMERGENCY:
        intent = turn.understanding.intent
        if intent == Intent.HUMAN:
            if turn.client is None:
                turn.ensure_client(intents.profile_name(turn.message.profile_name))
            handoff.to_staff(turn)
            return
        if intent == Intent.LATER and turn.state != State.IDLE:
            handoff.later(turn)
            return
    if turn.state in BOOKING_STATES and _switches_flow(turn):
        turn.restart()
    handler = HANDLERS.get(turn.state)
    if handler is None:  # CLOSED never reaches here: closed conversations get no messages
        log.error("conversation %s in %s has no handler", turn.conversation.id, turn.state)
        return
    handler(turn)


def _expired(conversation: Conversation, now: datetime) -> bool:
    """Past a timeout that closes silently (the sweep has not run yet)."""
    if conversation.timeout_at is None or conversation.timeout_at > now:
        return False
    closing = conversation.state in (State.COMPLETED.value, State.REMINDER.value)
    return closing or bool((conversation.state_data or {}).get("quiet"))


def respond(
    session: Session, *, tenant: Tenant, conversation: Conversation, message: Message, now: datetime
) -> Turn:
    """Answers one stored inbound message within the caller's transaction."""
    client = _client_for(session, tenant, conversation.client_phone)
    if client is not None:
        conversation.client_id = client.id
    turn = Turn(
        session=session,
        tenant=tenant,
        conversation=conversation,
        message=message,
        now=now,
        client=client,
        data=dict(conversation.state_data or {}),
    )
    if message.to_phone:
        turn.data["clinic_phone"] = message.to_phone
    if _expired(conversation, now):  # the sweep would have closed it: start afresh
        turn.restart()
    turn.data.pop("quiet", None)
    turn.understanding = understand(turn, _tool_runner(turn))
    dispatch(turn)
    return turn
