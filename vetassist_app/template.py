"""`@template(route, title, on_load)`: a portal page with sidebar, banner and access check.

Pages are values (`PortalPage`), added to the app by `vetassist_app.py` in one list,
not registered as a side effect of importing their modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

from vetassist_app import styles
from vetassist_app.components.emergency_banner import emergency_banner
from vetassist_app.components.sidebar import phone_bar, sidebar
from vetassist_app.states.pulse_state import PulseState
from vetassist_app.states.session_state import SessionState


def loading() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="60vh", width="100%")


def layout(content: rx.Component, active_route: str) -> rx.Component:
    """Sidebar on the left; banner and page on the right (shown once the session checks out).
    On a phone the sidebar gives way to a bar on top (portal.css)."""
    return rx.hstack(
        rx.box(
            sidebar(active_route),
            align_self="stretch",
            background="var(--gray-2)",
            border_right="1px solid var(--gray-4)",
            class_name="va-sidebar",
        ),
        rx.box(
            phone_bar(active_route),
            emergency_banner(),
            rx.cond(SessionState.user_name != "", content, loading()),
            style=styles.main,
            class_name="va-main",
        ),
        spacing="0",
        align="start",
        width="100%",
        min_height="100vh",
        background="var(--gray-1)",
    )


@dataclass(frozen=True)
class PortalPage:
    """A page and how it is served; `vetassist_app.py` adds each one to the app explicitly."""

    render: Callable[[], rx.Component]
    route: str
    title: str
    on_load: list[Any]

    def add_to(self, app: rx.App) -> None:
        app.add_page(self.render, route=self.route, title=self.title, on_load=self.on_load)


def _loads(first: list[Any], on_load: Any | None) -> list[Any]:
    if on_load is None:
        return first
    return [*first, *(on_load if isinstance(on_load, list) else [on_load])]


def template(
    route: str,
    title: str,
    on_load: Any | None = None,
) -> Callable[[Callable[[], rx.Component]], PortalPage]:
    """A staff page inside the layout: the server checks the session and role before anything loads."""
    page_loads = _loads([SessionState.check_page(route), PulseState.first_beat], on_load)

    def decorator(content: Callable[[], rx.Component]) -> PortalPage:
        def page() -> rx.Component:
            return layout(content(), route)

        page.__name__ = content.__name__
        return PortalPage(page, route, f"{title} · VetAssist", page_loads)

    return decorator


def print_template(
    route: str, title: str, on_load: Any | None = None
) -> Callable[[Callable[[], rx.Component]], PortalPage]:
    """A staff page for paper: the same session and role check, no sidebar, bar or banner."""
    page_loads = _loads([SessionState.check_page(route)], on_load)

    def decorator(content: Callable[[], rx.Component]) -> PortalPage:
        def page() -> rx.Component:
            return rx.box(
                rx.cond(SessionState.user_name != "", content(), loading()),
                class_name="va-print",
            )

        page.__name__ = content.__name__
        return PortalPage(page, route, f"{title} · VetAssist", page_loads)

    return decorator


def public_page(
    route: str, title: str, on_load: Any | None = None
) -> Callable[[Callable[[], rx.Component]], PortalPage]:
    """A page outside the layout and the session check (the login)."""

    def decorator(render: Callable[[], rx.Component]) -> PortalPage:
        return PortalPage(render, route, title, _loads([], on_load))

    return decorator


def page_header(title: Any, subtitle: Any = "", *actions: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.heading(title, size="7", weight="bold"),
            rx.text(subtitle, color_scheme="gray", size="2"),
            spacing="1",
            align="start",
        ),
        rx.spacer(),
        *actions,
        align="end",
        width="100%",
        margin_bottom="1.25rem",
        class_name="va-page-header",
    )
