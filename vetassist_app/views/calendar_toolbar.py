"""Calendar controls: view, doctor, date navigation, legend and counters."""

from __future__ import annotations

import reflex as rx

from vetassist_app.calendar_layout import DoctorOption
from vetassist_app.formatting import APPOINTMENT_STATUS
from vetassist_app.states.calendar_state import CalendarState

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
        rx.segmented_control.root(
            rx.segmented_control.item("Día", value="dia"),
            rx.segmented_control.item("Semana", value="semana"),
            rx.segmented_control.item("Equipo", value="equipo"),
            value=CalendarState.view,
            on_change=CalendarState.set_view,
            id="view-switch",
        ),
        rx.cond(
            CalendarState.view != "equipo",
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
            rx.button("Hoy", on_click=CalendarState.today, variant="soft", color_scheme="gray"),
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
            spacing="2",
            align="center",
        ),
        align="center",
        spacing="3",
        width="100%",
        wrap="wrap",
    )


def legend() -> rx.Component:
    return rx.hstack(
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
