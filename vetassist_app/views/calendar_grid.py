"""The calendar grid: an hour gutter and one column per day (or per doctor)."""

from __future__ import annotations

import reflex as rx

from vetassist_app import styles
from vetassist_app.calendar_layout import CalendarBlock, CalendarColumn, FreeCell, HourMark, Shade
from vetassist_app.states.appointment_state import AppointmentState, NewAppointmentState
from vetassist_app.states.calendar_state import CalendarState

GUTTER = "3.6rem"


def sync_badge(block: CalendarBlock) -> rx.Component:
    """Google Calendar: failed (red, the error in the tooltip), to review (amber, the reason),
    pending, synced; nothing when off."""
    return rx.cond(
        block.sync_failed,
        rx.tooltip(
            rx.box(
                rx.icon("cloud_off", size=11, color="white"),
                background="var(--red-9)",
                border_radius="999px",
                padding="2px",
                display="inline-flex",
                data_testid="sync-failed",
            ),
            content=f"No se sincronizó con Google Calendar: {block.sync_error}",
        ),
        rx.match(
            block.sync_state,
            (
                "review",
                rx.tooltip(
                    rx.box(
                        rx.icon("calendar_sync", size=11, color="white"),
                        background="var(--amber-9)",
                        border_radius="999px",
                        padding="2px",
                        display="inline-flex",
                        data_testid="sync-review",
                    ),
                    content=f"Revisar cambio en Google Calendar: {block.review_reason}",
                ),
            ),
            (
                "pending",
                rx.tooltip(
                    rx.box(
                        rx.icon("cloud_upload", size=11, color="var(--gray-11)"),
                        display="inline-flex",
                        data_testid="sync-pending",
                    ),
                    content="Sincronizando con Google Calendar…",
                ),
            ),
            (
                "ok",
                rx.tooltip(
                    rx.box(
                        rx.icon("cloud_check", size=11, color="var(--green-10)"),
                        display="inline-flex",
                        data_testid="sync-ok",
                    ),
                    content="Sincronizada con Google Calendar",
                ),
            ),
            rx.fragment(),
        ),
    )


def appointment_block(block: CalendarBlock) -> rx.Component:
    """A block; a pending or confirmed one can be dragged (and stretched by its bottom edge)
    by those who edit (the agenda script, calendar_editing.js in assets,)."""
    movable = block.movable & CalendarState.can_edit
    return rx.box(
        rx.hstack(
            rx.cond(
                block.accent != "",
                rx.box(
                    width="8px",
                    height="8px",
                    border_radius="999px",
                    background=block.accent,
                    flex_shrink="0",
                ),
            ),
            rx.cond(
                block.emergency, rx.icon("siren", size=12, color="var(--red-11)", flex_shrink="0")
            ),
            rx.text(block.time_label, weight="bold", white_space="nowrap"),
            rx.text(
                block.client,
                weight="medium",
                white_space="nowrap",
                overflow="hidden",
                text_overflow="ellipsis",
                flex="1",
                min_width="0",
            ),
            sync_badge(block),
            spacing="1",
            align="center",
            width="100%",
        ),
        rx.cond(
            block.compact,
            rx.fragment(),
            rx.text(
                rx.cond(block.pet != "", block.pet + " · ", ""),
                block.reason,
                white_space="nowrap",
                overflow="hidden",
                text_overflow="ellipsis",
                opacity="0.85",
            ),
        ),
        rx.cond(movable, rx.box(class_name="va-resize", title="Arrastra para cambiar la duración")),
        on_click=AppointmentState.open_appointment(block.id),
        style=styles.block_base,
        top=block.top,
        height=block.height,
        left=block.left,
        width=block.width,
        title=block.range_label
        + " · "
        + block.status_label
        + " · "
        + block.client
        + " · "
        + block.reason,
        class_name=block.css,
        data_appointment_id=block.id,
        data_status=block.status,
        data_doctor=block.doctor_id,
        data_movable=rx.cond(movable, "true", "false"),
        data_start_minute=block.start_minute,
        data_end_minute=block.end_minute,
    )


