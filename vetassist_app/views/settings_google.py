"""Settings → Google Calendar: connect or disconnect the clinic's Google account, the
calendar each doctor's appointments go to, when their busy time was last read, and the
appointments that failed to sync."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes, styles
from vetassist_app.states.google_sync_state import (
    NO_SYNC,
    CalendarOption,
    DoctorLine,
    FailureLine,
    GoogleSyncState,
)
from vetassist_app.views.settings_google_review import review_section

S = GoogleSyncState


def doctor_row(line: DoctorLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(line.name),
        rx.table.cell(rx.code(line.calendar)),
        rx.table.cell(line.busy_read),
        rx.table.cell(
            rx.text(line.counts, color=rx.cond(line.has_failures, "var(--red-11)", "inherit"))
        ),
        class_name="va-google-doctor",
    )


def failure_row(line: FailureLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(line.when, href=routes.appointment_url(line.id))),
        rx.table.cell(line.who),
        rx.table.cell(rx.text(line.error, size="1", color="var(--red-11)")),
        class_name="va-google-failure",
    )


def calendar_item(option: CalendarOption) -> rx.Component:
    return rx.select.item(option.label, value=option.id)


def calendar_picker(line: DoctorLine) -> rx.Component:
    """One doctor's calendar: a select of the account's calendars and Guardar."""
    return rx.form(
        rx.flex(
            rx.text(line.name, weight="medium", size="2", min_width="10rem"),
            rx.el.input(type="hidden", name="doctor_id", value=line.doctor_id),
            rx.box(
                rx.select.root(
                    rx.select.trigger(placeholder="Calendario", width="100%"),
                    rx.select.content(
                        rx.select.item("No sincronizar", value=NO_SYNC),
                        rx.foreach(S.calendars, calendar_item),
                    ),
                    name="calendar_id",
                    default_value=line.choice,
                ),
                flex="1",
                min_width="0",
            ),
            rx.button("Guardar", type="submit", size="2", variant="soft"),
            direction=rx.breakpoints(initial="column", sm="row"),
            align=rx.breakpoints(initial="stretch", sm="center"),
            spacing="2",
            width="100%",
        ),
        on_submit=S.save_calendar,
        reset_on_submit=False,
        class_name="va-google-calendar-picker",
        width="100%",
    )


def calendars_panel() -> rx.Component:
    return rx.vstack(
        rx.heading("Calendario de cada médico", size="3"),
        rx.text(
            "Las citas de cada médico se escriben en el calendario elegido, y lo que el médico "
            "tenga ocupado en él bloquea esos horarios.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            S.calendars_error != "",
            rx.callout(S.calendars_error, icon="circle_alert", color_scheme="red", width="100%"),
        ),
        rx.cond(
            S.calendars_loading,
            rx.hstack(rx.spinner(size="2"), rx.text("Leyendo los calendarios…", size="2")),
            rx.vstack(rx.foreach(S.doctors, calendar_picker), spacing="3", width="100%"),
        ),
        spacing="3",
        width="100%",
        style=styles.panel,
    )


def disconnect_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("unplug", size=14),
                "Desconectar",
                variant="soft",
                color_scheme="red",
                id="google-disconnect",
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("¿Desconectar Google Calendar?"),
            rx.alert_dialog.description(
                "Se revoca el permiso de VetAssist en la cuenta de Google. Las citas dejan de "
                "sincronizarse y el tiempo ocupado leído de Google deja de bloquear horarios. "
                "Los eventos ya creados en Google no se borran.",
                size="2",
            ),
            rx.flex(
                rx.alert_dialog.cancel(rx.button("Cancelar", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        "Desconectar",
                        color_scheme="red",
                        on_click=S.disconnect,
                        id="google-disconnect-confirm",
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="1rem",
                wrap="wrap",
            ),
            max_width="28rem",
        ),
        open=S.confirm_disconnect,
        on_open_change=S.set_confirm_disconnect,
    )


def connection_panel() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.outcome != "",
            rx.cond(
                S.outcome_ok,
                rx.callout(
                    S.outcome,
                    icon="circle_check",
                    color_scheme="green",
                    width="100%",
                    id="google-outcome",
                ),
                rx.callout(
                    S.outcome,
                    icon="circle_alert",
                    color_scheme="red",
                    width="100%",
                    id="google-outcome",
                ),
            ),
        ),
        rx.cond(
            ~S.enabled,
            rx.callout(
                "Este servidor no tiene configurado un cliente de Google, así que no se puede "
                "conectar Google Calendar (GOOGLE_CLIENT_ID y GOOGLE_CLIENT_SECRET; ver el README).",
                icon="info",
                color_scheme="gray",
                width="100%",
            ),
        ),
        rx.hstack(
            rx.text("Conexión:", weight="bold", size="2"),
            rx.badge(S.status_label, color_scheme=S.status_color, id="google-status"),
            rx.cond(S.account != "", rx.text(S.account, size="2", color_scheme="gray")),
            rx.spacer(),
            rx.cond(
                S.can_connect,
                rx.button(
                    rx.icon("calendar_plus", size=14),
                    "Conectar con Google",
                    on_click=S.connect,
                    id="google-connect",
                ),
            ),
            rx.cond(S.connected, disconnect_dialog()),
            spacing="2",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(
            S.broken,
            rx.callout(S.reason, icon="circle_alert", color_scheme="red", width="100%"),
        ),
        spacing="3",
        width="100%",
    )


def google_tab() -> rx.Component:
    return rx.vstack(
        connection_panel(),
        rx.cond(S.connected, calendars_panel()),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Médico"),
                        rx.table.column_header_cell("Calendario"),
                        rx.table.column_header_cell("Ocupado leído"),
                        rx.table.column_header_cell("Citas"),
                    )
                ),
                rx.table.body(rx.foreach(S.doctors, doctor_row)),
                width="100%",
            ),
            width="100%",
            overflow_x="auto",
        ),
        rx.hstack(
            rx.heading("Citas que no se sincronizaron", size="3"),
            rx.spacer(),
            rx.button(
                rx.icon("refresh_cw", size=14),
                "Reintentar todas",
                on_click=S.retry_all,
                disabled=S.failures.length() == 0,
                variant="soft",
                id="google-retry-all",
            ),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            S.failures.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.body(rx.foreach(S.failures, failure_row)),
                    width="100%",
                ),
                width="100%",
                overflow_x="auto",
            ),
            rx.text("Ninguna: todo está al día.", size="2", color_scheme="gray"),
        ),
        review_section(),
        spacing="4",
        width="100%",
        on_mount=S.load,
    )
