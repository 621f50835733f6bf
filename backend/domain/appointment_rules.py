"""Appointment statuses, priorities, sources and the legal status transitions."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from backend.domain.errors import IllegalTransition, NothingToUndo, TooEarly, ValidationFailed


class Status(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


STATUS_LABELS: dict[str, str] = {
    Status.PENDING: "Pendiente",
    Status.CONFIRMED: "Confirmada",
    Status.COMPLETED: "Completada",
    Status.CANCELLED: "Cancelada",
    Status.NO_SHOW: "No asistió",
}
"""How staff read each status (portal, printouts, exports)."""


class Priority(StrEnum):
    NORMAL = "normal"
    EMERGENCY = "emergency"


class Source(StrEnum):
    WHATSAPP = "whatsapp"
    PORTAL = "portal"
    API = "api"


SOURCE_LABELS: dict[str, str] = {
    Source.WHATSAPP: "WhatsApp",
    Source.PORTAL: "Portal",
    Source.API: "Integración (API)",
}


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

AFTER_START = frozenset({Status.COMPLETED, Status.NO_SHOW})
"""Outcomes of a visit: known only once it was due to begin."""

UNDO_WINDOW = timedelta(hours=24)
UNDOABLE_ACTIONS = frozenset({"complete", "no_show"})
"""Audit actions whose status change staff may take back within `UNDO_WINDOW`."""


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


def has_started(start_at: datetime, now: datetime) -> bool:
    return now >= start_at


def check_started(target: Status, start_at: datetime, now: datetime) -> None:
    """Raises TooEarly for completing or marking a no-show before the start time: a visit
    that has not begun has no outcome yet."""
    if target in AFTER_START and not has_started(start_at, now):
        raise TooEarly(
            f"an appointment cannot become {target.value} before it starts", field="status"
        )


def check_undoable(action: str, at: datetime, now: datetime) -> None:
    """Raises NothingToUndo unless the last change was a completion or a no-show made
    within `UNDO_WINDOW`."""
    if action not in UNDOABLE_ACTIONS:
        raise NothingToUndo("the last change of this appointment cannot be undone", field="status")
    if now - at > UNDO_WINDOW:
        raise NothingToUndo("a status change can be undone only within 24 hours", field="status")


def check_reschedulable(current: str) -> None:
    if Status(current) not in RESCHEDULABLE:
        raise IllegalTransition(f"an appointment that is {current} cannot be moved", field="status")