def free_cell(cell: FreeCell) -> rx.Component:
    return rx.box(
        cell.label,
        on_click=NewAppointmentState.start(cell.doctor_id, cell.start_iso),
        style=styles.free_cell,
        top=cell.top,
        height=cell.height,
        z_index="1",
        class_name="va-free",
        data_start=cell.start_iso,
        data_doctor=cell.doctor_id,
    )


def shade(item: Shade) -> rx.Component:
    return rx.box(
        rx.cond(
            item.label != "",
            rx.text(item.label, size="1", color="var(--gray-10)", padding="4px 6px"),
        ),
        position="absolute",
        left="0",
        right="0",
        top=item.top,
        height=item.height,
        background=rx.cond(
            item.kind == "time_off",
            "repeating-linear-gradient(135deg, var(--gray-3), var(--gray-3) 6px, var(--gray-4) 6px, var(--gray-4) 12px)",
            "var(--gray-2)",
        ),
        pointer_events="none",
    )


def hour_line(mark: HourMark) -> rx.Component:
    return rx.box(style=styles.hour_line, top=mark.top)


def hour_label(mark: HourMark) -> rx.Component:
    return rx.text(
        mark.label,
        size="1",
        color_scheme="gray",
        position="absolute",
        top=mark.top,
        right="8px",
        transform="translateY(-50%)",
    )


def column_header(column: CalendarColumn) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.box(width="8px", height="8px", border_radius="999px", background=column.accent),
            rx.text(
                column.title,
                weight="bold",
                size="2",
                color=rx.cond(column.is_today, "var(--accent-11)", "var(--gray-12)"),
                white_space="nowrap",
                overflow="hidden",
                text_overflow="ellipsis",
            ),
            align="center",
            spacing="2",
        ),
        rx.text(
            rx.cond(column.subtitle != "", column.subtitle + " · ", ""),
            column.count_label,
            size="1",
            color_scheme="gray",
        ),
        on_click=CalendarState.open_column(column.doctor_id, column.day_iso),
        cursor="pointer",
        spacing="0",
        align="start",
        flex="1",
        min_width="0",
        padding="0.6rem 0.7rem",
        border_left="1px solid var(--gray-4)",
        background=rx.cond(column.is_today, "var(--accent-2)", "transparent"),
        _hover={"background": "var(--gray-3)"},
        class_name="va-cal-col",
    )


def day_column(column: CalendarColumn) -> rx.Component:
    return rx.box(
        rx.foreach(column.shades, shade),
        rx.foreach(CalendarState.hours, hour_line),
        rx.foreach(column.free, free_cell),
        rx.foreach(column.blocks, appointment_block),
        rx.cond(
            column.is_today & (CalendarState.now_top != ""),
            rx.box(
                rx.box(
                    width="9px",
                    height="9px",
                    border_radius="999px",
                    background="var(--red-9)",
                    position="absolute",
                    left="-5px",
                    top="-4px",
                ),
                style=styles.now_line,
                top=CalendarState.now_top,
                id="now-line",
            ),
        ),
        style=styles.calendar_column,
        height=CalendarState.grid_height,
        background=rx.cond(column.is_today, "rgba(13, 148, 136, 0.025)", "white"),
        data_column=column.key,
        data_day=column.day_iso,
        data_doctor=column.doctor_id,
        class_name="va-cal-col",
    )


def calendar_grid() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.box(width=GUTTER, min_width=GUTTER),
            rx.foreach(CalendarState.columns, column_header),
            spacing="0",
            width="100%",
            border_bottom="1px solid var(--gray-4)",
            background="var(--gray-1)",
            position="sticky",
            top="0",
            z_index="6",
        ),
        rx.hstack(
            rx.box(
                rx.foreach(CalendarState.hours, hour_label),
                position="relative",
                width=GUTTER,
                min_width=GUTTER,
                height=CalendarState.grid_height,
            ),
            rx.foreach(CalendarState.columns, day_column),
            spacing="0",
            width="100%",
            padding_top="10px",
            padding_bottom="10px",
        ),
        style=styles.calendar_frame,
        width="100%",
        id="calendar-grid",
        class_name="va-wide",
    )
