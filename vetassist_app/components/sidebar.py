"""The left navigation: logo, sections allowed for the role, who is logged in."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes, session_cookie, styles
from vetassist_app.components.forms import backend_url, browser_form
from vetassist_app.states.pulse_state import PulseState
from vetassist_app.states.session_state import SessionState


def logo() -> rx.Component:
    return rx.hstack(
        rx.image(src="/logo.svg", width="34px", height="34px", alt="VetAssist"),
        rx.vstack(
            rx.text("VetAssist", weight="bold", size="4", line_height="1.1"),
            rx.text(
                SessionState.clinic_name,
                size="1",
                color_scheme="gray",
                line_height="1.2",
                trim="both",
            ),
            spacing="1",
            align="start",
        ),
        spacing="3",
        align="center",
        padding_x="0.4rem",
        margin_bottom="1.5rem",
    )


def nav_link(item: routes.NavItem, active_route: str) -> rx.Component:
    is_active = item.route == active_route
    badge = rx.fragment()
    if item.route == routes.EMERGENCIES:
        badge = rx.cond(
            PulseState.open_count > 0,
            rx.badge(PulseState.open_count, color_scheme="red", variant="solid", radius="full"),
        )
    link = rx.link(
        rx.hstack(
            rx.icon(item.icon, size=18),
            rx.text(item.label, size="2", weight="medium"),
            rx.spacer(),
            badge,
            align="center",
            spacing="3",
            style=styles.nav_item_active if is_active else styles.nav_item,
        ),
        href=item.route,
        underline="none",
        width="100%",
        id=f"nav-{item.route.strip('/')}",
    )
    return rx.cond(SessionState.nav_routes.contains(item.route), link)


def user_card() -> rx.Component:
    return rx.vstack(
        rx.divider(),
        rx.hstack(
            rx.avatar(fallback=SessionState.initials, size="2", radius="full", color_scheme="teal"),
            rx.vstack(
                rx.text(SessionState.user_name, size="2", weight="medium", trim="both"),
                rx.text(SessionState.role_label, size="1", color_scheme="gray"),
                spacing="1",
                align="start",
                min_width="0",
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        browser_form(
            rx.button(
                rx.icon("log_out", size=16),
                "Cerrar sesión",
                type="submit",
                variant="soft",
                color_scheme="gray",
                width="100%",
                id="logout",
            ),
            action=backend_url(session_cookie.LOGOUT_PATH),
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def sidebar(active_route: str) -> rx.Component:
    return rx.vstack(
        logo(),
        rx.vstack(
            *[nav_link(item, active_route) for item in routes.NAV],
            spacing="1",
            width="100%",
        ),
        rx.spacer(),
        user_card(),
        style=styles.sidebar,
        spacing="0",
    )
