"""The process's WhatsApp channel: chosen by WHATSAPP_CHANNEL, swappable in tests."""

from __future__ import annotations

from backend.core.config import settings
from backend.domain.sandbox_numbers import is_sandbox_number
from backend.integrations.whatsapp.channel import WhatsAppChannel
from backend.integrations.whatsapp.sandbox import SandboxChannel
from backend.integrations.whatsapp.twilio_channel import TwilioChannel

_channel: WhatsAppChannel | None = None
_sandbox = SandboxChannel()


def _build() -> WhatsAppChannel:
    if settings.WHATSAPP_CHANNEL == "twilio":
        return TwilioChannel.from_settings()
    return SandboxChannel()


def get_channel() -> WhatsAppChannel:
    """The process's channel, built from settings on first use."""
    global _channel
    if _channel is None:
        _channel = _build()
    return _channel


def set_channel(channel: WhatsAppChannel | None) -> None:
    """Swaps the channel (tests, benchmarks); None rebuilds it from settings."""
    global _channel
    _channel = channel


def channel_for(to_phone: str) -> WhatsAppChannel:
    """The channel a message to `to_phone` goes through: a sandbox test number never reaches
    Twilio, whatever the process's channel."""
    channel = get_channel()
    return _sandbox if channel.name != "sandbox" and is_sandbox_number(to_phone) else channel
