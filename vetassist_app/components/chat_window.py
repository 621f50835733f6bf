"""The two halves of a chat: the messages over the WhatsApp backdrop, and the line to
write the next one."""

from __future__ import annotations

from typing import Any

import reflex as rx

from vetassist_app import styles
from vetassist_app.components.chat_bubble import bubble


def message_list(
    bubbles: Any, *extra: rx.Component, list_id: str, end_id: str, padding: str
) -> rx.Component:
    """The bubbles in order (then `extra`, e.g. what to show when there are none), with an
    anchor at the end to scroll to."""
    return rx.box(
        rx.vstack(rx.foreach(bubbles, bubble), spacing="1", width="100%"),
        *extra,
        rx.box(id=end_id),
        style=styles.chat_backdrop,
        padding=padding,
        overflow_y="auto",
        flex="1",
        width="100%",
        id=list_id,
    )


def composer(
    on_submit: Any,
    *,
    placeholder: Any,
    input_id: str,
    send_id: str,
    rounded: bool = False,
    send: dict[str, Any] | None = None,
    **box: Any,
) -> rx.Component:
    """A one-line message (sent as `body`) and its send button (`send`: more of its
    props); cleared once sent. `box` styles the line (padding, background, border)."""
    round_ = {"radius": "full"} if rounded else {}
    return rx.form(
        rx.hstack(
            rx.input(
                name="body",
                placeholder=placeholder,
                width="100%",
                size="3",
                auto_complete="off",
                id=input_id,
                **round_,
            ),
            rx.icon_button(
                rx.icon("send_horizontal", size=18),
                type="submit",
                size="3",
                id=send_id,
                **round_,
                **(send or {}),
            ),
            width="100%",
            spacing="2",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
        width="100%",
        **box,
    )
