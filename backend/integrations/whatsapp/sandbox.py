"""The embedded default: nothing leaves the machine; the stored message is the output."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from backend.core.clock import utcnow
from backend.integrations.whatsapp.channel import SendResult


class SandboxChannel:
    """Accepts every message and invents a provider id.

    The stored outbound row (body, or the template's ContentSid when the
    24-hour window is closed) is what the portal's sandbox page shows; `sent`
    keeps the last calls for tests, and is what `find_sent` answers from (a
    new process has forgotten them: "not found").
    """

    name = "sandbox"

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

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
        sid = "SB" + uuid.uuid4().hex
        self.record(
            sid=sid,
            from_phone=from_phone,
            to_phone=to_phone,
            body=body,
            content_sid=content_sid,
            content_variables=content_variables,
        )
        return SendResult(provider_sid=sid, status="sent")

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
        return [
            SendResult(provider_sid=kept["sid"], status="sent")
            for kept in self.sent
            if (kept["from"], kept["to"], kept["body"]) == (from_phone, to_phone, body)
            and (kept["content_sid"], kept["content_variables"]) == (content_sid, content_variables)
            and kept["sent_at"] >= sent_after
        ]

    def record(
        self,
        *,
        sid: str,
        from_phone: str,
        to_phone: str,
        body: str | None,
        content_sid: str | None = None,
        content_variables: dict[str, Any] | None = None,
    ) -> None:
        """Keeps a message "sent" through the sandbox (bounded, for tests and the sandbox page)."""
        if len(self.sent) >= 1000:
            del self.sent[:500]
        self.sent.append(
            {
                "sid": sid,
                "from": from_phone,
                "to": to_phone,
                "body": body,
                "content_sid": content_sid,
                "content_variables": content_variables,
                "sent_at": utcnow(),
            }
        )
