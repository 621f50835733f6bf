"""The list view: the week's appointments as rows grouped by day (readable on a phone)."""

from __future__ import annotations

import reflex as rx

from vetassist_app.calendar_layout import ListDay, ListRow
from vetassist_app.states.appointment_state import AppointmentState
from vetassist_app.states.calendar_state import CalendarState


def list_row(row: ListRow) -> rx.Component:
    return rx.hstack(
        rx.box(width="4px", align_self="stretch", border_radius="4px", background=row.accent),
        rx.vstack(
            rx.text(row.start_label, weight="bold", size="2"),
            rx.text(row.end_label, size="1", color_scheme="gray"),
            spacing="0",
            min_width="3.2rem",
        ),
        rx.vstack(
            rx.hstack(
                rx.cond(row.emergency, rx.icon("siren", size=13, color="var(--red-10)")),
                rx.text(
                    rx.cond(row.pet != "", row.pet + " · ", ""),
                    row.client,
                    weight="medium",
                    size="2",
                ),
                spacing="1",
                align="center",
            ),
            rx.text(
                row.doctor,
                rx.cond(row.reason != "", " · " + row.reason, ""),
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
            align="start",
            flex="1",
            min_width="0",
        ),
        rx.badge(
            row.status_label,
            class_name="va-tone-" + row.status,
            variant="soft",
            size="1",
            flex_shrink="0",
        ),
        on_click=AppointmentState.open_appointment(row.id),
        cursor="pointer",
        align="center",
        spacing="3",
        width="100%",
        padding="0.55rem 0.75rem",
        border_top="1px solid var(--gray-3)",
        _hover={"background": "var(--gray-2)"},
        title=row.time_label,
        data_appointment_id=row.id,
        class_name="va-list-row",
    )


def list_day(day: ListDay) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(
                day.title,
                weight="bold",
                size="2",
                color=rx.cond(day.is_today, "var(--accent-11)", "var(--gray-12)"),
            ),
            rx.spacer(),
            rx.text(day.count_label, size="1", color_scheme="gray"),
            align="center",
            width="100%",
            padding="0.5rem 0.75rem",
            background=rx.cond(day.is_today, "var(--accent-2)", "var(--gray-2)"),
        ),
        rx.foreach(day.rows, list_row),
        border="1px solid var(--gray-4)",
        border_radius="var(--radius-3)",
        overflow="hidden",
        background="white",
        width="100%",
        data_day=day.day_iso,
        class_name="va-list-day",
    )


def calendar_list() -> rx.Component:
    return rx.vstack(
        rx.foreach(CalendarState.list_days, list_day),
        spacing="3",
        width="100%",
        id="calendar-list",
    )
