"""/seguimientos: follow-ups after procedures, by status."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes
from vetassist_app.components.data_table import data_table
from vetassist_app.states.followup_state import FollowUpRow, FollowUpState, TabCount
from vetassist_app.template import page_header, template

TWO_LINES = {
    "display": "-webkit-box",
    "-webkit-line-clamp": "2",
    "-webkit-box-orient": "vertical",
    "overflow": "hidden",
}


def tab(count: TabCount) -> rx.Component:
    return rx.segmented_control.item(
        rx.hstack(
            rx.text(count.label),
            rx.badge(count.count, variant="soft", radius="full", size="1"),
            spacing="2",
            align="center",
        ),
        value=count.key,
    )


def row(item: FollowUpRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(item.pet, weight="bold", size="2", white_space="nowrap"),
                rx.text(
                    item.client,
                    " · ",
                    item.phone,
                    size="1",
                    color_scheme="gray",
                    white_space="nowrap",
                ),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(item.procedure, size="2"),
                rx.text("Mensaje ", item.step, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(item.scheduled, size="2"),
                rx.cond(
                    item.sent != "", rx.text("Enviado ", item.sent, size="1", color_scheme="gray")
                ),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(
                    item.message, size="1", color_scheme="gray", max_width="26rem", style=TWO_LINES
                ),
                rx.cond(
                    item.response != "",
                    rx.box(
                        rx.text("«", item.response, "»", size="2"),
                        rx.text(item.response_when, size="1", color_scheme="gray"),
                        rx.flex(
                            rx.foreach(
                                item.keywords,
                                lambda k: rx.badge(k, color_scheme="red", variant="soft", size="1"),
                            ),
                            gap="1",
                        ),
                        background=rx.cond(
                            item.status == "escalated", "var(--red-2)", "var(--green-2)"
                        ),
                        padding="0.4rem 0.6rem",
                        border_radius="var(--radius-2)",
                        max_width="22rem",
                    ),
                ),
                rx.cond(item.error != "", rx.text(item.error, size="1", color="var(--orange-11)")),
                spacing="2",
            )
        ),
        rx.table.cell(rx.badge(item.status_label, color_scheme=item.status_color, size="2")),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    item.can_cancel & FollowUpState.can_cancel,
                    rx.button(
                        "Cancelar",
                        on_click=FollowUpState.cancel(item.id),
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        class_name="va-cancel-follow-up",
                    ),
                ),
                rx.cond(
                    item.conversation_id != "",
                    rx.link(
                        rx.icon_button(
                            rx.icon("messages_square", size=14),
                            size="1",
                            variant="soft",
                            color_scheme="gray",
                        ),
                        href=routes.CHATS + "?c=" + item.conversation_id,
                    ),
                ),
                rx.link(
                    rx.icon_button(
                        rx.icon("calendar_days", size=14),
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                    ),
                    href="/citas/" + item.appointment_id,
                ),
                spacing="1",
            )
        ),
        vertical_align="top",
    )


@template(routes.FOLLOW_UPS, "Seguimientos", on_load=FollowUpState.open_page)
def follow_ups() -> rx.Component:
    return rx.vstack(
        page_header(
            "Seguimientos",
            "Mensajes automáticos después de consultas, vacunas y cirugías, y lo que respondieron.",
        ),
        rx.box(
            rx.segmented_control.root(
                rx.foreach(FollowUpState.counts, tab),
                value=FollowUpState.tab,
                on_change=FollowUpState.set_tab,
                size="2",
            ),
            class_name="va-wide",
            max_width="100%",
        ),
        rx.cond(
            FollowUpState.hidden_count > 0,
            rx.text(
                "Mostrando los primeros ",
                FollowUpState.rows.length(),
                " de ",
                FollowUpState.rows.length() + FollowUpState.hidden_count,
                ".",
                size="1",
                color_scheme="gray",
            ),
        ),
        rx.card(
            rx.cond(
                FollowUpState.rows.length() > 0,
                data_table(
                    ["Mascota", "Procedimiento", "Programado", "Mensaje y respuesta", "Estado", ""],
                    FollowUpState.rows,
                    row,
                    size="1",
                ),
                rx.center(
                    rx.text("No hay seguimientos en esta lista.", color_scheme="gray"),
                    padding="3rem",
                ),
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
