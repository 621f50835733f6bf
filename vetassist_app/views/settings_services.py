"""Settings → Servicios: each service's length, margin, doctors and deposit; add or stop one."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from vetassist_app import styles
from vetassist_app.components.forms import field, form_footer
from vetassist_app.states.services_state import DoctorToggle, ServiceCard, ServicesState


def _doctor_checkbox(doctor: DoctorToggle) -> rx.Component:
    return rx.checkbox(doctor.name, name="doctor_" + doctor.id, default_checked=doctor.checked)


def _fields(
    name: rx.Var | str,
    duration: rx.Var | str,
    buffer: rx.Var | str,
    keywords: rx.Var | str,
    deposit: rx.Var | bool,
    doctors: rx.Var | list,
) -> rx.Component:
    return rx.vstack(
        rx.grid(
            field("Nombre", rx.input(name="name", default_value=name, width="100%", required=True)),
            field(
                "Duración (min)",
                rx.input(name="duration_minutes", type="number", default_value=duration),
                hint="De 5 a 480.",
            ),
            field(
                "Margen después (min)",
                rx.input(name="buffer_minutes", type="number", default_value=buffer),
                hint="Limpieza o recuperación; cuenta el mayor entre este y el del médico.",
            ),
            columns=rx.breakpoints(initial="1", sm="2fr 1fr 1fr"),
            spacing="3",
            width="100%",
        ),
        field(
            "Palabras que reconoce el asistente",
            rx.input(
                name="keywords",
                default_value=keywords,
                placeholder="vacuna, refuerzo, antirrábica",
                width="100%",
            ),
            hint="Separadas por comas; sin importar tildes ni mayúsculas.",
        ),
        rx.text("Lo atienden", size="2", weight="medium"),
        rx.flex(rx.foreach(doctors, _doctor_checkbox), wrap="wrap", spacing="4"),
        rx.text(
            "Si no marcas ninguno, lo atienden todos los médicos.", size="1", color_scheme="gray"
        ),
        rx.hstack(
            rx.switch(name="deposit", default_checked=deposit),
            rx.text("Requiere anticipo", size="2"),
            spacing="2",
            align="center",
        ),
        spacing="3",
        width="100%",
    )


def service_card(service: ObjectVar[ServiceCard]) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.heading(service.name, size="4"),
                rx.cond(service.default, rx.badge("Por defecto", color_scheme="teal")),
                rx.cond(~service.active, rx.badge("Inactivo", color_scheme="gray")),
                rx.spacer(),
                rx.text(service.summary, size="2", color_scheme="gray"),
                align="center",
                spacing="2",
                width="100%",
                wrap="wrap",
            ),
            rx.el.input(type="hidden", name="service_id", value=service.id),
            _fields(
                service.name,
                service.duration_minutes.to_string(),
                service.buffer_minutes.to_string(),
                service.keywords,
                service.deposit,
                service.doctors,
            ),
            rx.hstack(
                rx.cond(
                    service.active & ~service.default,
                    rx.button(
                        "Desactivar",
                        type="button",
                        variant="soft",
                        color_scheme="red",
                        on_click=ServicesState.deactivate(service.id),
                    ),
                ),
                rx.spacer(),
                rx.button(
                    rx.cond(service.active, "Guardar servicio", "Reactivar y guardar"),
                    type="submit",
                ),
                width="100%",
                align="center",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=ServicesState.save_service,
        reset_on_submit=False,
        style=styles.panel,
        width="100%",
        data_service=service.name,
    )


def new_service_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Nuevo servicio", size="4"),
            _fields("", "30", "0", "", False, ServicesState.doctors),
            form_footer("Agregar servicio", id="add-service"),
            spacing="3",
            width="100%",
        ),
        on_submit=ServicesState.add_service,
        reset_on_submit=True,
        style=styles.panel,
        width="100%",
        id="new-service-form",
    )


def services_section() -> rx.Component:
    """The tab's content; loads the catalog when shown."""
    return rx.vstack(
        rx.text(
            "Cada servicio dura lo suyo: la agenda, el asistente y la API lo usan al ofrecer "
            "horarios. Sin servicio, una cita es una consulta general.",
            size="2",
            color_scheme="gray",
        ),
        rx.box(
            rx.vstack(rx.foreach(ServicesState.services, service_card), spacing="4", width="100%"),
            key=ServicesState.version.to_string(),
            width="100%",
        ),
        new_service_form(),
        spacing="4",
        width="100%",
        on_mount=ServicesState.load,
    )
