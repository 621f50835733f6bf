"""Who is acting: recorded in the audit log and `created_by`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    type: str  # user, api_key, assistant, system, google
    id: str | None = None
    label: str | None = None

    @property
    def display(self) -> str:
        return f"{self.type}:{self.label or self.id or '-'}"


SYSTEM = Actor(type="system", label="system")
ASSISTANT = Actor(type="assistant", label="asistente WhatsApp")
GOOGLE = Actor(type="google", label="Google Calendar")
"""A change the doctor made to our event in Google Calendar, applied by the poll."""
