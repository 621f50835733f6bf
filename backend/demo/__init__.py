"""Demo data: a clinic with a week of appointments, WhatsApp chats and follow-ups.

It books, chats and schedules through the services like any client would; no
service imports it.
"""

from backend.demo.clinic import (
    DEMO_PASSWORD,
    DEMO_SLUG,
    DEMO_TEMPLATE_SID,
    DEMO_WHATSAPP,
    STAFF,
    any_tenant,
    demo_exists,
    seed_demo,
)

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_SLUG",
    "DEMO_TEMPLATE_SID",
    "DEMO_WHATSAPP",
    "STAFF",
    "any_tenant",
    "demo_exists",
    "seed_demo",
]
