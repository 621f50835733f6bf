"""Errors the domain and services raise; only `backend.api` turns them into HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """Base: a stable machine `code`, a human `message`, the `field` at fault if any."""

    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotFound(DomainError):
    code = "not_found"


class ValidationFailed(DomainError):
    code = "validation_failed"


class Conflict(DomainError):
    code = "conflict"


class SlotTaken(Conflict):
    code = "slot_taken"


class StaleVersion(Conflict):
    code = "stale_version"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class TooEarly(Conflict):
    """Completing or marking a no-show before the appointment's start time."""

    code = "before_start"


class NothingToUndo(Conflict):
    code = "nothing_to_undo"


class PermissionDenied(DomainError):
    code = "forbidden"
