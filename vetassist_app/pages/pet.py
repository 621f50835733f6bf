"""/mascotas/<id>: one pet's record (details, visits with notes, vaccines and due dates)."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes
from vetassist_app.components.forms import field, form_footer
from vetassist_app.states.pet_state import PetState, VaccineRow, VisitRow
from vetassist_app.template import page_header, template

P = PetState.pet
SPECIES = ("perro", "gato", "ave", "conejo", "otro")


def fact(label: str, value: rx.Var | str, element_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(rx.cond(value != "", value, "—"), size="3", weight="medium", id=element_id),
        spacing="0",
        align="start",
    )


def pet_summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(P.emoji, size="8"),
                rx.vstack(
                    rx.heading(P.name, size="6", id="pet-name"),
                    rx.hstack(
                        rx.text("De ", size="2", color_scheme="gray"),
                        rx.link(
                            P.client_name,
                            href=routes.CLIENTS + "?id=" + P.client_id,
                            size="2",
                            id="pet-owner",
                        ),
                        rx.text(" · ", P.client_phone, size="2", color_scheme="gray"),
                        spacing="1",
                        wrap="wrap",
                    ),
                    spacing="1",
                    align="start",
                ),
                rx.spacer(),
                rx.cond(
                    PetState.can_edit,
                    rx.button(
                        rx.icon("pencil", size=14),
                        "Editar",
                        variant="soft",
                        size="2",
                        on_click=PetState.set_editing(True),
                        id="pet-edit",
                    ),
                ),
                align="center",
                width="100%",
                spacing="3",
            ),
            rx.grid(
                fact("Especie", P.species, "pet-species"),
                fact("Raza", P.breed, "pet-breed"),
                fact("Edad", P.age, "pet-age"),
                fact("Peso", P.weight, "pet-weight"),
                columns=rx.breakpoints(initial="2", sm="4"),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                P.birth_label != "",
                rx.text("Nació el ", P.birth_label, size="1", color_scheme="gray"),
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def visit_row(visit: VisitRow) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.hstack(
                rx.text(visit.when, weight="medium", size="2"),
                rx.spacer(),
                rx.badge(visit.status_label, color_scheme=visit.status_color),
                width="100%",
                align="center",
            ),
            rx.text(
                visit.doctor,
                rx.cond(visit.reason != "", " · " + visit.reason, ""),
                rx.cond(visit.procedure != "", " · " + visit.procedure, ""),
                size="1",
                color_scheme="gray",
            ),
            rx.cond(
                visit.notes != "",
                rx.text(
                    visit.notes,
                    size="2",
                    white_space="pre-wrap",
                    background="var(--gray-2)",
                    border_radius="var(--radius-2)",
                    padding="0.4rem 0.6rem",
                    width="100%",
                ),
            ),
            spacing="1",
            width="100%",
            padding="0.6rem 0.2rem",
            border_bottom="1px solid var(--gray-3)",
        ),
        href="/citas/" + visit.id,
        underline="none",
        color="inherit",
        display="block",
        width="100%",
        class_name="va-visit",
    )


def visits() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Visitas", weight="bold", size="3"),
            rx.cond(
                P.visits.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(P.visits, visit_row), spacing="0", width="100%"),
                rx.text("Sin visitas todavía.", size="2", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        size="2",
        width="100%",
    )


def vaccine_row(vaccine: VaccineRow) -> rx.Component:
    return rx.hstack(
        rx.icon("syringe", size=16, color="var(--accent-10)", flex_shrink="0"),
        rx.vstack(
            rx.text(vaccine.name, weight="medium", size="2"),
            rx.text("Aplicada el ", vaccine.given_label, size="1", color_scheme="gray"),
            spacing="0",
            align="start",
        ),
        rx.spacer(),
        rx.cond(
            vaccine.due_label != "",
            rx.badge(
                rx.match(
                    vaccine.due_state,
                    ("overdue", "Vencida: "),
                    ("soon", "Próxima: "),
                    "Próxima: ",
                ),
                vaccine.due_label,
                color_scheme=rx.match(
                    vaccine.due_state,
                    ("overdue", "red"),
                    ("soon", "amber"),
                    "green",
                ),
                class_name="va-vaccine-due",
            ),
        ),
        rx.cond(
            PetState.can_edit,
            rx.icon_button(
                rx.icon("pencil", size=14),
                variant="ghost",
                size="1",
                on_click=PetState.start_vaccine(vaccine.id),
                aria_label="Editar vacuna",
            ),
        ),
        align="center",
        spacing="2",
        width="100%",
        padding="0.5rem 0.2rem",
        border_bottom="1px solid var(--gray-3)",
        class_name="va-vaccine",
    )


def vaccines() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Vacunas", weight="bold", size="3"),
                rx.spacer(),
                rx.cond(
                    PetState.can_edit,
                    rx.button(
                        rx.icon("plus", size=14),
                        "Registrar vacuna",
                        size="1",
                        variant="soft",
                        on_click=PetState.start_vaccine(""),
                        id="vaccine-add",
                    ),
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                P.vaccines.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(P.vaccines, vaccine_row), spacing="0", width="100%"),
                rx.text("Sin vacunas registradas.", size="2", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        size="2",
        width="100%",
    )


def edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Editar mascota"),
            rx.form(
                rx.vstack(
                    field(
                        "Nombre",
                        rx.input(
                            name="name",
                            default_value=P.name,
                            required=True,
                            width="100%",
                            id="pet-form-name",
                        ),
                    ),
                    rx.grid(
                        field(
                            "Especie",
                            rx.select.root(
                                rx.select.trigger(placeholder="Especie", width="100%"),
                                rx.select.content(
                                    *[rx.select.item(s.capitalize(), value=s) for s in SPECIES]
                                ),
                                name="species",
                                default_value=P.species.lower(),
                            ),
                        ),
                        field(
                            "Raza",
                            rx.input(
                                name="breed",
                                default_value=P.breed,
                                width="100%",
                                id="pet-form-breed",
                            ),
                        ),
                        field(
                            "Fecha de nacimiento",
                            rx.input(
                                name="birth_date",
                                type="date",
                                default_value=P.birth_date,
                                width="100%",
                                id="pet-form-birth",
                            ),
                        ),
                        field(
                            "Peso (kg)",
                            rx.input(
                                name="weight_kg",
                                default_value=P.weight_value,
                                input_mode="decimal",
                                placeholder="Ej.: 12,5",
                                width="100%",
                                id="pet-form-weight",
                            ),
                        ),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    form_footer("Guardar", close_dialog=True, id="pet-form-save"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=PetState.save_pet,
                reset_on_submit=False,
            ),
            max_width="30rem",
        ),
        open=PetState.editing,
        on_open_change=PetState.set_editing,
    )


def vaccine_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(PetState.vaccine_id != "", "Editar vacuna", "Registrar vacuna")
            ),
            rx.form(
                rx.vstack(
                    field(
                        "Vacuna",
                        rx.input(
                            name="name",
                            default_value=PetState.vaccine_name,
                            placeholder="Ej.: Rabia",
                            required=True,
                            width="100%",
                            id="vaccine-name",
                        ),
                    ),
                    rx.grid(
                        field(
                            "Aplicada el",
                            rx.input(
                                name="given_on",
                                type="date",
                                default_value=PetState.vaccine_given,
                                required=True,
                                width="100%",
                                id="vaccine-given",
                            ),
                        ),
                        field(
                            "Próxima dosis",
                            rx.input(
                                name="due_on",
                                type="date",
                                default_value=PetState.vaccine_due,
                                width="100%",
                                id="vaccine-due",
                            ),
                        ),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    form_footer("Guardar", close_dialog=True, id="vaccine-save"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=PetState.save_vaccine,
                reset_on_submit=False,
            ),
            max_width="28rem",
        ),
        open=PetState.vaccine_open,
        on_open_change=PetState.set_vaccine_open,
    )


def missing() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("search_x", size=40, color="var(--gray-9)"),
            rx.heading("Mascota no encontrada", size="5"),
            rx.text("Esta mascota no existe o no pertenece a tu clínica.", color_scheme="gray"),
            rx.link(rx.button("Ir a clientes", variant="soft"), href=routes.CLIENTS),
            align="center",
            spacing="3",
        ),
        padding="4rem",
        id="pet-missing",
    )


@template(routes.PET, "Mascota", on_load=PetState.open_page)
def pet() -> rx.Component:
    return rx.vstack(
        page_header(
            "Historia de la mascota",
            "",
            rx.link(
                rx.button(
                    rx.icon("arrow_left", size=16), "Cliente", variant="soft", color_scheme="gray"
                ),
                href=routes.CLIENTS + "?id=" + P.client_id,
            ),
        ),
        rx.cond(
            PetState.missing,
            missing(),
            rx.cond(
                P.id != "",
                rx.vstack(
                    pet_summary(),
                    rx.grid(
                        visits(),
                        vaccines(),
                        columns=rx.breakpoints(
                            initial="minmax(0, 1fr)", md="minmax(0, 3fr) minmax(0, 2fr)"
                        ),
                        spacing="4",
                        width="100%",
                        align_items="start",
                    ),
                    edit_dialog(),
                    vaccine_dialog(),
                    spacing="4",
                    width="100%",
                ),
                rx.center(rx.spinner(size="3"), padding="4rem"),
            ),
        ),
        width="100%",
    )
