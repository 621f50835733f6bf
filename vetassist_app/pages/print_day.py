"""/agenda/imprimir: a doctor's day to print (time, client, phone, pet, service, reason)."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes
from vetassist_app.states.print_state import PrintRow, PrintSheet, PrintState
from vetassist_app.states.session_state import SessionState
from vetassist_app.template import print_template

COLUMNS = ("Hora", "Cliente", "Teléfono", "Mascota", "Servicio", "Motivo", "Estado")


def row(item: PrintRow) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.cond(item.emergency, "🚨 ", ""), item.time, class_name="va-print-time"),
        rx.el.td(item.client),
        rx.el.td(item.phone),
        rx.el.td(item.pet),
        rx.el.td(item.service),
        rx.el.td(item.reason),
        rx.el.td(item.status),
        class_name="va-print-row",
    )


def sheet(item: PrintSheet) -> rx.Component:
    return rx.el.section(
        rx.el.header(
            rx.el.h1(item.doctor),
            rx.el.p(SessionState.clinic_name, " · ", item.day_label),
        ),
        rx.cond(
            item.count_label != "0 citas",
            rx.el.table(
                rx.el.thead(rx.el.tr(*[rx.el.th(name) for name in COLUMNS])),
                rx.el.tbody(rx.foreach(item.rows, row)),
            ),
            rx.el.p("Sin citas este día.", class_name="va-print-empty"),
        ),
        rx.el.footer(
            item.count_label,
            " · Impreso el ",
            PrintState.printed_at,
        ),
        class_name="va-print-sheet",
    )


@print_template(routes.AGENDA_PRINT, "Agenda del día", on_load=PrintState.open_page)
def print_day() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.button(
                rx.icon("printer", size=16),
                "Imprimir",
                on_click=rx.call_script("window.print()"),
                id="print-now",
            ),
            rx.button(
                "Volver a la agenda",
                on_click=rx.call_script(
                    "history.length > 1 ? history.back() : location.assign('/agenda')"
                ),
                variant="soft",
                color_scheme="gray",
            ),
            spacing="2",
            class_name="va-no-print",
            margin_bottom="1rem",
        ),
        rx.foreach(PrintState.sheets, sheet),
        padding="1.5rem",
        max_width="60rem",
        margin="0 auto",
    )
