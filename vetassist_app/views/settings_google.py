"""Settings → Google Calendar: is the clinic connected, which calendar each doctor uses,
when their busy time was last read, and the appointments that failed to sync."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes
from vetassist_app.states.google_sync_state import DoctorLine, FailureLine, GoogleSyncState

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


def google_tab() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ~S.enabled,
            rx.callout(
                "La sincronización con Google Calendar no está activada en esta instalación "
                "(GOOGLE_CLIENT_ID y GOOGLE_CLIENT_SECRET; ver el README).",
                icon="info",
                color_scheme="gray",
                width="100%",
            ),
        ),
        rx.hstack(
            rx.text("Conexión:", weight="bold", size="2"),
            rx.badge(S.status_label, color_scheme=S.status_color, id="google-status"),
            rx.cond(S.account != "", rx.text(S.account, size="2", color_scheme="gray")),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            S.broken,
            rx.callout(S.reason, icon="circle_alert", color_scheme="red", width="100%"),
        ),
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
        spacing="4",
        width="100%",
        on_mount=S.load,
    )
