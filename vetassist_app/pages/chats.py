"""/conversaciones: chat history, search, thread, staff take-over and reply."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes, styles
from vetassist_app.components.chat_window import composer, message_list
from vetassist_app.components.forms import search_box
from vetassist_app.states.chat_state import (
    ChatState,
    ConversationItem,
    LinkedAppointment,
    MatchPiece,
)
from vetassist_app.states.pulse_state import PulseState
from vetassist_app.template import page_header, template

PANEL_HEIGHT = rx.cond(PulseState.alarm_count > 0, "calc(100vh - 15rem)", "calc(100vh - 9.5rem)")


def match_piece(piece: MatchPiece) -> rx.Component:
    return rx.cond(
        piece.found,
        rx.el.mark(
            piece.text,
            background="var(--amber-4)",
            color="var(--gray-12)",
            border_radius="2px",
            padding="0 1px",
        ),
        rx.text.span(piece.text),
    )


def preview(item: ConversationItem) -> rx.Component:
    """The last message, or (after a word search) the message that matched, words marked."""
    clamp = {"overflow": "hidden", "text_overflow": "ellipsis", "word_break": "break-word"}
    return rx.cond(
        item.match_id != "",
        rx.text(
            rx.foreach(item.match, match_piece),
            size="1",
            color_scheme="gray",
            width="100%",
            class_name="va-match",
            style={
                **clamp,
                "display": "-webkit-box",
                "-webkit-line-clamp": "2",
                "-webkit-box-orient": "vertical",
            },
        ),
        rx.text(
            item.preview,
            size="1",
            color_scheme="gray",
            style={**clamp, "white_space": "nowrap"},
            width="100%",
        ),
    )


def conversation_item(item: ConversationItem) -> rx.Component:
    selected = ChatState.selected_id == item.id
    one_line = {"white_space": "nowrap", "overflow": "hidden", "text_overflow": "ellipsis"}
    return rx.box(
        rx.hstack(
            rx.avatar(
                fallback=rx.cond(item.initial != "", item.initial, "#"),
                size="3",
                radius="full",
                color_scheme=rx.cond(item.emergency, "red", "teal"),
                flex_shrink="0",
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(
                        item.title, weight="bold", size="2", style=one_line, flex="1", min_width="0"
                    ),
                    rx.text(item.time_label, size="1", color_scheme="gray", white_space="nowrap"),
                    width="100%",
                    align="center",
                ),
                preview(item),
                rx.hstack(
                    rx.cond(
                        item.title != item.phone,
                        rx.text(item.phone, size="1", color_scheme="gray", white_space="nowrap"),
                    ),
                    rx.spacer(),
                    rx.cond(item.taken_over, rx.badge("Equipo", color_scheme="blue", size="1")),
                    rx.badge(
                        item.state_label,
                        color_scheme=rx.cond(item.emergency, "red", "gray"),
                        variant="soft",
                        size="1",
                        white_space="nowrap",
                        overflow="hidden",
                        text_overflow="ellipsis",
                        max_width="10rem",
                        display="inline-block",
                    ),
                    width="100%",
                    align="center",
                    spacing="1",
                ),
                spacing="1",
                width="100%",
                min_width="0",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        on_click=ChatState.select(item.id, item.match_id),
        padding="0.7rem 0.8rem",
        cursor="pointer",
        border_bottom="1px solid var(--gray-3)",
        background=rx.cond(selected, "var(--accent-3)", "white"),
        _hover={"background": rx.cond(selected, "var(--accent-3)", "var(--gray-2)")},
        class_name="va-conversation",
        data_id=item.id,
        width="100%",
    )


def conversation_list() -> rx.Component:
    return rx.vstack(
        rx.box(
            search_box(
                ChatState.search,
                placeholder="Teléfono, nombre o palabras del chat",
                value=ChatState.query,
                input_id="chat-search",
            ),
            padding="0.75rem",
            width="100%",
            border_bottom="1px solid var(--gray-4)",
        ),
        rx.cond(
            ChatState.query != "",
            rx.hstack(
                rx.text(
                    ChatState.result_label,
                    " para «",
                    ChatState.query,
                    "»",
                    size="1",
                    color_scheme="gray",
                ),
                rx.spacer(),
                rx.link("Limpiar", on_click=ChatState.clear_search, size="1", cursor="pointer"),
                width="100%",
                padding="0.4rem 0.8rem",
            ),
        ),
        rx.box(
            rx.foreach(ChatState.items, conversation_item),
            rx.cond(
                ChatState.loaded & (ChatState.items.length() == 0),
                rx.center(
                    rx.text("No hay conversaciones.", size="2", color_scheme="gray"), padding="2rem"
                ),
            ),
            overflow_y="auto",
            flex="1",
            width="100%",
            id="conversation-list",
        ),
        spacing="0",
        height=PANEL_HEIGHT,
        style=styles.card,
        overflow="hidden",
        class_name="va-chat-list",
    )


def thread_header() -> rx.Component:
    H = ChatState.header
    return rx.hstack(
        rx.icon_button(
            rx.icon("arrow_left", size=18),
            on_click=ChatState.close_thread,
            variant="ghost",
            color_scheme="gray",
            class_name="va-phone-only",
            id="thread-back",
            aria_label="Volver a las conversaciones",
        ),
        rx.vstack(
            rx.hstack(
                rx.text(H.title, weight="bold", size="3", white_space="nowrap"),
                rx.cond(H.emergency, rx.badge("Emergencia", color_scheme="red")),
                spacing="2",
                align="center",
            ),
            rx.text(H.phone, " · ", H.state_label, size="1", color_scheme="gray"),
            rx.cond(
                H.taken_over,
                rx.text(
                    rx.icon("user_round", size=11, display="inline", margin_right="3px"),
                    H.taken_over_label,
                    " · el asistente está en pausa",
                    size="1",
                    color="var(--blue-11)",
                ),
            ),
            spacing="0",
            align="start",
            min_width="0",
            flex="1",
        ),
        rx.cond(
            H.taken_over,
            rx.button(
                rx.icon("bot", size=16),
                "Devolver al asistente",
                on_click=ChatState.hand_back,
                variant="soft",
                id="hand-back",
                flex_shrink="0",
            ),
            rx.cond(
                H.is_open,
                rx.button(
                    rx.icon("hand", size=16),
                    "Tomar conversación",
                    on_click=ChatState.take_over,
                    id="take-over",
                    flex_shrink="0",
                ),
            ),
        ),
        padding="0.7rem 1rem",
        border_bottom="1px solid var(--gray-4)",
        background="var(--gray-2)",
        width="100%",
        align="center",
        spacing="3",
    )


def reply_box() -> rx.Component:
    return composer(
        ChatState.send,
        placeholder=rx.cond(
            ChatState.header.taken_over,
            "Escribe tu respuesta…",
            "Responder tú (pausa al asistente)…",
        ),
        input_id="reply-input",
        send_id="reply-send",
        padding="0.6rem 0.8rem",
        background="var(--gray-2)",
        border_top="1px solid var(--gray-4)",
    )


def thread() -> rx.Component:
    return rx.cond(
        ChatState.selected_id != "",
        rx.vstack(
            thread_header(),
            message_list(
                ChatState.bubbles, list_id="thread", end_id="thread-end", padding="1rem 1.2rem"
            ),
            reply_box(),
            spacing="0",
            height=PANEL_HEIGHT,
            style=styles.card,
            overflow="hidden",
            class_name="va-chat-thread",
        ),
        rx.center(
            rx.vstack(
                rx.icon("messages_square", size=40, color="var(--gray-8)"),
                rx.text("Elige una conversación para ver el chat.", color_scheme="gray"),
                align="center",
            ),
            height=PANEL_HEIGHT,
            style=styles.card,
            class_name="va-chat-thread",
        ),
    )


def linked_appointment(item: LinkedAppointment) -> rx.Component:
    return rx.link(
        rx.box(
            rx.hstack(
                rx.badge(item.status_label, color_scheme=item.status_color, size="1"),
                rx.cond(
                    item.from_this_chat,
                    rx.badge("De este chat", color_scheme="green", variant="outline", size="1"),
                ),
                spacing="1",
            ),
            rx.text(item.when, weight="bold", size="2", margin_top="4px"),
            rx.text(item.pet, " · ", item.doctor, size="1", color_scheme="gray"),
            padding="0.6rem 0.7rem",
            border="1px solid var(--gray-4)",
            border_radius="var(--radius-3)",
            _hover={"background": "var(--gray-2)"},
        ),
        href="/citas/" + item.id,
        underline="none",
        color="inherit",
        class_name="va-linked",
    )


def side_panel() -> rx.Component:
    return rx.vstack(
        rx.text("Citas del cliente", weight="bold", size="2"),
        rx.cond(
            ChatState.appointments.length() > 0,
            rx.vstack(
                rx.foreach(ChatState.appointments, linked_appointment), spacing="2", width="100%"
            ),
            rx.text("Sin citas vinculadas.", size="2", color_scheme="gray"),
        ),
        style=styles.panel,
        height=PANEL_HEIGHT,
        overflow_y="auto",
        spacing="3",
        align="start",
        class_name="va-chat-side",
    )


@template(routes.CHATS, "Conversaciones", on_load=ChatState.open_page)
def chats() -> rx.Component:
    return rx.vstack(
        page_header("Conversaciones", "Historial de WhatsApp de la clínica, en vivo."),
        rx.grid(
            conversation_list(),
            thread(),
            side_panel(),
            columns="20rem minmax(0, 1fr) 14rem",
            spacing="4",
            width="100%",
            class_name=rx.cond(
                ChatState.selected_id != "", "va-chat-grid va-has-thread", "va-chat-grid"
            ),
        ),
        width="100%",
        spacing="0",
    )
