"""/activar/<token>: a person sets their password with the one-time link they were sent."""

from __future__ import annotations

from typing import Any

import reflex as rx

from backend.domain.errors import DomainError
from backend.services.clinics import staff
from vetassist_app.states.messages import spanish


def token_from_path(path: str) -> str:
    """The token is the last segment of /activar/<token>/."""
    return path.rstrip("/").rsplit("/", 1)[-1]


class ActivationState(rx.State):
    """Public (no session): the link itself is the credential, checked on every event."""

    status: str = "loading"  # loading, ready, invalid, done
    full_name: str = ""
    email: str = ""
    clinic_name: str = ""
    purpose: str = "invite"
    error: str = ""

    @rx.event
    def open_link(self) -> None:
        holder = staff.link_holder(token_from_path(self.router.url.path))
        self.error = ""
        if holder is None:
            self.status = "invalid"
            self.full_name = self.email = self.clinic_name = ""
            return
        self.status = "ready"
        self.full_name = holder.full_name
        self.email = holder.email
        self.clinic_name = holder.clinic_name
        self.purpose = holder.purpose

    @rx.event
    def set_password(self, form: dict[str, Any]) -> None:
        try:
            staff.set_password_with_link(
                token=token_from_path(self.router.url.path),
                password=str(form.get("password", "")),
                repeated=str(form.get("repeat_password", "")),
            )
        except DomainError as exc:
            if exc.code == "link_invalid":
                self.status = "invalid"
            self.error = spanish(exc)
            return
        self.error = ""
        self.status = "done"
