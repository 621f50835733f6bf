"""Any unknown path: a Spanish "not found" inside the portal's layout, with a way back."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes
from vetassist_app.states.session_state import SessionState
from vetassist_app.template import template


@template(routes.NOT_FOUND, "Página no encontrada")
def not_found() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("map_pin_off", size=40, color="var(--gray-9)"),
            rx.heading("No encontramos esta página", size="6"),
            rx.text(
                "La dirección puede estar mal escrita, o la página ya no existe.",
                color_scheme="gray",
                text_align="center",
            ),
            rx.link(rx.button("Volver al inicio", size="3"), href=SessionState.home_route),
            align="center",
            spacing="3",
            max_width="28rem",
        ),
        min_height="60vh",
        width="100%",
    )
