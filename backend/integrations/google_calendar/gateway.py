"""What the product needs from a calendar provider, and the errors it can answer with.

Services talk to `CalendarGateway`; `google_client.GoogleCalendarGateway` is
the implementation on Google's SDK, and tests point it at `fake_server`. The
errors carry whether another attempt may help, so callers retry quota and
server errors with backoff and record the rest at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

RETRYABLE_403_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


def is_retryable(status: int, reason: str | None) -> bool:
    """5xx, 429 and a rate-limit 403 may succeed later; any other 4xx will not.

    Status 0 stands for no answer at all (timeout, connection refused).
    """
    if status == 0 or status >= 500 or status == 429:
        return True
    return status == 403 and reason in RETRYABLE_403_REASONS


class CalendarError(Exception):
    """The provider refused or failed a call."""

    def __init__(
        self, status: int, reason: str | None, retryable: bool | None = None, message: str = ""
    ) -> None:
        self.status = status
        self.reason = reason
        self.retryable = is_retryable(status, reason) if retryable is None else retryable
        self.message = message
        super().__init__(f"{status} {reason or ''}: {message}".strip())


class AlreadyExists(CalendarError):
    """An insert with a client-chosen id that the calendar already has (409)."""


class SyncTokenExpired(CalendarError):
    """The sync token is no longer valid (410): a full resync is needed."""


class ConnectionBroken(CalendarError):
    """The refresh token was revoked or expired (`invalid_grant`): the clinic must reconnect."""

    def __init__(self, message: str = "invalid_grant") -> None:
        super().__init__(400, "invalid_grant", retryable=False, message=message)


def is_gone(error: CalendarError) -> bool:
    """404 or 410: the event does not exist (any more); a delete counts as done."""
    return error.status in (404, 410)


@dataclass(frozen=True)
class EventPage:
    """One page of `events.list`; `next_sync_token` only on the last page."""

    items: list[dict[str, Any]] = field(default_factory=list)
    next_page_token: str | None = None
    next_sync_token: str | None = None


@dataclass(frozen=True)
class Channel:
    """A push-notification channel opened by `watch`."""

    id: str
    resource_id: str
    expiration_ms: int | None


@dataclass(frozen=True)
class CalendarInfo:
    """One calendar of the account's calendar list (`accessRole` owner/writer can be written)."""

    id: str
    summary: str
    primary: bool
    access_role: str


class CalendarGateway(Protocol):
    """The calendar calls the product makes (Google Calendar v3 semantics)."""

    def insert_event(self, calendar_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Creates the event; raises AlreadyExists when its id is taken (even by a deleted one)."""
        ...

    def patch_event(
        self, calendar_id: str, event_id: str, body: dict[str, Any]
    ) -> dict[str, Any]: ...

    def get_event(self, calendar_id: str, event_id: str) -> dict[str, Any]: ...

    def delete_event(self, calendar_id: str, event_id: str) -> None:
        """Deletes the event; 404/410 are raised as CalendarError (callers treat them as done)."""
        ...

    def list_events(
        self,
        calendar_id: str,
        *,
        sync_token: str | None = None,
        page_token: str | None = None,
        time_min: str | None = None,
        show_deleted: bool = True,
        single_events: bool = True,
    ) -> EventPage:
        """One page; raises SyncTokenExpired (410) when `sync_token` is no longer valid."""
        ...

    def watch(
        self, calendar_id: str, *, channel_id: str, address: str, token: str, ttl_s: int
    ) -> Channel: ...

    def stop_channel(self, channel_id: str, resource_id: str) -> None: ...

    def free_busy(
        self, calendar_ids: list[str], *, time_min: str, time_max: str
    ) -> dict[str, list[dict[str, str]]]:
        """Busy intervals per calendar id."""
        ...

    def list_calendars(self) -> list[CalendarInfo]:
        """Every calendar in the account's calendar list (all pages)."""
        ...
