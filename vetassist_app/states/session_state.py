"""Login, logout and the access check every page and handler goes through."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import reflex as rx

from backend.core.config import settings
from backend.domain.errors import DomainError
from backend.services.clinics import auth
from vetassist_app import routes
from vetassist_app.formatting import ROLE_LABEL
from vetassist_app.states.access import AccessDenied, NotLoggedIn, Viewer, require_user
from vetassist_app.states.messages import is_conflict, spanish

SESSION_COOKIE = "va_session"


def log_in(email: str, password: str) -> tuple[Viewer, str] | None:
    """A new session for valid credentials: (viewer, token); None otherwise."""
    token = auth.sign_in(email=email, password=password)
    if token is None:
        return None
    return require_user(token), token


class SessionState(rx.State):
    """The session token and who is logged in; every page state derives from it."""

    token: str = rx.Cookie(
        "",
        name=SESSION_COOKIE,
        max_age=settings.SESSION_TTL_HOURS * 3600,
        same_site="strict",
    )
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
        self.token = ""
        self.user_name = self.user_role = self.user_id = ""
        self.clinic_name = self.clinic_timezone = ""

    def _viewer(self, roles: Iterable[str] | None = None) -> Viewer:
        return require_user(self.token, roles)

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

    @rx.event
    def logout(self) -> Any:
        auth.sign_out(self.token)
        self._forget()
        return rx.redirect(routes.LOGIN)


class LoginState(SessionState):
    """The login form."""

    error: str = ""
    busy: bool = False

    @rx.event
    def open_login(self) -> Any:
        """on_load of the login page: someone already logged in goes straight in."""
        self.error = ""
        try:
            viewer = self._viewer()
        except NotLoggedIn:
            return None
        self._remember(viewer)
        return rx.redirect(routes.home_for(viewer.role))

    @rx.event
    def submit(self, form: dict[str, Any]) -> Any:
        result = log_in(str(form.get("email", "")), str(form.get("password", "")))
        if result is None:
            self.error = "Correo o contraseña incorrectos."
            return None
        viewer, token = result
        self.error = ""
        self.token = token
        self._remember(viewer)
        return rx.redirect(routes.home_for(viewer.role))
