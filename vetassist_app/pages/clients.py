"""/clientes: clients and pets, with each client's appointments."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes, styles
from vetassist_app.components.data_table import data_table
from vetassist_app.components.forms import search_box
from vetassist_app.states.client_state import ClientAppointment, ClientRow, ClientState, PetCard
from vetassist_app.template import page_header, template


def client_row(item: ClientRow) -> rx.Component:
    selected = ClientState.selected.id == item.id
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(item.name, weight="bold", size="2"),
                rx.text(item.phone, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(item.pets, size="2")),
        rx.table.cell(rx.text(item.appointments, size="2")),
        rx.table.cell(rx.text(rx.cond(item.next_label != "", item.next_label, "—"), size="2")),
        on_click=ClientState.select(item.id),
        cursor="pointer",
        background=rx.cond(selected, "var(--accent-3)", "transparent"),
        _hover={"background": "var(--gray-2)"},
        class_name="va-client",
    )


def pet_card(pet: PetCard) -> rx.Component:
    return rx.hstack(
        rx.text(pet.emoji, size="6"),
        rx.vstack(
            rx.text(pet.name, weight="bold", size="2"),
            rx.text(pet.details, size="1", color_scheme="gray"),
            spacing="0",
        ),
        align="center",
        spacing="2",
        padding="0.5rem 0.8rem",
        border="1px solid var(--gray-4)",
        border_radius="var(--radius-3)",
    )


def appointment_line(item: ClientAppointment) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.vstack(
                rx.text(item.when, weight="medium", size="2"),
                rx.text(item.pet, " · ", item.reason, size="1", color_scheme="gray"),
                rx.text(item.doctor, size="1", color_scheme="gray"),
                spacing="0",
                align="start",
            ),
            rx.spacer(),
            rx.badge(item.status_label, color_scheme=item.status_color),
            width="100%",
            align="center",
            padding="0.5rem 0.2rem",
            border_bottom="1px solid var(--gray-3)",
        ),
        href="/citas/" + item.id,
        underline="none",
        color="inherit",
        display="block",
        width="100%",
    )


def detail() -> rx.Component:
    # A Var at run time. mypy sees ClientDetail, and even Reflex's own typing gives a
    # dataclass var's attributes as plain Vars, so `.length()` below needs an ignore.
    C = ClientState.selected
    return rx.cond(
        C.id != "",
        rx.vstack(
            rx.hstack(
                rx.avatar(fallback=C.name[0:1], size="4", radius="full"),
                rx.vstack(
                    rx.heading(C.name, size="5"),
                    rx.text(C.phone, color_scheme="gray", size="2"),
                    spacing="0",
                ),
                spacing="3",
                align="center",
            ),
            rx.hstack(
                rx.text("Cliente desde ", C.since, size="1", color_scheme="gray"),
                rx.cond(
                    C.false_alarms > 0,
                    rx.badge(C.false_alarms, " falsas alarmas", color_scheme="orange"),
                ),
                spacing="2",
            ),
            rx.link(
                rx.button(
                    rx.icon("messages_square", size=16),
                    "Ver sus conversaciones",
                    variant="soft",
                    size="2",
                ),
                href=routes.CHATS + "?q=" + C.phone_raw,
            ),
            rx.text("Mascotas", weight="bold", size="2", margin_top="0.5rem"),
            rx.cond(
                C.pets.length() > 0,  # type: ignore[attr-defined]
                rx.flex(rx.foreach(C.pets, pet_card), gap="2", wrap="wrap"),
                rx.text("Sin mascotas registradas.", size="2", color_scheme="gray"),
            ),
            rx.text("Citas", weight="bold", size="2", margin_top="0.5rem"),
            rx.cond(
                C.appointments.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(C.appointments, appointment_line), spacing="0", width="100%"),
                rx.text("Sin citas todavía.", size="2", color_scheme="gray"),
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        rx.text("Elige un cliente.", color_scheme="gray"),
    )


@template(routes.CLIENTS, "Clientes y mascotas", on_load=ClientState.open_page)
def clients() -> rx.Component:
    return rx.vstack(
        page_header("Clientes y mascotas", "Quién es quién, sus mascotas y sus citas."),
        rx.grid(
            rx.vstack(
                search_box(
                    ClientState.search,
                    placeholder="Nombre, mascota o teléfono",
                    value=ClientState.query,
                ),
                rx.card(
                    data_table(
                        ["Cliente", "Mascotas", "Citas", "Próxima cita"],
                        ClientState.rows,
                        client_row,
                    ),
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            rx.box(detail(), style=styles.panel, width="100%"),
            columns=rx.breakpoints(initial="minmax(0, 1fr)", sm="minmax(0, 3fr) minmax(0, 2fr)"),
            spacing="4",
            width="100%",
            align_items="start",
        ),
        width="100%",
    )
