"""The WhatsApp channel out: an interface, the sandbox (default) and Twilio."""

from backend.integrations.whatsapp.channel import ChannelError, SendResult, WhatsAppChannel
from backend.integrations.whatsapp.registry import (
    channel_for,
    channel_for_account,
    get_channel,
    set_channel,
)
from backend.integrations.whatsapp.sandbox import SandboxChannel
from backend.integrations.whatsapp.twilio_channel import TwilioChannel

__all__ = [
    "ChannelError",
    "SandboxChannel",
    "SendResult",
    "TwilioChannel",
    "WhatsAppChannel",
    "channel_for",
    "channel_for_account",
    "get_channel",
    "set_channel",
]
