"""Calendar controls: view, doctor, date navigation, legend and counters."""

from __future__ import annotations

import reflex as rx

from vetassist_app.calendar_layout import DoctorOption
from vetassist_app.formatting import APPOINTMENT_STATUS
from vetassist_app.states.calendar_state import CalendarState
from vetassist_app.views.calendar_editing import shortcuts_hint

LEGEND = [
    ("pending", "var(--amber-9)"),
    ("confirmed", "var(--teal-9)"),
    ("completed", "var(--blue-8)"),
    ("no_show", "var(--orange-9)"),
]


def doctor_item(option: DoctorOption) -> rx.Component:
    return rx.select.item(option.name, value=option.id)


def toolbar() -> rx.Component:
    return rx.hstack(
        rx.box(
            rx.segmented_control.root(
                rx.segmented_control.item("Día", value="dia"),
                rx.segmented_control.item("Semana", value="semana"),
                rx.segmented_control.item("Equipo", value="equipo"),
                rx.segmented_control.item("Semana equipo", value="semana-equipo"),
                rx.segmented_control.item("Lista", value="lista"),
                value=CalendarState.view,
                on_change=CalendarState.set_view,
                id="view-switch",
            ),
            max_width="100%",
            class_name="va-wide",  # on a phone the five views scroll sideways, not the page
        ),
        rx.cond(
            (CalendarState.view == "dia") | (CalendarState.view == "semana"),
            rx.select.root(
                rx.select.trigger(placeholder="Médico", min_width="13rem"),
                rx.select.content(rx.foreach(CalendarState.doctors, doctor_item)),
                value=CalendarState.doctor_id,
                on_change=CalendarState.set_doctor,
                name="doctor",
            ),
        ),
        rx.spacer(),
        rx.hstack(
            rx.icon_button(
                rx.icon("chevron_left", size=18),
                on_click=CalendarState.previous,
                variant="soft",
                color_scheme="gray",
                aria_label="Anterior",
                id="cal-prev",
            ),
            rx.button(
                "Hoy",
                on_click=CalendarState.today,
                variant="soft",
                color_scheme="gray",
                id="cal-today",
            ),
            rx.icon_button(
                rx.icon("chevron_right", size=18),
                on_click=CalendarState.next,
                variant="soft",
                color_scheme="gray",
                aria_label="Siguiente",
                id="cal-next",
            ),
            rx.input(
                type="date",
                value=CalendarState.anchor,
                on_change=CalendarState.go_to,
                width="10rem",
                aria_label="Ir a la fecha",
            ),
            rx.link(
                rx.icon_button(
                    rx.icon("printer", size=18),
                    variant="soft",
                    color_scheme="gray",
                    title="Imprimir el día",
                ),
                href=CalendarState.print_href,
                is_external=True,
                aria_label="Imprimir el día",
                id="cal-print",
            ),
            rx.icon_button(
                rx.icon("download", size=18),
                on_click=CalendarState.export_csv,
                variant="soft",
                color_scheme="gray",
                title="Exportar a CSV lo que se ve",
                aria_label="Exportar a CSV",
                id="cal-export",
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        align="center",
        spacing="3",
        width="100%",
        wrap="wrap",
    )


def doctor_key(option: DoctorOption) -> rx.Component:
    return rx.hstack(
        rx.box(width="8px", height="8px", border_radius="999px", background=option.color),
        rx.text(option.name, size="1", color_scheme="gray"),
        spacing="1",
        align="center",
    )


def legend() -> rx.Component:
    return rx.hstack(
        rx.cond(
            CalendarState.view == "semana-equipo",
            rx.hstack(rx.foreach(CalendarState.doctors, doctor_key), spacing="3", wrap="wrap"),
        ),
        *[
            rx.hstack(
                rx.box(width="10px", height="10px", border_radius="3px", background=color),
                rx.text(APPOINTMENT_STATUS[status], size="1", color_scheme="gray"),
                spacing="1",
                align="center",
            )
            for status, color in LEGEND
        ],
        rx.hstack(
            rx.icon("siren", size=12, color="var(--red-9)"),
            rx.text("Emergencia", size="1", color_scheme="gray"),
            spacing="1",
            align="center",
        ),
        rx.hstack(
            rx.icon("cloud_off", size=12, color="var(--red-9)"),
            rx.text("Sin sincronizar", size="1", color_scheme="gray"),
            spacing="1",
            align="center",
        ),
        rx.hstack(
            rx.icon("calendar_sync", size=12, color="var(--amber-9)"),
            rx.text("Cambiada en Google: revisar", size="1", color_scheme="gray"),
            spacing="1",
            align="center",
        ),
        rx.cond(
            CalendarState.can_edit,
            rx.hstack(
                rx.icon("mouse_pointer_click", size=12, color="var(--gray-9)"),
                rx.text("Clic en un espacio libre para agendar", size="1", color_scheme="gray"),
                spacing="1",
                align="center",
            ),
        ),
        rx.spacer(),
        shortcuts_hint(),
        rx.hstack(
            rx.switch(
                checked=CalendarState.show_cancelled,
                on_change=CalendarState.toggle_cancelled,
                size="1",
            ),
            rx.text("Mostrar canceladas", size="1", color_scheme="gray"),
            spacing="2",
            align="center",
        ),
        spacing="4",
        align="center",
        width="100%",
        wrap="wrap",
    )


def counters() -> rx.Component:
    return rx.hstack(
        rx.badge(
            rx.icon("calendar_check", size=13),
            CalendarState.total,
            rx.cond(CalendarState.total == 1, " cita", " citas"),
            color_scheme="teal",
            variant="soft",
            size="2",
        ),
        rx.cond(
            CalendarState.emergencies > 0,
            rx.badge(
                rx.icon("siren", size=13),
                CalendarState.emergencies,
                " de emergencia",
                color_scheme="red",
                variant="soft",
                size="2",
            ),
        ),
        rx.cond(
            CalendarState.sync_failures > 0,
            rx.badge(
                rx.icon("cloud_off", size=13),
                CalendarState.sync_failures,
                " sin sincronizar",
                color_scheme="red",
                variant="outline",
                size="2",
            ),
        ),
        spacing="2",
    )
