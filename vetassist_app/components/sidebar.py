"""The navigation: on a computer the left sidebar (logo, sections allowed for the role, who
is logged in); on a phone a bar across the top with the same sections behind a menu button
(portal.css swaps them below 768 px)."""

from __future__ import annotations

from typing import Any

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


def logout_form(button_id: str, variant: str, **props: Any) -> rx.Component:
    """The logout: a form the browser posts, so the server can clear the HttpOnly cookie."""
    return browser_form(
        rx.button(
            rx.icon("log_out", size=16),
            "Cerrar sesión",
            type="submit",
            variant=variant,  # type: ignore[arg-type]
            color_scheme="gray",
            width="100%",
            id=button_id,
        ),
        action=backend_url(session_cookie.LOGOUT_PATH),
        width="100%",
        **props,
    )


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
        logout_form("logout", "soft"),
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


def _menu_entry(item: routes.NavItem, active_route: str) -> rx.Component:
    entry = rx.menu.item(
        rx.hstack(rx.icon(item.icon, size=16), rx.text(item.label), align="center", spacing="2"),
        on_select=rx.redirect(item.route),
        color_scheme="teal" if item.route == active_route else "gray",
        id=f"menu-{item.route.strip('/')}",
    )
    return rx.cond(SessionState.nav_routes.contains(item.route), entry)


def phone_bar(active_route: str) -> rx.Component:
    """The phone's navigation: the page's section, open emergencies one tap away, and every
    section (and the logout) in a menu."""
    current = next((item.label for item in routes.NAV if item.route == active_route), "")
    return rx.hstack(
        rx.image(src="/logo.svg", width="28px", height="28px", alt="VetAssist"),
        rx.vstack(
            rx.text(current or "VetAssist", weight="bold", size="3", line_height="1.1"),
            rx.text(SessionState.clinic_name, size="1", color_scheme="gray", trim="both"),
            spacing="0",
            align="start",
            min_width="0",
        ),
        rx.spacer(),
        rx.cond(
            PulseState.open_count > 0,
            rx.link(
                rx.badge(
                    rx.icon("siren", size=14),
                    PulseState.open_count,
                    color_scheme="red",
                    variant="solid",
                    size="2",
                ),
                href=routes.EMERGENCIES,
                id="phone-emergencies",
            ),
        ),
        rx.menu.root(
            rx.menu.trigger(
                rx.icon_button(
                    rx.icon("menu", size=20),
                    variant="soft",
                    color_scheme="gray",
                    size="3",
                    id="phone-menu",
                    aria_label="Menú",
                ),
            ),
            rx.menu.content(
                *[_menu_entry(item, active_route) for item in routes.NAV],
                rx.menu.separator(),
                rx.text(
                    SessionState.user_name,
                    " · ",
                    SessionState.role_label,
                    size="1",
                    padding="0 0.75rem",
                    color_scheme="gray",
                ),
                logout_form("phone-logout", "ghost", padding="0.25rem 0.5rem"),
                min_width="14rem",
            ),
        ),
        class_name="va-topbar",
        align="center",
        spacing="3",
        width="100%",
    )
