"""/emergencias: the live emergency board."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes
from vetassist_app.components.forms import form_footer
from vetassist_app.states.emergency_state import EmergencyCard, EmergencyState
from vetassist_app.template import page_header, template


def keyword(word: str) -> rx.Component:
    return rx.badge(word, color_scheme="red", variant="soft", radius="full")


def open_card(card: EmergencyCard) -> rx.Component:
    active = card.status == "active"
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(
                    rx.icon("siren", size=13),
                    card.status_label,
                    color_scheme=card.status_color,
                    variant="solid",
                    size="2",
                ),
                rx.text(card.since_label, size="2", weight="bold", color="var(--red-11)"),
                rx.spacer(),
                rx.text(card.created_label, size="1", color_scheme="gray"),
                align="center",
                width="100%",
            ),
            rx.hstack(
                rx.heading(card.pet, size="5"),
                rx.cond(card.category != "", rx.badge(card.category, color_scheme="gray")),
                align="center",
                spacing="2",
            ),
            rx.text(card.description, size="3", style={"white_space": "pre-wrap"}),
            rx.flex(rx.foreach(card.keywords, keyword), gap="1", wrap="wrap"),
            rx.hstack(
                rx.icon("phone", size=15, color="var(--gray-10)"),
                rx.text(card.phone, weight="medium", size="2"),
                rx.cond(
                    card.client_name != "",
                    rx.text("· ", card.client_name, size="2", color_scheme="gray"),
                ),
                align="center",
                spacing="2",
            ),
            rx.cond(
                card.handled_label != "", rx.text(card.handled_label, size="1", color_scheme="gray")
            ),
            rx.hstack(
                rx.cond(
                    active,
                    rx.button(
                        rx.icon("hand", size=16),
                        "Atender",
                        on_click=EmergencyState.acknowledge(card.id),
                        color_scheme="amber",
                        class_name="va-ack",
                    ),
                ),
                rx.cond(
                    EmergencyState.can_resolve,
                    rx.button(
                        rx.icon("circle_check", size=16),
                        "Cerrar",
                        on_click=EmergencyState.start_resolve(card.id),
                        variant="soft",
                        color_scheme="green",
                        class_name="va-resolve",
                    ),
                ),
                rx.cond(
                    card.conversation_id != "",
                    rx.link(
                        rx.button(
                            rx.icon("messages_square", size=16),
                            "Ver chat",
                            variant="soft",
                            color_scheme="gray",
                        ),
                        href=routes.CHATS + "?c=" + card.conversation_id,
                    ),
                ),
                rx.cond(
                    card.appointment_id != "",
                    rx.link(
                        rx.button(
                            rx.icon("calendar_days", size=16),
                            "Cita",
                            variant="soft",
                            color_scheme="gray",
                        ),
                        href="/citas/" + card.appointment_id,
                    ),
                ),
                spacing="2",
                wrap="wrap",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        size="3",
        border_left=rx.cond(active, "5px solid var(--red-9)", "5px solid var(--amber-9)"),
        class_name=rx.cond(active, "va-glow va-emergency", "va-emergency"),
        data_status=card.status,
        width="100%",
    )


def closed_row(card: EmergencyCard) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(card.created_label, size="2")),
        rx.table.cell(rx.text(card.pet, weight="medium", size="2")),
        rx.table.cell(rx.text(card.description, size="2", max_width="24rem", truncate=True)),
        rx.table.cell(rx.text(card.phone, size="2")),
        rx.table.cell(rx.badge(card.status_label, color_scheme=card.status_color)),
        rx.table.cell(
            rx.text(card.notes, size="1", color_scheme="gray", max_width="18rem", truncate=True)
        ),
    )


def resolve_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Cerrar emergencia"),
            rx.form(
                rx.vstack(
                    rx.text("¿Cómo terminó?", size="2", weight="medium"),
                    rx.radio_group.root(
                        rx.hstack(
                            rx.radio_group.item("Resuelta", value="resolved"),
                            rx.radio_group.item("Falsa alarma", value="false_alarm"),
                            spacing="4",
                        ),
                        name="outcome",
                        default_value="resolved",
                    ),
                    rx.text("Notas", size="2", weight="medium"),
                    rx.text_area(
                        name="notes",
                        placeholder="Qué se hizo, a dónde se remitió, indicaciones al cliente…",
                        rows="3",
                        width="100%",
                    ),
                    rx.text(
                        "Una falsa alarma queda en la ficha del cliente.",
                        size="1",
                        color_scheme="gray",
                    ),
                    form_footer(
                        "Cerrar emergencia",
                        close_dialog=True,
                        color_scheme="green",
                        id="resolve-submit",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=EmergencyState.submit_resolve,
            ),
            max_width="30rem",
        ),
        open=EmergencyState.resolve_open,
        on_open_change=EmergencyState.set_resolve_open,
    )


@template(routes.EMERGENCIES, "Emergencias", on_load=EmergencyState.open_page)
def emergencies() -> rx.Component:
    return rx.vstack(
        page_header(
            "Emergencias",
            "Se actualiza sola. Las activas primero: atiéndelas y ciérralas con una nota.",
        ),
        rx.cond(
            EmergencyState.open_cards.length() > 0,
            rx.grid(
                rx.foreach(EmergencyState.open_cards, open_card),
                columns=rx.breakpoints(initial="1", lg="2"),
                spacing="4",
                width="100%",
                id="open-emergencies",
            ),
            rx.card(
                rx.hstack(
                    rx.icon("shield_check", size=28, color="var(--green-9)"),
                    rx.vstack(
                        rx.text("Sin emergencias abiertas", weight="bold"),
                        rx.text(
                            "Cuando un cliente reporte una emergencia por WhatsApp aparecerá aquí, "
                            "con un aviso y un sonido en todas las páginas.",
                            size="2",
                            color_scheme="gray",
                        ),
                        spacing="1",
                    ),
                    spacing="3",
                    align="center",
                ),
                size="3",
                width="100%",
            ),
        ),
        rx.heading("Cerradas recientemente", size="4", margin_top="1.5rem"),
        rx.card(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Recibida"),
                        rx.table.column_header_cell("Mascota"),
                        rx.table.column_header_cell("Descripción"),
                        rx.table.column_header_cell("Teléfono"),
                        rx.table.column_header_cell("Resultado"),
                        rx.table.column_header_cell("Notas"),
                    )
                ),
                rx.table.body(
                    rx.foreach(EmergencyState.closed_cards, closed_row),
                    rx.cond(
                        EmergencyState.closed_cards.length() == 0,
                        rx.table.row(
                            rx.table.cell(
                                rx.text("Ninguna todavía.", size="2", color_scheme="gray"),
                                col_span=6,
                            )
                        ),
                    ),
                ),
                width="100%",
            ),
            width="100%",
            class_name="va-wide",
        ),
        resolve_dialog(),
        spacing="3",
        width="100%",
    )
