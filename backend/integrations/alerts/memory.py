"""An in-memory transport for tests: nothing leaves the process; failures on request."""

from __future__ import annotations

from dataclasses import dataclass

from backend.integrations.alerts.transport import DeliveryFailed


@dataclass(frozen=True)
class SentEmail:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class SlackPost:
    url: str
    text: str


class MemoryTransport:
    """Records every e-mail and webhook post; `fail_next` makes the next sends fail instead."""

    name = "memory"

    def __init__(self) -> None:
        self.emails: list[SentEmail] = []
        self.posts: list[SlackPost] = []
        self._failures: list[DeliveryFailed] = []

    def fail_next(
        self, message: str = "refused by the fake", *, retryable: bool, times: int = 1
    ) -> None:
        """The next `times` sends (e-mail or webhook) raise DeliveryFailed and record nothing."""
        self._failures.extend(DeliveryFailed(message, retryable=retryable) for _ in range(times))

    def send_email(self, *, to: str, subject: str, body: str) -> None:
        self._fail_if_told()
        self.emails.append(SentEmail(to=to, subject=subject, body=body))

    def post_slack(self, *, url: str, text: str) -> None:
        self._fail_if_told()
        self.posts.append(SlackPost(url=url, text=text))

    def _fail_if_told(self) -> None:
        if self._failures:
            raise self._failures.pop(0)
