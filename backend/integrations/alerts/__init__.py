"""Alerts out by e-mail and Slack-compatible webhook: an interface, SMTP/HTTP and an in-memory fake."""

from backend.integrations.alerts.memory import MemoryTransport, SentEmail, SlackPost
from backend.integrations.alerts.registry import get_alert_transport, set_alert_transport
from backend.integrations.alerts.smtp_webhook import SmtpWebhookTransport
from backend.integrations.alerts.transport import AlertTransport, DeliveryFailed

__all__ = [
    "AlertTransport",
    "DeliveryFailed",
    "MemoryTransport",
    "SentEmail",
    "SlackPost",
    "SmtpWebhookTransport",
    "get_alert_transport",
    "set_alert_transport",
]
