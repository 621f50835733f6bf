"""Settings → Festivos y guardias: clinic closures and who takes emergencies when."""

from __future__ import annotations

import reflex as rx

from vetassist_app import styles
from vetassist_app.components.data_table import data_table, remove_button
from vetassist_app.components.forms import field
from vetassist_app.formatting import WEEKDAYS
from vetassist_app.states.clinic_calendar_state import (
    ClinicCalendarState,
    ClosureRow,
    DoctorOption,
    ShiftRow,
)


def closure_row(row: ClosureRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.days, weight="medium")),
        rx.table.cell(row.hours),
        rx.table.cell(row.reason),
        rx.table.cell(remove_button(ClinicCalendarState.remove_closure(row.id))),
        class_name="va-closure-row",
    )


def closures_panel() -> rx.Component:
    return rx.vstack(
        rx.heading("Festivos y cierres", size="4"),
        rx.text(
            "Ese día nadie puede agendar citas (ni el asistente ni el portal). "
            "Las emergencias siguen llegando al médico de guardia.",
            size="2",
            color_scheme="gray",
        ),
        rx.form(
            rx.grid(
                field(
                    "Desde",
                    rx.input(type="date", name="first_day", required=True, id="closure-first"),
                ),
                field(
                    "Hasta (opcional)", rx.input(type="date", name="last_day", id="closure-last")
                ),
                field(
                    "Solo de (opcional)",
                    rx.hstack(
                        rx.input(type="time", name="start", aria_label="Desde la hora"),
                        rx.text("a", size="2"),
                        rx.input(type="time", name="end", aria_label="Hasta la hora"),
                        align="center",
                        spacing="2",
                    ),
                ),
                field(
                    "Motivo",
                    rx.input(
                        name="reason",
                        placeholder="Festivo, inventario…",
                        width="100%",
                        id="closure-reason",
                    ),
                ),
                columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.text("Sin horas, el cierre dura todo el día.", size="1", color_scheme="gray"),
                rx.spacer(),
                rx.button(
                    rx.icon("calendar_x", size=16),
                    "Agregar cierre",
                    type="submit",
                    id="closure-submit",
                ),
                align="center",
                width="100%",
                margin_top="0.75rem",
                wrap="wrap",
            ),
            on_submit=ClinicCalendarState.add_closure,
            key="closure-" + ClinicCalendarState.form_key.to_string(),
            width="100%",
        ),
        rx.box(
            data_table(
                ["Fechas", "Horario", "Motivo", ""],
                ClinicCalendarState.closures,
                closure_row,
                empty="No hay cierres próximos.",
            ),
            overflow_x="auto",
            width="100%",
        ),
        style=styles.panel,
        spacing="3",
        width="100%",
    )


def shift_row(row: ShiftRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.day, weight="medium")),
        rx.table.cell(row.hours),
        rx.table.cell(row.doctor),
        rx.table.cell(remove_button(ClinicCalendarState.remove_shift(row.id))),
        class_name="va-shift-row",
    )


def doctor_option(doctor: DoctorOption) -> rx.Component:
    return rx.select.item(doctor.name, value=doctor.id)


def on_call_panel() -> rx.Component:
    return rx.vstack(
        rx.heading("Guardias de emergencia", size="4"),
        rx.text(
            "Quién recibe las emergencias fuera de horario y en días cerrados. "
            "Sin guardia, la recibe un médico que esté trabajando a esa hora.",
            size="2",
            color_scheme="gray",
        ),
        rx.form(
            rx.grid(
                field(
                    "Médico",
                    rx.select.root(
                        rx.select.trigger(
                            placeholder="Elige un médico", width="100%", id="shift-doctor"
                        ),
                        rx.select.content(
                            rx.foreach(ClinicCalendarState.doctor_options, doctor_option)
                        ),
                        name="doctor_id",
                        required=True,
                    ),
                ),
                field(
                    "Cada semana el",
                    rx.select.root(
                        rx.select.trigger(width="100%", id="shift-day"),
                        rx.select.content(
                            *[
                                rx.select.item(name.capitalize(), value=str(d))
                                for d, name in enumerate(WEEKDAYS)
                            ]
                        ),
                        name="day",
                        default_value="6",
                    ),
                ),
                field(
                    "…o solo en la fecha",
                    rx.input(type="date", name="on_date", id="shift-date"),
                ),
                field(
                    "Horario",
                    rx.hstack(
                        rx.input(
                            type="time",
                            name="start",
                            default_value="00:00",
                            aria_label="Desde la hora",
                        ),
                        rx.text("a", size="2"),
                        rx.input(
                            type="time",
                            name="end",
                            default_value="00:00",
                            aria_label="Hasta la hora",
                        ),
                        align="center",
                        spacing="2",
                    ),
                    hint="00:00 a 00:00 es el día completo.",
                ),
                columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.spacer(),
                rx.button(
                    rx.icon("siren", size=16), "Agregar guardia", type="submit", id="shift-submit"
                ),
                width="100%",
                margin_top="0.75rem",
            ),
            on_submit=ClinicCalendarState.add_shift,
            key="shift-" + ClinicCalendarState.form_key.to_string(),
            width="100%",
        ),
        rx.box(
            data_table(
                ["Día", "Horario", "Médico de guardia", ""],
                ClinicCalendarState.shifts,
                shift_row,
                empty="Sin guardias: las emergencias fuera de horario van al primer médico.",
            ),
            overflow_x="auto",
            width="100%",
        ),
        style=styles.panel,
        spacing="3",
        width="100%",
    )


def calendar_tab() -> rx.Component:
    return rx.vstack(
        closures_panel(),
        on_call_panel(),
        spacing="4",
        width="100%",
        on_mount=ClinicCalendarState.open_calendar,
    )
