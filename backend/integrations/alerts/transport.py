"""What sending an alert by e-mail or Slack-compatible webhook needs, whatever carries it.

`alerts` decides who is told and keeps each delivery's attempts; a transport
only hands one message to the outside world. Its error says whether trying
again could help (network, 4xx SMTP answer, 5xx or 429) or not (no SMTP
server configured, recipient refused, a 4xx webhook answer), so a delivery
is never retried when it cannot succeed. This module names no implementation:
they import it.
"""

from __future__ import annotations

from typing import Protocol


class DeliveryFailed(Exception):
    """The message did not go out; `retryable` says whether a later attempt could succeed."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class AlertTransport(Protocol):
    name: str

    def send_email(self, *, to: str, subject: str, body: str) -> None:
        """Sends one plain-text e-mail."""
        ...

    def post_slack(self, *, url: str, text: str) -> None:
        """Posts `text` to a Slack-compatible incoming webhook."""
        ...
