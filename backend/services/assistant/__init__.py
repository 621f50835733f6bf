"""The WhatsApp assistant: conversation engine, flows, emergencies, timeouts.

Entry points:
- `accept_posted` (the webhook) / `accept` (the sandbox): store an inbound
  message and submit it to the assistant after the commit;
- `process_inbound_message(message_id)`: answer it (in-process or a Celery task);
- `sweep_conversation_timeouts(now)`: reminders and closing (periodic);
- `simulate_inbound`: the same path without Twilio (demo data, sandbox page).
"""

from backend.services.assistant import demo_data  # noqa: E402,F401  (registers the demo chats)
from backend.services.assistant.inbound import (
    InboundMessage,
    PostedMessage,
    UnknownNumber,
    accept,
    accept_posted,
    lock_open_conversation,
    process_inbound_message,
    simulate_inbound,
    store_inbound,
)
from backend.services.assistant.lifecycle import close_conversation
from backend.services.assistant.timeouts import apply_timeout, sweep_conversation_timeouts

__all__ = [
    "InboundMessage",
    "PostedMessage",
    "UnknownNumber",
    "accept",
    "accept_posted",
    "apply_timeout",
    "close_conversation",
    "lock_open_conversation",
    "process_inbound_message",
    "simulate_inbound",
    "store_inbound",
    "sweep_conversation_timeouts",
]
