"""Who is calling: the server-side check every page load and event handler runs.

The browser holds only an opaque session token, in an HttpOnly cookie the page
cannot read; the portal sees only its digest, the session key
(`session_cookie`). Each handler turns the key back into a `Viewer` here, from
the database (which also ends idle sessions), and checks the role it needs;
the clinic (tenant) of the viewer then scopes every read and write, so editing
a URL or an event payload cannot reach another clinic's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from backend.domain.errors import NotFound, PermissionDenied
from backend.services.actors import Actor
from backend.services.clinics import auth


class NotLoggedIn(Exception):
    """No live session (never logged in, logged out, idle too long, or expired)."""


class AccessDenied(PermissionDenied):
    """Logged in, but the role may not do this."""

    def __init__(self, message: str = "Tu rol no tiene permiso para esta acción.") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class Viewer:
    """The logged-in staff member behind an event, as read from the database."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: str
    full_name: str
    email: str
    tenant_name: str
    timezone: str
    country: str
    whatsapp_number: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(type="user", id=str(self.user_id), label=self.full_name)

    def can(self, roles: Iterable[str]) -> bool:
        return self.role == "admin" or self.role in set(roles)


def require_user(
    session_key: str | None, roles: Iterable[str] | None = None, *, touch: bool = True
) -> Viewer:
    """The viewer of a live session, with one of `roles` (any role when None).

    `touch` counts the call as the person's activity (it postpones the idle
    timeout); the portal's own background refreshes pass False.

    Raises:
        NotLoggedIn: unknown, revoked, idle or expired session, or inactive user.
        AccessDenied: the user's role is not among `roles`.
    """
    identity = auth.identify(session_key, touch=touch)
    if identity is None:
        raise NotLoggedIn()
    viewer = Viewer(
        user_id=identity.user_id,
        tenant_id=identity.tenant_id,
        role=identity.role,
        full_name=identity.full_name,
        email=identity.email,
        tenant_name=identity.tenant_name,
        timezone=identity.timezone,
        country=identity.country,
        whatsapp_number=identity.whatsapp_number,
    )
    if roles is not None and not viewer.can(roles):
        raise AccessDenied()
    return viewer


def parse_id(raw: str | None) -> uuid.UUID:
    """A UUID from an event or URL; a malformed one is as unknown as a foreign one."""
    try:
        return uuid.UUID(str(raw))
    except (ValueError, TypeError):
        raise NotFound("not found") from None
