"""Phone numbers the WhatsApp sandbox may write as: fictional, so no real client is ever one.

North American numbers 555-0100 to 555-0199 of every area code are reserved
for fiction (NANPA): no WhatsApp account has one, so a conversation from such
a number can only be a test, and a reply to one must never reach Twilio.
"""

from __future__ import annotations

import random
import re

_SANDBOX = re.compile(r"^\+1[2-9]\d{2}55501\d{2}$")


def is_sandbox_number(e164: str) -> bool:
    """Whether `e164` is one of the fictional numbers the sandbox uses."""
    return bool(_SANDBOX.match(e164 or ""))


def new_sandbox_number(rng: random.Random | None = None) -> str:
    """A fresh fictional number ("+12025550147") for a new test client."""
    pick = rng or random.Random()
    return f"+1{pick.randint(200, 999)}55501{pick.randint(0, 99):02d}"
