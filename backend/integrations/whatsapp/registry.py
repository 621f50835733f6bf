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
    _accounts.clear()


def channel_for(to_phone: str) -> WhatsAppChannel:
    """The channel a message to `to_phone` goes through: a sandbox test number never reaches
    Twilio, whatever the process's channel."""
    channel = get_channel()
    return _sandbox if channel.name != "sandbox" and is_sandbox_number(to_phone) else channel


_accounts: dict[tuple[str, str, str], TwilioChannel] = {}


def channel_for_account(
    to_phone: str, account_sid: str | None, auth_token: str | None
) -> WhatsAppChannel:
    """`channel_for`, through a clinic's own Twilio account when it has one."""
    channel = channel_for(to_phone)
    if channel.name != "twilio" or not account_sid or not auth_token:
        return channel
    key = (account_sid, auth_token, settings.TWILIO_API_BASE_URL or "")
    if key not in _accounts:
        _accounts[key] = TwilioChannel(
            account_sid, auth_token, api_base_url=settings.TWILIO_API_BASE_URL
        )
    return _accounts[key]
