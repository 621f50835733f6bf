"""Appointment statuses, priorities, sources and the legal status transitions."""

from __future__ import annotations

from enum import StrEnum

from backend.domain.errors import IllegalTransition, ValidationFailed


class Status(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


class Priority(StrEnum):
    NORMAL = "normal"
    EMERGENCY = "emergency"


class Source(StrEnum):
    WHATSAPP = "whatsapp"
    PORTAL = "portal"
    API = "api"


class ProcedureType(StrEnum):
    CONSULTATION = "consultation"
    VACCINATION = "vaccination"
    SURGERY = "surgery"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PENDING: frozenset(
        {Status.CONFIRMED, Status.CANCELLED, Status.COMPLETED, Status.NO_SHOW}
    ),
    Status.CONFIRMED: frozenset({Status.CANCELLED, Status.COMPLETED, Status.NO_SHOW}),
    Status.CANCELLED: frozenset(),
    Status.COMPLETED: frozenset(),
    Status.NO_SHOW: frozenset(),
}

RESCHEDULABLE = frozenset({Status.PENDING, Status.CONFIRMED})


def parse_status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise ValidationFailed(
            f"unknown status '{value}' (allowed: {allowed})", field="status"
        ) from None


def check_transition(current: str, target: Status) -> None:
    """Raises IllegalTransition unless `current -> target` is allowed."""
    if target not in TRANSITIONS[Status(current)]:
        raise IllegalTransition(
            f"an appointment that is {current} cannot become {target.value}", field="status"
        )


def check_reschedulable(current: str) -> None:
    if Status(current) not in RESCHEDULABLE:
        raise IllegalTransition(f"an appointment that is {current} cannot be moved", field="status")
