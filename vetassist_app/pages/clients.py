"""/clientes: clients and pets, with each client's appointments, conversations and
no-shows; creating and editing clients, adding pets, merging duplicates."""

from __future__ import annotations

from typing import Any

import reflex as rx

from vetassist_app import routes, styles
from vetassist_app.components.data_table import data_table
from vetassist_app.components.forms import field, form_footer, search_box
from vetassist_app.states.client_state import (
    ClientAppointment,
    ClientRow,
    ClientState,
    ConversationRow,
    PetCard,
)
from vetassist_app.template import page_header, template


def client_row(item: ClientRow) -> rx.Component:
    selected = ClientState.selected.id == item.id
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(item.name, weight="bold", size="2"),
                rx.text(item.phone, size="1", color_scheme="gray"),
                rx.cond(
                    item.no_shows != "",
                    rx.badge(
                        item.no_shows, color_scheme="orange", size="1", class_name="va-no-shows"
                    ),
                ),
                spacing="0",
                align="start",
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
    return rx.link(
        rx.hstack(
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
            _hover={"background": "var(--gray-2)"},
        ),
        href=routes.PETS + "/" + pet.id,
        underline="none",
        color="inherit",
        class_name="va-pet",
    )


def conversation_line(item: ConversationRow) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("message_circle", size=16, color="var(--green-10)", flex_shrink="0"),
            rx.vstack(
                rx.text(item.when, " · ", item.phone, weight="medium", size="2"),
                rx.text(item.preview, size="1", color_scheme="gray", trim="both"),
                spacing="0",
                align="start",
                min_width="0",
            ),
            rx.spacer(),
            rx.badge(item.state, color_scheme=rx.cond(item.is_open, "green", "gray")),
            width="100%",
            align="center",
            padding="0.5rem 0.2rem",
            border_bottom="1px solid var(--gray-3)",
        ),
        href=routes.CHATS + "?c=" + item.id,
        underline="none",
        color="inherit",
        display="block",
        width="100%",
        class_name="va-client-conversation",
    )


def section(title: str, items: Any, render: rx.Component, empty: str) -> rx.Component:
    return rx.vstack(
        rx.text(title, weight="bold", size="2", margin_top="0.5rem"),
        rx.cond(
            items.length() > 0,  # type: ignore[attr-defined]
            render,
            rx.text(empty, size="2", color_scheme="gray"),
        ),
        spacing="1",
        width="100%",
        align="start",
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
                    C.no_shows != "",
                    rx.badge(C.no_shows, color_scheme="orange", id="client-no-shows"),
                ),
                rx.cond(
                    C.false_alarms > 0,
                    rx.badge(C.false_alarms, " falsas alarmas", color_scheme="orange"),
                ),
                spacing="2",
                wrap="wrap",
            ),
            rx.cond(C.email != "", rx.text(C.email, size="2", color_scheme="gray")),
            rx.cond(
                C.other_phones != "",
                rx.text(
                    "Otros números: ",
                    C.other_phones,
                    size="1",
                    color_scheme="gray",
                    id="client-other-phones",
                ),
            ),
            rx.flex(
                rx.link(
                    rx.button(
                        rx.icon("messages_square", size=16),
                        "Conversaciones",
                        variant="soft",
                        size="2",
                    ),
                    href=routes.CHATS + "?q=" + C.phone_raw,
                ),
                rx.cond(
                    ClientState.can_edit,
                    rx.fragment(
                        rx.button(
                            rx.icon("pencil", size=14),
                            "Editar",
                            variant="soft",
                            size="2",
                            on_click=ClientState.open_dialog("edit"),
                            id="client-edit",
                        ),
                        rx.button(
                            rx.icon("paw_print", size=14),
                            "Agregar mascota",
                            variant="soft",
                            size="2",
                            on_click=ClientState.open_dialog("pet"),
                            id="client-add-pet",
                        ),
                        rx.button(
                            rx.icon("merge", size=14),
                            "Fusionar con…",
                            variant="soft",
                            color_scheme="gray",
                            size="2",
                            on_click=ClientState.open_dialog("merge"),
                            id="client-merge",
                        ),
                    ),
                ),
                gap="2",
                wrap="wrap",
            ),
            section(
                "Mascotas",
                C.pets,
                rx.flex(rx.foreach(C.pets, pet_card), gap="2", wrap="wrap"),
                "Sin mascotas registradas.",
            ),
            section(
                "Próximas citas",
                C.upcoming,
                rx.vstack(rx.foreach(C.upcoming, appointment_line), spacing="0", width="100%"),
                "Sin citas próximas.",
            ),
            section(
                "Citas anteriores",
                C.past,
                rx.vstack(rx.foreach(C.past, appointment_line), spacing="0", width="100%"),
                "Sin citas anteriores.",
            ),
            section(
                "Conversaciones",
                C.conversations,
                rx.vstack(
                    rx.foreach(C.conversations, conversation_line), spacing="0", width="100%"
                ),
                "Sin conversaciones por WhatsApp.",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        rx.text("Elige un cliente.", color_scheme="gray"),
    )


def dialog_error() -> rx.Component:
    return rx.cond(
        ClientState.error != "",
        rx.callout(
            ClientState.error,
            icon="circle_alert",
            color_scheme="red",
            size="1",
            width="100%",
            id="client-dialog-error",
        ),
    )


