"""The assistant's conversation states and the spec's transition table (002 §2).

Pure: the engine asks `check_transition` before every state change and walks
multi-step moves (IDLE → GREETING → INTENT_DETECTION → ASK_REASON within one
message) hop by hop, so every hop is a legal edge of the table. Staying in a
state is not a transition.

Timeouts (002 §2.2 with the issue's rule): a conversation waiting on the client
gets one "¿sigues ahí?" reminder after 30 minutes without an answer (the spec's
own example, §3.5, uses 30 minutes; its table's 10-15 minutes would nag), and
is closed silently 24 hours after the reminder. The table's other fallbacks
are kept as written: GREETING moves on after 5 minutes, an unconfirmed
emergency closes after 5 minutes, a follow-up waits 24 hours.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from datetime import timedelta
from enum import StrEnum

from backend.domain.errors import IllegalTransition


class State(StrEnum):
    IDLE = "IDLE"
    GREETING = "GREETING"
    INTENT_DETECTION = "INTENT_DETECTION"
    ASK_REASON = "ASK_REASON"
    OFFER_SLOTS = "OFFER_SLOTS"
    AWAIT_SELECTION = "AWAIT_SELECTION"
    CONFIRM_BOOKING = "CONFIRM_BOOKING"
    CONFIRM_EMERGENCY = "CONFIRM_EMERGENCY"
    ESCALATE = "ESCALATE"
    COLLECT_STATUS = "COLLECT_STATUS"
    COMPLETED = "COMPLETED"
    REMINDER = "REMINDER"
    CLOSED = "CLOSED"


S = State

TRANSITIONS: dict[State, frozenset[State]] = {
    S.IDLE: frozenset({S.GREETING}),
    S.GREETING: frozenset({S.INTENT_DETECTION, S.REMINDER}),
    S.INTENT_DETECTION: frozenset(
        {S.ASK_REASON, S.CONFIRM_EMERGENCY, S.COLLECT_STATUS, S.GREETING, S.REMINDER}
    ),
    S.ASK_REASON: frozenset({S.OFFER_SLOTS, S.CONFIRM_EMERGENCY, S.REMINDER}),
    S.OFFER_SLOTS: frozenset({S.AWAIT_SELECTION, S.ASK_REASON, S.REMINDER}),
    S.AWAIT_SELECTION: frozenset({S.CONFIRM_BOOKING, S.OFFER_SLOTS, S.REMINDER}),
    S.CONFIRM_BOOKING: frozenset({S.COMPLETED, S.OFFER_SLOTS, S.REMINDER}),
    S.CONFIRM_EMERGENCY: frozenset({S.ESCALATE, S.ASK_REASON, S.CLOSED}),
    S.ESCALATE: frozenset({S.COMPLETED}),
    S.COLLECT_STATUS: frozenset({S.COMPLETED, S.ESCALATE, S.REMINDER}),
    S.COMPLETED: frozenset({S.CLOSED}),
    S.REMINDER: frozenset({S.INTENT_DETECTION, S.CLOSED}),
    S.CLOSED: frozenset({S.GREETING}),  # a new conversation can start
}
"""Exactly the table of 002 §2.3."""

BOOKING_STATES = frozenset({S.ASK_REASON, S.OFFER_SLOTS, S.AWAIT_SELECTION, S.CONFIRM_BOOKING})
EMERGENCY_STATES = frozenset({S.CONFIRM_EMERGENCY, S.ESCALATE})
"""A reported emergency is being confirmed or waits for the vet."""

REMINDER_AFTER = timedelta(minutes=30)
CLOSE_AFTER_REMINDER = timedelta(hours=24)
GREETING_WAIT = timedelta(minutes=5)
EMERGENCY_CONFIRM_WAIT = timedelta(minutes=5)
FOLLOW_UP_WAIT = timedelta(hours=24)
COMPLETED_LINGER = timedelta(minutes=30)
"""A completed conversation stays open this long, so a "gracias" lands in the same thread."""

STATE_TIMEOUTS: dict[State, tuple[timedelta, State] | None] = {
    S.IDLE: None,
    S.GREETING: (GREETING_WAIT, S.INTENT_DETECTION),
    S.INTENT_DETECTION: (REMINDER_AFTER, S.REMINDER),
    S.ASK_REASON: (REMINDER_AFTER, S.REMINDER),
    S.OFFER_SLOTS: (REMINDER_AFTER, S.REMINDER),
    S.AWAIT_SELECTION: (REMINDER_AFTER, S.REMINDER),
    S.CONFIRM_BOOKING: (REMINDER_AFTER, S.REMINDER),
    S.CONFIRM_EMERGENCY: (EMERGENCY_CONFIRM_WAIT, S.CLOSED),
    S.ESCALATE: None,  # waits for the vet; resolving the emergency completes it
    S.COLLECT_STATUS: (FOLLOW_UP_WAIT, S.COMPLETED),
    S.COMPLETED: (COMPLETED_LINGER, S.CLOSED),
    S.REMINDER: (CLOSE_AFTER_REMINDER, S.CLOSED),
    S.CLOSED: None,
}
"""How long each state waits for the client, and where it goes then."""


def parse_state(value: str) -> State:
    try:
        return State(value)
    except ValueError:
        allowed = ", ".join(s.value for s in State)
        raise IllegalTransition(
            f"unknown conversation state '{value}' (known: {allowed})"
        ) from None


def can_transition(current: str, target: str) -> bool:
    """Whether the table has the edge `current -> target`."""
    try:
        return State(target) in TRANSITIONS[State(current)]
    except ValueError:
        return False


def check_transition(current: str, target: str) -> None:
    """Raises IllegalTransition unless the table has the edge `current -> target`."""
    if not can_transition(current, target):
        raise IllegalTransition(
            f"a conversation in {current} cannot move to {target}", field="state"
        )


def check_path(current: str, path: Sequence[str]) -> None:
    """Checks every hop of a multi-step move, raising on the first illegal one."""
    here = current
    for step in path:
        check_transition(here, step)
        here = step


def shortest_path(current: str, target: str, *, avoid: Iterable[str] = ()) -> list[State] | None:
    """The fewest legal hops from `current` to `target` (excluding `current`).

    `avoid` names states the path may not pass through (it may still end in
    one). None when the table has no such path; [] when already there.
    """
    start, goal = State(current), State(target)
    if start == goal:
        return []
    blocked = {State(s) for s in avoid} - {goal}
    previous: dict[State, State] = {}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for nxt in sorted(TRANSITIONS[here]):
            if nxt in previous or nxt == start or nxt in blocked:
                continue
            previous[nxt] = here
            if nxt == goal:
                path = [nxt]
                while previous[path[-1]] != start:
                    path.append(previous[path[-1]])
                return list(reversed(path))
            queue.append(nxt)
    return None


def timeout_for(state: str) -> tuple[timedelta, State] | None:
    """(wait, fallback state) for a state, or None when it does not time out."""
    return STATE_TIMEOUTS[State(state)]
