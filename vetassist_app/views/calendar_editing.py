"""The agenda's editing pieces: the confirmation after a drag, the hidden buttons through
which the agenda script, calendar_editing.js in assets, hands drops and keys to the portal, and the
shortcuts hint."""

from __future__ import annotations

import reflex as rx

from vetassist_app.states.calendar_move_state import CalendarMoveState
from vetassist_app.states.calendar_state import CalendarState

SHORTCUTS = [
    ("D", "día"),
    ("S", "semana"),
    ("E", "equipo"),
    ("⇧E", "semana del equipo"),
    ("L", "lista"),
    ("T", "hoy"),
    ("← →", "anterior / siguiente"),
]


def editing_script() -> rx.Component:
    return rx.script(src="/calendar_editing.js")


def bridges() -> rx.Component:
    """Hidden buttons the script clicks; each reads the value the script just set."""
    return rx.box(
        rx.el.button(
            on_click=CalendarMoveState.propose(rx.Var("window.vaCalendarDrop || ''").to(str)),
            id="cal-drop-bridge",
            type="button",
            tab_index=-1,
        ),
        rx.el.button(
            on_click=CalendarState.shortcut(rx.Var("window.vaCalendarKey || ''").to(str)),
            id="cal-key-bridge",
            type="button",
            tab_index=-1,
        ),
        display="none",
        aria_hidden="true",
    )


def move_dialog() -> rx.Component:
    """Says what the drop will do and lets the client's WhatsApp notice be skipped."""
    S = CalendarMoveState
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("¿Confirmas el cambio?"),
            rx.alert_dialog.description(S.summary, size="3", id="move-summary"),
            rx.text(
                rx.hstack(
                    rx.checkbox(
                        checked=S.notify,
                        on_change=S.set_notify,
                        id="move-notify",
                    ),
                    "Avisar al cliente por WhatsApp",
                    spacing="2",
                    align="center",
                ),
                as_="label",
                size="2",
                margin_top="1rem",
            ),
            rx.hstack(
                rx.button(
                    "Cancelar",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.set_dialog_open(False),
                    id="move-cancel",
                ),
                rx.button("Mover la cita", on_click=S.confirm, id="move-confirm"),
                justify="end",
                spacing="3",
                margin_top="1.2rem",
            ),
            max_width="30rem",
            id="move-dialog",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


def shortcuts_hint() -> rx.Component:
    return rx.hover_card.root(
        rx.hover_card.trigger(
            rx.button(
                rx.icon("keyboard", size=14),
                "Atajos",
                size="1",
                variant="ghost",
                color_scheme="gray",
                id="cal-shortcuts",
                class_name="va-desktop-only",
            ),
        ),
        rx.hover_card.content(
            rx.vstack(
                *[
                    rx.hstack(
                        rx.code(key, size="1"),
                        rx.text(what, size="1"),
                        spacing="2",
                        align="center",
                    )
                    for key, what in SHORTCUTS
                ],
                rx.text(
                    "Arrastra una cita para moverla; su borde inferior, para cambiar la duración.",
                    size="1",
                    color_scheme="gray",
                    max_width="16rem",
                ),
                spacing="1",
            ),
        ),
    )
