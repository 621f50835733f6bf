"""The conversation states and the spec's transition table (002 §2.3)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from backend.domain.conversation_states import (
    STATE_TIMEOUTS,
    TRANSITIONS,
    State,
    can_transition,
    check_path,
    check_transition,
    parse_state,
    shortest_path,
    timeout_for,
)
from backend.domain.errors import IllegalTransition

SPEC_TABLE = {
    "IDLE": ["GREETING"],
    "GREETING": ["INTENT_DETECTION", "REMINDER"],
    "INTENT_DETECTION": [
        "ASK_REASON",
        "CONFIRM_EMERGENCY",
        "COLLECT_STATUS",
        "GREETING",
        "REMINDER",
    ],
    "ASK_REASON": ["OFFER_SLOTS", "CONFIRM_EMERGENCY", "REMINDER"],
    "OFFER_SLOTS": ["AWAIT_SELECTION", "ASK_REASON", "REMINDER"],
    "AWAIT_SELECTION": ["CONFIRM_BOOKING", "OFFER_SLOTS", "REMINDER"],
    "CONFIRM_BOOKING": ["COMPLETED", "OFFER_SLOTS", "REMINDER"],
    "CONFIRM_EMERGENCY": ["ESCALATE", "ASK_REASON", "CLOSED"],
    "ESCALATE": ["COMPLETED"],
    "COLLECT_STATUS": ["COMPLETED", "ESCALATE", "REMINDER"],
    "COMPLETED": ["CLOSED"],
    "REMINDER": ["INTENT_DETECTION", "CLOSED"],
    "CLOSED": ["GREETING"],
}
LEGAL = [(a, b) for a, targets in SPEC_TABLE.items() for b in targets]
ILLEGAL = [
    (a.value, b.value)
    for a, b in itertools.product(State, State)
    if (a.value, b.value) not in set(LEGAL) and a != b
]


def test_table_is_exactly_the_specs():
    assert {a.value: sorted(b.value for b in targets) for a, targets in TRANSITIONS.items()} == {
        a: sorted(b) for a, b in SPEC_TABLE.items()
    }


def test_states_are_the_specs_thirteen():
    assert [s.value for s in State] == list(SPEC_TABLE)


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_check_transition_accepts_legal_move(current, target):
    check_transition(current, target)
    assert can_transition(current, target)


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_check_transition_refuses_illegal_move(current, target):
    assert not can_transition(current, target)
    with pytest.raises(IllegalTransition):
        check_transition(current, target)


def test_check_transition_refuses_unknown_state():
    assert not can_transition("IDLE", "DANCING")
    with pytest.raises(IllegalTransition):
        check_transition("NOWHERE", "GREETING")
    with pytest.raises(IllegalTransition):
        parse_state("NOWHERE")


def test_check_path_accepts_spec_happy_path():
    check_path("IDLE", ["GREETING", "INTENT_DETECTION", "ASK_REASON"])
    check_path("OFFER_SLOTS", ["AWAIT_SELECTION", "CONFIRM_BOOKING", "COMPLETED", "CLOSED"])


def test_check_path_refuses_path_with_one_illegal_hop():
    with pytest.raises(IllegalTransition):
        check_path("IDLE", ["GREETING", "ASK_REASON"])


def test_shortest_path_reaches_emergency_from_booking_states():
    assert shortest_path("AWAIT_SELECTION", "CONFIRM_EMERGENCY") == [
        State.OFFER_SLOTS,
        State.ASK_REASON,
        State.CONFIRM_EMERGENCY,
    ]
    assert shortest_path("IDLE", "CONFIRM_EMERGENCY") == [
        State.GREETING,
        State.INTENT_DETECTION,
        State.CONFIRM_EMERGENCY,
    ]


def test_shortest_path_respects_avoided_states():
    assert (
        shortest_path(
            "COLLECT_STATUS", "CONFIRM_EMERGENCY", avoid={"REMINDER", "CLOSED", "COMPLETED"}
        )
        is None
    )
    assert shortest_path("ASK_REASON", "CLOSED", avoid={"CONFIRM_EMERGENCY"}) == [
        State.REMINDER,
        State.CLOSED,
    ]


def test_shortest_path_is_empty_when_already_there():
    assert shortest_path("ESCALATE", "ESCALATE") == []


def test_timeouts_cover_every_state_and_fall_back_legally():
    assert set(STATE_TIMEOUTS) == set(State)
    for state, timeout in STATE_TIMEOUTS.items():
        if timeout is not None:
            wait, fallback = timeout
            assert wait > timedelta(0)
            assert can_transition(state, fallback)


def test_timeout_for_uses_thirty_minutes_then_a_day():
    assert timeout_for("ASK_REASON") == (timedelta(minutes=30), State.REMINDER)
    assert timeout_for("REMINDER") == (timedelta(hours=24), State.CLOSED)
    assert timeout_for("CONFIRM_EMERGENCY") == (timedelta(minutes=5), State.CLOSED)
    assert timeout_for("ESCALATE") is None
