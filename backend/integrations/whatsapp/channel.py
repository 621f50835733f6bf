"""What sending a WhatsApp message needs, whatever carries it.

`messaging` stores every outbound message first and then hands it to the
configured channel (`registry`); the channel only talks to the provider.
Errors say whether trying again could help (network, 5xx, rate limit) or not
(a 4xx: bad number, template refused), so callers never retry what cannot
succeed. `find_sent` asks the provider what it already holds, so a message
whose worker died mid-send is neither lost nor sent twice. This module names
no implementation: they import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class SendResult:
    provider_sid: str
    status: str  # the provider's status right after accepting (queued, accepted, sent...)
    error_code: str | None = None  # the provider's error, for a message it later failed


class ChannelError(Exception):
    """The provider refused or could not be reached."""

    def __init__(self, message: str, *, code: str | None = None, retryable: bool) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable


class WhatsAppChannel(Protocol):
    name: str

    def send(
        self,
        *,
        from_phone: str,
        to_phone: str,
        body: str | None = None,
        content_sid: str | None = None,
        content_variables: dict[str, Any] | None = None,
        status_callback: str | None = None,
    ) -> SendResult:
        """Sends free text (`body`) or an approved template (`content_sid`)."""
        ...

    def find_sent(
        self,
        *,
        from_phone: str,
        to_phone: str,
        sent_after: datetime,
        body: str | None = None,
        content_sid: str | None = None,
        content_variables: dict[str, Any] | None = None,
    ) -> list[SendResult]:
        """The messages the provider holds from `from_phone` to `to_phone` since
        `sent_after` with this content (as `send` was given it), oldest first.

        Raises ChannelError when the provider cannot be asked.
        """
        ...
