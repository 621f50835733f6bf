"""The process's alert transport: built from the SMTP settings, swappable in tests."""

from __future__ import annotations

from backend.integrations.alerts.smtp_webhook import SmtpWebhookTransport
from backend.integrations.alerts.transport import AlertTransport

_transport: AlertTransport | None = None


def get_alert_transport() -> AlertTransport:
    """The process's transport, built from settings on first use."""
    global _transport
    if _transport is None:
        _transport = SmtpWebhookTransport.from_settings()
    return _transport


def set_alert_transport(transport: AlertTransport | None) -> None:
    """Swaps the transport (tests); None rebuilds it from settings on next use."""
    global _transport
    _transport = transport
