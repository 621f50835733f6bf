"""/citas/<id>: one appointment on its own page (links from chats, alerts, e-mails)."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes
from vetassist_app.states.appointment_state import AppointmentState
from vetassist_app.template import page_header, template
from vetassist_app.views.appointment_panel import appointment_page_body


@template(routes.APPOINTMENT, "Cita", on_load=AppointmentState.open_page)
def appointment() -> rx.Component:
    return rx.vstack(
        page_header(
            "Detalle de la cita",
            "",
            rx.link(
                rx.button(
                    rx.icon("arrow_left", size=16), "Agenda", variant="soft", color_scheme="gray"
                ),
                href=routes.AGENDA,
            ),
        ),
        appointment_page_body(),
        width="100%",
    )
