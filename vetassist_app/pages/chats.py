"""/conversaciones: chat history, search, thread, staff take-over and reply."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes, styles
from vetassist_app.components.chat_window import message_list
from vetassist_app.components.forms import search_box
from vetassist_app.states.chat_state import (
    CannedOption,
    ChatState,
    ConversationItem,
    FilterTab,
    LinkedAppointment,
    MatchPiece,
    StaffOption,
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
                        item.title,
                        weight=rx.cond(item.unread, "bold", "medium"),
                        size="2",
                        style=one_line,
                        flex="1",
                        min_width="0",
                    ),
                    rx.text(
                        item.time_label,
                        size="1",
                        color=rx.cond(item.unread, "var(--teal-11)", "var(--gray-11)"),
                        weight=rx.cond(item.unread, "bold", "regular"),
                        white_space="nowrap",
                    ),
                    rx.cond(
                        item.unread,
                        rx.box(
                            width="9px",
                            height="9px",
                            border_radius="50%",
                            background="var(--teal-9)",
                            flex_shrink="0",
                            class_name="va-unread",
                            aria_label="Sin leer",
                        ),
                    ),
                    width="100%",
                    align="center",
                ),
                preview(item),
                rx.cond(
                    item.assigned_label != "",
                    rx.text(
                        rx.icon("user_check", size=11, display="inline", margin_right="3px"),
                        item.assigned_label,
                        size="1",
                        color="var(--violet-11)",
                        class_name="va-assigned",
                        style=one_line,
                        width="100%",
                    ),
                ),
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
        class_name=rx.cond(item.unread, "va-conversation va-is-unread", "va-conversation"),
        data_id=item.id,
        width="100%",
    )


def filter_tab(tab: FilterTab) -> rx.Component:
    chosen = ChatState.filter == tab.key
    return rx.button(
        tab.label,
        rx.cond(
            tab.count != "",
            rx.badge(
                tab.count,
                size="1",
                variant=rx.cond(chosen, "solid", "soft"),
                color_scheme=rx.cond(
                    (tab.key == "emergencias") & (tab.count != "0"), "red", "gray"
                ),
                radius="full",
            ),
        ),
        on_click=ChatState.choose_filter(tab.key),
        size="1",
        variant=rx.cond(chosen, "soft", "ghost"),
        color_scheme=rx.cond(chosen, "teal", "gray"),
        class_name="va-filter",
        data_filter=tab.key,
        aria_pressed=rx.cond(chosen, "true", "false"),
    )


def filter_bar() -> rx.Component:
    return rx.flex(
        rx.foreach(ChatState.tabs, filter_tab),
        wrap="wrap",
        gap="1",
        padding="0.4rem 0.6rem",
        width="100%",
        border_bottom="1px solid var(--gray-4)",
        id="inbox-filters",
    )


def load_more() -> rx.Component:
    return rx.cond(
        ChatState.next_cursor != "",
        rx.center(
            rx.button(
                "Cargar más",
                on_click=ChatState.load_more,
                variant="soft",
                size="2",
                id="load-more",
            ),
            padding="0.8rem",
            width="100%",
        ),
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
        filter_bar(),
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
            load_more(),
            rx.cond(
                ChatState.loaded & (ChatState.items.length() == 0),
                rx.center(
                    rx.text("No hay conversaciones.", size="2", color_scheme="gray"), padding="2rem"
                ),
            ),
            rx.script(src="/inbox_scroll.js"),  # scrolling to the end loads the next page
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


def staff_option(option: StaffOption) -> rx.Component:
    return rx.select.item(option.name, value=option.id)


def assignment_menu() -> rx.Component:
    """Who the conversation is assigned to; changing it is recorded."""
    return rx.select.root(
        rx.select.trigger(placeholder="Asignar a…", variant="soft", id="assign-trigger"),
        rx.select.content(
            rx.select.item("Sin asignar", value="none"),
            rx.foreach(ChatState.staff, staff_option),
        ),
        value=ChatState.header.assigned_to,
        on_change=ChatState.assign_to,
        size="2",
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
        rx.box(assignment_menu(), flex_shrink="0", class_name="va-assign"),
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
        wrap="wrap",
    )


def suggestion(option: CannedOption) -> rx.Component:
    return rx.box(
        rx.text(
            rx.text.span("/" + option.shortcut, weight="bold", color="var(--teal-11)"),
            " · ",
            option.title,
            size="2",
        ),
        rx.text(option.body, size="1", color_scheme="gray", style={"white_space": "nowrap"}),
        on_click=ChatState.use_canned(option.body),
        padding="0.4rem 0.7rem",
        cursor="pointer",
        overflow="hidden",
        text_overflow="ellipsis",
        _hover={"background": "var(--gray-3)"},
        class_name="va-suggestion",
    )


def canned_row(option: CannedOption) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(
                rx.text.span("/" + option.shortcut, weight="bold", color="var(--teal-11)"),
                " · ",
                option.title,
                size="2",
            ),
            rx.text(option.body, size="1", color_scheme="gray", style={"white_space": "pre-wrap"}),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.button(
            "Usar", size="1", on_click=ChatState.use_canned(option.body), class_name="va-use"
        ),
        rx.icon_button(
            rx.icon("pencil", size=14),
            size="1",
            variant="ghost",
            on_click=ChatState.edit_canned(option.id),
            aria_label="Editar",
        ),
        rx.icon_button(
            rx.icon("trash_2", size=14),
            size="1",
            variant="ghost",
            color_scheme="red",
            on_click=ChatState.delete_canned(option.id),
            aria_label="Eliminar",
        ),
        width="100%",
        align="start",
        padding_y="0.4rem",
        border_bottom="1px solid var(--gray-3)",
        class_name="va-canned",
    )


def canned_dialog() -> rx.Component:
    """ "Respuestas rápidas": the clinic's saved answers, to insert, add, edit or delete."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Respuestas rápidas"),
            rx.dialog.description(
                "Escribe «/» y el atajo en la respuesta para insertarlas.",
                size="2",
                color_scheme="gray",
            ),
            rx.box(
                rx.foreach(ChatState.canned, canned_row),
                rx.cond(
                    ChatState.canned.length() == 0,
                    rx.text("Aún no hay respuestas rápidas.", size="2", color_scheme="gray"),
                ),
                max_height="16rem",
                overflow_y="auto",
                margin_y="0.6rem",
            ),
            rx.vstack(
                rx.text(
                    rx.cond(ChatState.canned_edit_id != "", "Editar respuesta", "Nueva respuesta"),
                    weight="bold",
                    size="2",
                ),
                rx.hstack(
                    rx.input(
                        placeholder="Atajo (ej.: horario)",
                        value=ChatState.canned_shortcut,
                        on_change=ChatState.set_canned_shortcut,
                        width="10rem",
                        id="canned-shortcut",
                    ),
                    rx.input(
                        placeholder="Título",
                        value=ChatState.canned_title,
                        on_change=ChatState.set_canned_title,
                        flex="1",
                        id="canned-title",
                    ),
                    width="100%",
                ),
                rx.text_area(
                    placeholder="Texto que se insertará en la respuesta",
                    value=ChatState.canned_body,
                    on_change=ChatState.set_canned_body,
                    width="100%",
                    rows="3",
                    id="canned-body",
                ),
                rx.hstack(
                    rx.cond(
                        ChatState.canned_edit_id != "",
                        rx.button(
                            "Nueva",
                            variant="soft",
                            color_scheme="gray",
                            on_click=ChatState.new_canned,
                        ),
                    ),
                    rx.spacer(),
                    rx.dialog.close(rx.button("Cerrar", variant="soft", color_scheme="gray")),
                    rx.button("Guardar", on_click=ChatState.save_canned, id="canned-save"),
                    width="100%",
                ),
                width="100%",
                spacing="2",
            ),
            max_width="34rem",
            id="canned-dialog",
        ),
        open=ChatState.canned_open,
        on_open_change=ChatState.open_canned,
    )


