"""/agenda: the calendar (a doctor's own week first; the whole team for the others)."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes
from vetassist_app.states.calendar_state import CalendarState
from vetassist_app.template import page_header, template
from vetassist_app.views.appointment_panel import appointment_dialog, new_appointment_dialog
from vetassist_app.views.calendar_editing import bridges, editing_script, move_dialog
from vetassist_app.views.calendar_grid import calendar_grid
from vetassist_app.views.calendar_list import calendar_list
from vetassist_app.views.calendar_toolbar import counters, legend, toolbar


@template(routes.AGENDA, "Agenda", on_load=CalendarState.open_page)
def agenda() -> rx.Component:
    return rx.vstack(
        page_header(CalendarState.title, CalendarState.subtitle, counters()),
        toolbar(),
        legend(),
        rx.cond(
            CalendarState.loaded,
            rx.cond(
                CalendarState.view == "lista",
                calendar_list(),
                rx.cond(
                    CalendarState.column_count > 0,
                    calendar_grid(),
                    rx.callout(
                        "La clínica todavía no tiene médicos activos.",
                        icon="info",
                        color_scheme="gray",
                    ),
                ),
            ),
            rx.center(rx.spinner(size="3"), height="40vh", width="100%"),
        ),
        appointment_dialog(),
        new_appointment_dialog(),
        move_dialog(),
        bridges(),
        editing_script(),
        spacing="3",
        width="100%",
    )
