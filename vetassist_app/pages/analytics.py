"""/analitica: the manager's week at a glance."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes, styles
from vetassist_app.states.analytics_state import AnalyticsState, Bar, DayBar, Kpi
from vetassist_app.template import page_header, template

KPI_ICONS = ("calendar_days", "bot", "messages_square", "siren")


def kpi_card(kpi: Kpi) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(kpi.label, size="2", color_scheme="gray"),
                rx.heading(kpi.value, size="8"),
                rx.text(kpi.hint, size="1", color_scheme="gray"),
                spacing="1",
            ),
            rx.spacer(),
            rx.box(
                rx.match(
                    kpi.icon,
                    *[
                        (name, rx.icon(name, size=20, color="var(--accent-11)"))
                        for name in KPI_ICONS
                    ],
                    rx.icon("activity", size=20, color="var(--accent-11)"),
                ),
                background="var(--accent-3)",
                padding="0.6rem",
                border_radius="var(--radius-3)",
            ),
            align="start",
            width="100%",
        ),
        size="2",
    )


def bar(item: Bar) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(item.label, size="2"),
            rx.spacer(),
            rx.text(item.value, size="2", weight="bold"),
            width="100%",
        ),
        rx.box(
            rx.box(height="8px", width=item.width, background=item.color, border_radius="999px"),
            width="100%",
            background="var(--gray-3)",
            border_radius="999px",
        ),
        spacing="1",
        width="100%",
    )


def bars_card(title: str, items: rx.Var) -> rx.Component:
    return rx.box(
        rx.text(title, weight="bold", size="3", margin_bottom="0.8rem"),
        rx.vstack(rx.foreach(items, bar), spacing="3", width="100%"),
        style=styles.panel,
    )


def day_column(item: DayBar) -> rx.Component:
    return rx.vstack(
        rx.text(item.value, size="1", weight="bold"),
        rx.box(
            width="100%",
            height=item.height,
            background="var(--accent-9)",
            border_radius="6px 6px 0 0",
        ),
        rx.text(item.label, size="1", color_scheme="gray"),
        spacing="1",
        align="center",
        justify="end",
        flex="1",
        height="190px",
    )


@template(routes.ANALYTICS, "Analítica", on_load=AnalyticsState.open_page)
def analytics() -> rx.Component:
    return rx.vstack(
        page_header(
            "Analítica de la semana",
            AnalyticsState.title,
            rx.hstack(
                rx.icon_button(
                    rx.icon("chevron_left", size=18),
                    on_click=AnalyticsState.previous_week,
                    variant="soft",
                    color_scheme="gray",
                ),
                rx.icon_button(
                    rx.icon("chevron_right", size=18),
                    on_click=AnalyticsState.next_week,
                    variant="soft",
                    color_scheme="gray",
                ),
                spacing="2",
            ),
        ),
        rx.grid(
            rx.foreach(AnalyticsState.kpis, kpi_card),
            columns=rx.breakpoints(initial="2", sm="3", lg="5"),
            spacing="4",
            width="100%",
        ),
        rx.grid(
            rx.box(
                rx.text("Citas por día", weight="bold", size="3", margin_bottom="0.8rem"),
                rx.hstack(
                    rx.foreach(AnalyticsState.by_day, day_column),
                    spacing="3",
                    align="end",
                    width="100%",
                ),
                style=styles.panel,
            ),
            bars_card("Citas por estado", AnalyticsState.by_status),
            columns=rx.breakpoints(initial="1", sm="3fr 2fr"),
            spacing="4",
            width="100%",
        ),
        rx.grid(
            bars_card("Origen de las citas", AnalyticsState.by_source),
            bars_card("Actividad de WhatsApp", AnalyticsState.whatsapp),
            bars_card("Emergencias", AnalyticsState.emergencies),
            bars_card("Seguimientos", AnalyticsState.follow_ups),
            columns=rx.breakpoints(initial="1", xs="2", md="4"),
            spacing="4",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
