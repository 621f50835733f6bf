"""What sending a WhatsApp message needs, whatever carries it.

`messaging` stores every outbound message first and then hands it to the
configured channel (`registry`); the channel only talks to the provider.
Errors say whether trying again could help (network, 5xx, rate limit) or not
(a 4xx: bad number, template refused), so callers never retry what cannot
succeed. This module names no implementation: they import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class SendResult:
    provider_sid: str
    status: str  # the provider's status right after accepting (queued, accepted, sent...)


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