def reply_box() -> rx.Component:
    """The reply (or, with "Nota interna", a note only staff see); "/" offers canned replies."""
    note = ChatState.note_mode
    return rx.box(
        rx.cond(
            ChatState.suggestions.length() > 0,
            rx.box(
                rx.foreach(ChatState.suggestions, suggestion),
                position="absolute",
                bottom="100%",
                left="0.8rem",
                right="0.8rem",
                background="white",
                border="1px solid var(--gray-5)",
                border_radius="var(--radius-3)",
                box_shadow="0 4px 14px rgba(0,0,0,.12)",
                z_index="5",
                id="canned-suggestions",
            ),
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="body",
                    value=ChatState.draft,
                    on_change=ChatState.set_draft,
                    placeholder=rx.cond(
                        note,
                        "Nota interna: solo la ve el equipo…",
                        rx.cond(
                            ChatState.header.taken_over,
                            "Escribe tu respuesta o «/» para respuestas rápidas…",
                            "Responder tú (pausa al asistente)…",
                        ),
                    ),
                    width="100%",
                    size="3",
                    auto_complete="off",
                    id="reply-input",
                ),
                rx.icon_button(
                    rx.cond(
                        note, rx.icon("sticky_note", size=18), rx.icon("send_horizontal", size=18)
                    ),
                    type="submit",
                    size="3",
                    id="reply-send",
                    color_scheme=rx.cond(note, "amber", "teal"),
                    aria_label=rx.cond(note, "Guardar nota", "Enviar"),
                ),
                width="100%",
                spacing="2",
            ),
            on_submit=ChatState.send,
            reset_on_submit=True,
            width="100%",
        ),
        rx.hstack(
            rx.el.label(
                rx.switch(
                    checked=note,
                    on_change=ChatState.toggle_note,
                    size="1",
                    color_scheme="amber",
                    id="note-toggle",
                ),
                rx.text("Nota interna", size="1"),
                display="flex",
                align_items="center",
                gap="6px",
                cursor="pointer",
            ),
            rx.spacer(),
            rx.button(
                rx.icon("zap", size=14),
                "Respuestas rápidas",
                size="1",
                variant="ghost",
                on_click=ChatState.open_canned(True),
                id="canned-open",
            ),
            width="100%",
            align="center",
            padding_top="0.4rem",
        ),
        canned_dialog(),
        position="relative",
        padding="0.6rem 0.8rem",
        background=rx.cond(note, "#fffbe6", "var(--gray-2)"),
        border_top="1px solid var(--gray-4)",
        width="100%",
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
