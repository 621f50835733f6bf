"""The embedded default: nothing leaves the machine; the stored message is the output."""

from __future__ import annotations

import uuid
from typing import Any

from backend.integrations.whatsapp.channel import SendResult


class SandboxChannel:
    """Accepts every message and invents a provider id.

    The stored outbound row (body, or the template's ContentSid when the
    24-hour window is closed) is what the portal's sandbox page shows; `sent`
    keeps the last calls for tests.
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
            }
        )
