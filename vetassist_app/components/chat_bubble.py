"""A WhatsApp-style message bubble with time and delivery ticks."""

from __future__ import annotations

import reflex as rx

from vetassist_app import styles
from vetassist_app.states.chat_state import Bubble

NOTE = {
    "background": "#fff3b0",
    "border": "1px dashed var(--amber-8)",
    "border_radius": "10px",
    "padding": "6px 10px 4px 10px",
    "max_width": "72%",
}
"""An internal note: yellow, so nobody takes it for something the client received."""


def ticks(bubble: Bubble) -> rx.Component:
    return rx.match(
        bubble.ticks,
        ("sent", rx.icon("check", size=14, color="var(--gray-9)")),
        ("delivered", rx.icon("check_check", size=14, color="var(--gray-9)")),
        ("read", rx.icon("check_check", size=14, color="#34b7f1")),
        ("queued", rx.icon("clock", size=12, color="var(--gray-9)")),
        ("failed", rx.icon("circle_alert", size=14, color="var(--red-9)")),
        rx.fragment(),
    )


def bubble(item: Bubble) -> rx.Component:
    meta = rx.hstack(
        rx.text(item.time, size="1", color="var(--gray-10)"),
        ticks(item),
        spacing="1",
        align="center",
        justify="end",
    )
    body = rx.text(
        item.body, size="2", style={"white_space": "pre-wrap", "word_break": "break-word"}
    )
    clinic_side = rx.box(
        rx.text(
            rx.cond(item.author == "staff", "Equipo de la clínica", "Asistente"),
            size="1",
            weight="bold",
            color=rx.cond(item.author == "staff", "var(--blue-11)", "var(--green-11)"),
        ),
        body,
        meta,
        style=rx.cond(item.author == "staff", styles.bubble_out_staff, styles.bubble_out_assistant),
        data_author=item.author,
        class_name="va-bubble",
    )
    return rx.vstack(
        rx.cond(
            item.day_break != "",
            rx.center(
                rx.text(
                    item.day_break,
                    size="1",
                    background="rgba(255,255,255,0.9)",
                    padding="2px 10px",
                    border_radius="8px",
                    color="var(--gray-11)",
                ),
                width="100%",
                padding_y="6px",
            ),
        ),
        rx.match(
            item.side,
            (
                "left",
                rx.hstack(
                    rx.box(
                        body,
                        meta,
                        style=styles.bubble_in,
                        data_author="client",
                        class_name="va-bubble",
                    ),
                    justify="start",
                    width="100%",
                ),
            ),
            (
                "note",
                rx.hstack(
                    rx.box(
                        rx.text(
                            rx.icon("lock", size=11, display="inline", margin_right="3px"),
                            item.author_label,
                            size="1",
                            weight="bold",
                            color="var(--amber-11)",
                        ),
                        body,
                        rx.text(item.time, size="1", color="var(--gray-10)", text_align="right"),
                        style=NOTE,
                        data_author="note",
                        class_name="va-bubble va-note",
                    ),
                    justify="end",
                    width="100%",
                ),
            ),
            (
                "center",
                rx.center(
                    rx.box(rx.text(item.body, size="1"), style=styles.bubble_system),
                    width="100%",
                ),
            ),
            rx.hstack(clinic_side, justify="end", width="100%"),
        ),
        spacing="0",
        width="100%",
        id="msg-" + item.id,
        class_name=rx.cond(item.focused, "va-focused", ""),
        background=rx.cond(item.focused, "var(--amber-a3)", "transparent"),
        border_radius="8px",
        padding_y=rx.cond(item.focused, "4px", "0"),
    )
