"""Who is logged in, the login page's messages, and the access check every page and
handler goes through.

Logging in and out are plain HTTP (`session_cookie`: the server sets and clears
the HttpOnly cookie); here the portal only reads the session key from the
event connection's headers and asks the database who holds it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import reflex as rx

from backend.domain.errors import DomainError
from vetassist_app import routes, session_cookie
from vetassist_app.formatting import ROLE_LABEL
from vetassist_app.states.access import AccessDenied, NotLoggedIn, Viewer, require_user
from vetassist_app.states.messages import is_conflict, spanish

MAX_WAIT_MINUTES = 24 * 60


def login_error(params: dict[str, str]) -> str:
    """The Spanish message for the login page's `?error=` (set by `POST /auth/login`)."""
    error = params.get("error", "")
    if error == "invalid":
        return "Correo o contraseña incorrectos."
    if error == "throttled":
        try:
            minutes = min(max(int(params.get("minutes", "")), 1), MAX_WAIT_MINUTES)
        except ValueError:
            minutes = 15
        unit = "minuto" if minutes == 1 else "minutos"
        return f"Demasiados intentos. Espera {minutes} {unit}."
    return ""


class SessionState(rx.State):
    """Who is logged in; every page state derives from it. The session itself is not
    state: each event reads its key from the connection (`_session_key`)."""

    user_name: str = ""
    user_role: str = ""
    user_id: str = ""
    clinic_name: str = ""
    clinic_timezone: str = ""

    @rx.var(cache=True)
    def role_label(self) -> str:
        return ROLE_LABEL.get(self.user_role, self.user_role)

    @rx.var(cache=True)
    def initials(self) -> str:
        words = [w for w in self.user_name.replace(".", " ").split() if w[:1].isupper()]
        return "".join(w[0] for w in words[-2:]) or "?"

    @rx.var(cache=True)
    def home_route(self) -> str:
        return routes.home_for(self.user_role)

    @rx.var(cache=True)
    def nav_routes(self) -> list[str]:
        """Routes of the sidebar entries this role may open."""
        role = self.user_role
        return [
            item.route for item in routes.NAV if role and (role == "admin" or role in item.roles)
        ]

    def _remember(self, viewer: Viewer) -> None:
        self.user_name = viewer.full_name
        self.user_role = viewer.role
        self.user_id = str(viewer.user_id)
        self.clinic_name = viewer.tenant_name
        self.clinic_timezone = viewer.timezone

    def _forget(self) -> None:
        self.user_name = self.user_role = self.user_id = ""
        self.clinic_name = self.clinic_timezone = ""

    def _session_key(self) -> str:
        """The session key from the event connection's cookie (hashed on the way in)."""
        return session_cookie.session_key_from(self.router.headers.cookie)

    def _viewer(self, roles: Iterable[str] | None = None, *, touch: bool = True) -> Viewer:
        return require_user(self._session_key(), roles, touch=touch)

    def _run(
        self,
        roles: Iterable[str] | None,
        action: Callable[[Viewer], Any],
        *,
        on_conflict: Callable[[Viewer], Any] | None = None,
    ) -> Any:
        """Runs `action(viewer)` after the access check, turning failures into UI events.

        Not logged in → to the login page; wrong role → a toast; a domain error
        → a Spanish toast; a lost race (stale version, slot taken) → reload
        through `on_conflict`, then the toast.
        """
        viewer, refusal = self._access(roles)
        if viewer is None:
            return refusal
        try:
            return action(viewer)
        except DomainError as exc:
            return self._explain(exc, viewer, on_conflict)

    def _access(self, roles: Iterable[str] | None) -> tuple[Viewer | None, Any]:
        """The viewer with one of `roles`; or None and the events that answer the refusal."""
        try:
            return self._viewer(roles), None
        except NotLoggedIn:
            self._forget()
            return None, rx.redirect(routes.LOGIN)
        except AccessDenied as exc:
            return None, rx.toast.error(exc.message)

    def _explain(
        self,
        exc: DomainError,
        viewer: Viewer,
        on_conflict: Callable[[Viewer], Any] | None = None,
    ) -> list[Any]:
        """A domain error as a Spanish toast (after `on_conflict`'s reload for a lost race)."""
        events: list[Any] = []
        if on_conflict is not None and is_conflict(exc):
            reloaded = on_conflict(viewer)
            if reloaded is not None:
                events.extend(reloaded if isinstance(reloaded, list) else [reloaded])
        events.append(rx.toast.error(spanish(exc), duration=8000))
        return events

    @rx.event
    def check_page(self, route: str) -> Any:
        """on_load of every portal page: a live session with a role allowed on `route`."""
        roles = routes.PAGE_ROLES.get(route, routes.ALL_STAFF)
        try:
            viewer = self._viewer()
        except NotLoggedIn:
            self._forget()
            return rx.redirect(routes.LOGIN)
        self._remember(viewer)
        if not viewer.can(roles):
            return [
                rx.redirect(routes.home_for(viewer.role)),
                rx.toast.error("Tu rol no tiene acceso a esa sección."),
            ]
        return None


class LoginState(SessionState):
    """The login page: the form posts to `POST /auth/login`, which comes back here with
    the reason when it refuses."""

    error: str = ""

    @rx.event
    def open_login(self) -> Any:
        """on_load of the login page: someone already logged in goes straight in;
        otherwise the refusal the server sent back, if any, in Spanish."""
        self.error = login_error(dict(self.router.url.query_parameters))
        try:
            viewer = self._viewer()
        except NotLoggedIn:
            return None
        self._remember(viewer)
        return rx.redirect(routes.home_for(viewer.role))