def client_form(on_submit: Any, label: str, *, filled: bool) -> rx.Component:
    C = ClientState.selected
    return rx.form(
        rx.vstack(
            field(
                "Teléfono (WhatsApp)",
                rx.input(
                    name="phone",
                    default_value=C.phone_raw if filled else "",
                    placeholder="300 123 4567",
                    required=True,
                    width="100%",
                    id="client-form-phone",
                ),
            ),
            field(
                "Nombre",
                rx.input(
                    name="name",
                    default_value=C.name if filled else "",
                    placeholder="Nombre y apellido",
                    width="100%",
                    id="client-form-name",
                ),
            ),
            field(
                "Correo electrónico",
                rx.input(
                    name="email",
                    type="email",
                    default_value=C.email if filled else "",
                    width="100%",
                    id="client-form-email",
                ),
            ),
            dialog_error(),
            form_footer(label, close_dialog=True, back_label="Cerrar", id="client-form-save"),
            spacing="3",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
    )


def pet_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field("Nombre", rx.input(name="name", required=True, width="100%", id="pet-new-name")),
            rx.grid(
                field(
                    "Especie",
                    rx.select.root(
                        rx.select.trigger(placeholder="Especie", width="100%"),
                        rx.select.content(
                            *[
                                rx.select.item(s.capitalize(), value=s)
                                for s in ("perro", "gato", "ave", "conejo", "otro")
                            ]
                        ),
                        name="species",
                    ),
                ),
                field("Raza", rx.input(name="breed", width="100%")),
                field(
                    "Fecha de nacimiento", rx.input(name="birth_date", type="date", width="100%")
                ),
                field(
                    "Peso (kg)",
                    rx.input(name="weight_kg", input_mode="decimal", placeholder="Ej.: 12,5"),
                ),
                columns="2",
                spacing="3",
                width="100%",
            ),
            dialog_error(),
            form_footer("Agregar", close_dialog=True, back_label="Cerrar", id="pet-new-save"),
            spacing="3",
            width="100%",
        ),
        on_submit=ClientState.add_pet,
        reset_on_submit=False,
    )


def duplicate_row(item: ClientRow) -> rx.Component:
    chosen = ClientState.merge_choice.id == item.id
    return rx.hstack(
        rx.vstack(
            rx.text(item.name, weight="bold", size="2"),
            rx.text(
                item.phone,
                rx.cond(item.pets != "", " · " + item.pets, ""),
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
            align="start",
        ),
        rx.spacer(),
        rx.text(
            item.appointments,
            rx.cond(item.appointments == 1, " cita", " citas"),
            size="1",
            color_scheme="gray",
        ),
        on_click=ClientState.choose_duplicate(item.id),
        cursor="pointer",
        width="100%",
        padding="0.5rem",
        border_radius="var(--radius-2)",
        background=rx.cond(chosen, "var(--accent-3)", "transparent"),
        _hover={"background": "var(--gray-3)"},
        class_name="va-duplicate",
    )


def merge_form() -> rx.Component:
    C = ClientState.selected
    M = ClientState.merge_choice
    return rx.vstack(
        rx.text(
            "Busca el otro registro de la misma persona (por ejemplo, con otro número). "
            "Sus mascotas, citas y conversaciones pasarán a ",
            rx.text.strong(C.name),
            "; su número quedará como otro número de este cliente.",
            size="2",
        ),
        search_box(
            ClientState.search_duplicates,
            placeholder="Nombre, mascota o teléfono",
            value=ClientState.merge_query,
            input_id="merge-query",
        ),
        rx.vstack(
            rx.foreach(ClientState.merge_rows, duplicate_row),
            spacing="1",
            width="100%",
            max_height="14rem",
            overflow_y="auto",
        ),
        rx.cond(
            (ClientState.merge_query != "") & (ClientState.merge_rows.length() == 0),  # type: ignore[attr-defined]
            rx.text("Ningún otro cliente coincide.", size="2", color_scheme="gray"),
        ),
        rx.cond(
            M.id != "",
            rx.callout(
                rx.text(
                    "Se fusionará ",
                    rx.text.strong(M.name, " (", M.phone, ")"),
                    " con ",
                    rx.text.strong(C.name),
                    " y se eliminará ese registro. No se puede deshacer.",
                ),
                icon="triangle_alert",
                color_scheme="amber",
                size="1",
                width="100%",
            ),
        ),
        dialog_error(),
        rx.hstack(
            rx.dialog.close(rx.button("Cerrar", variant="soft", color_scheme="gray")),
            rx.button(
                "Fusionar",
                color_scheme="red",
                disabled=M.id == "",
                on_click=ClientState.merge,
                id="merge-confirm",
            ),
            justify="end",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def client_dialogs() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.match(
                    ClientState.dialog,
                    ("new", "Nuevo cliente"),
                    ("edit", "Editar cliente"),
                    ("pet", "Agregar mascota"),
                    ("merge", "Fusionar con otro cliente"),
                    "",
                )
            ),
            rx.match(
                ClientState.dialog,
                ("new", client_form(ClientState.create_client, "Crear cliente", filled=False)),
                ("edit", client_form(ClientState.update_client, "Guardar", filled=True)),
                ("pet", pet_form()),
                ("merge", merge_form()),
                rx.fragment(),
            ),
            max_width="32rem",
            id="client-dialog",
        ),
        open=ClientState.dialog != "",
        on_open_change=ClientState.set_dialog_open,
    )


@template(routes.CLIENTS, "Clientes y mascotas", on_load=ClientState.open_page)
def clients() -> rx.Component:
    return rx.vstack(
        page_header(
            "Clientes y mascotas",
            "Quién es quién, sus mascotas y sus citas.",
            rx.cond(
                ClientState.can_edit,
                rx.button(
                    rx.icon("user_plus", size=16),
                    "Nuevo cliente",
                    on_click=ClientState.open_dialog("new"),
                    id="client-new",
                ),
            ),
        ),
        client_dialogs(),
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
