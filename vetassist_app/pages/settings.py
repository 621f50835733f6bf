"""/configuracion: the manager's settings, in tabs."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from vetassist_app import routes, styles
from vetassist_app.components.data_table import data_table, remove_button
from vetassist_app.components.forms import field, form_footer
from vetassist_app.states.settings_state import (
    ApiKeyRow,
    ContactRow,
    DoctorForm,
    ProtocolForm,
    SettingsState,
    TimeOffRow,
)
from vetassist_app.template import page_header, template
from vetassist_app.views.settings_calendar import calendar_tab
from vetassist_app.views.settings_google import google_tab
from vetassist_app.views.settings_hours import week_editor
from vetassist_app.views.settings_services import services_section
from vetassist_app.views.settings_staff import staff_tab


def clinic_tab() -> rx.Component:
    S = SettingsState
    return rx.form(
        rx.grid(
            rx.vstack(
                rx.heading("Datos de la clínica", size="4"),
                field("Nombre", rx.input(name="name", default_value=S.clinic_name, width="100%")),
                field(
                    "Teléfono", rx.input(name="phone", default_value=S.clinic_phone, width="100%")
                ),
                field(
                    "Dirección",
                    rx.input(name="address", default_value=S.clinic_address, width="100%"),
                ),
                field(
                    "Recordatorios de cita (horas antes)",
                    rx.input(
                        name="reminders", default_value=S.reminders, width="100%", id="reminders"
                    ),
                    hint="Ej.: 24, 2 — un recordatorio un día antes y otro dos horas antes.",
                ),
                rx.text("Zona horaria: ", S.timezone, size="1", color_scheme="gray"),
                spacing="3",
                style=styles.panel,
            ),
            rx.vstack(
                rx.heading("Horario de atención", size="4"),
                rx.text(
                    "Un día sin periodos queda cerrado. Una hora final 00:00 es medianoche.",
                    size="1",
                    color_scheme="gray",
                ),
                week_editor(S.business_hours, "clinic"),
                spacing="2",
                style=styles.panel,
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
            width="100%",
        ),
        form_footer("Guardar datos de la clínica"),
        on_submit=S.save_clinic,
        reset_on_submit=False,
        width="100%",
    )


def number_field(label: str, name: str, value: rx.Var, hint: str) -> rx.Component:
    return field(
        label,
        rx.input(name=name, type="number", default_value=value.to_string(), width="100%"),
        hint=hint,
    )


def doctor_card(doctor: ObjectVar[DoctorForm]) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.box(width="12px", height="12px", border_radius="999px", background=doctor.color),
                rx.heading(doctor.name, size="4"),
                rx.text(doctor.speciality, size="2", color_scheme="gray"),
                rx.spacer(),
                rx.hstack(
                    rx.switch(name="ai_booking", default_checked=doctor.ai_booking),
                    rx.text("El asistente puede agendarle citas", size="2"),
                    spacing="2",
                    align="center",
                ),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.el.input(type="hidden", name="doctor_id", value=doctor.id),
            rx.grid(
                rx.vstack(
                    rx.text("Horario semanal", size="2", weight="medium"),
                    week_editor(doctor.days, doctor.id),
                    spacing="2",
                    width="100%",
                ),
                rx.vstack(
                    number_field(
                        "Duración de la cita (min)",
                        "slot_minutes",
                        doctor.slot_minutes,
                        "Largo de cada turno.",
                    ),
                    number_field(
                        "Margen entre citas (min)",
                        "buffer_minutes",
                        doctor.buffer_minutes,
                        "Limpieza y papeleo.",
                    ),
                    number_field(
                        "Anticipación mínima (min)",
                        "min_notice_minutes",
                        doctor.min_notice_minutes,
                        "Nadie agenda con menos aviso.",
                    ),
                    number_field(
                        "Agenda abierta (días)",
                        "horizon_days",
                        doctor.horizon_days,
                        "Hasta cuándo se puede agendar.",
                    ),
                    spacing="2",
                    width="100%",
                ),
                columns=rx.breakpoints(initial="1", sm="3fr 2fr"),
                spacing="5",
                width="100%",
            ),
            form_footer("Guardar horario"),
            spacing="3",
            width="100%",
        ),
        on_submit=SettingsState.save_doctor,
        reset_on_submit=False,
        style=styles.panel,
        width="100%",
    )


def time_off_row(row: TimeOffRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.doctor),
        rx.table.cell(row.start),
        rx.table.cell(row.end),
        rx.table.cell(row.reason),
        rx.table.cell(remove_button(SettingsState.remove_time_off(row.id))),
    )


def doctor_option(doctor: DoctorForm) -> rx.Component:
    return rx.select.item(doctor.name, value=doctor.id)


def time_off_panel() -> rx.Component:
    return rx.vstack(
        rx.heading("Ausencias y bloqueos", size="4"),
        rx.form(
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(placeholder="Médico", min_width="12rem"),
                    rx.select.content(rx.foreach(SettingsState.doctors, doctor_option)),
                    name="doctor_id",
                    required=True,
                ),
                rx.input(type="date", name="start_day", required=True),
                rx.input(type="time", name="start_time", default_value="08:00"),
                rx.text("a", size="2"),
                rx.input(type="date", name="end_day", required=True),
                rx.input(type="time", name="end_time", default_value="18:00"),
                rx.input(name="reason", placeholder="Motivo (vacaciones, congreso…)", width="100%"),
                rx.button("Agregar", type="submit"),
                spacing="2",
                align="center",
                width="100%",
                wrap="wrap",
            ),
            on_submit=SettingsState.add_time_off,
            width="100%",
        ),
        data_table(
            ["Médico", "Desde", "Hasta", "Motivo", ""],
            SettingsState.time_off,
            time_off_row,
            empty="Sin ausencias próximas.",
        ),
        style=styles.panel,
        spacing="3",
        width="100%",
    )


def doctors_tab() -> rx.Component:
    return rx.vstack(
        rx.foreach(SettingsState.doctors, doctor_card),
        time_off_panel(),
        spacing="4",
        width="100%",
    )


def protocol_card(protocol: ProtocolForm) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(protocol.label, size="4"),
            rx.el.input(type="hidden", name="procedure_type", value=protocol.procedure_type),
            rx.el.input(type="hidden", name="label", value=protocol.label),
            field(
                "Cuándo (horas después de la cita)",
                rx.input(name="hours", default_value=protocol.hours, width="100%"),
                hint="Ej.: 24, 48, 72 — un mensaje por cada hora indicada.",
            ),
            field(
                "Mensajes (uno por línea, en el mismo orden)",
                rx.text_area(
                    name="messages", default_value=protocol.messages, rows="4", width="100%"
                ),
                hint="Puedes usar {pet_name}, {client_name} y {clinic_name}.",
            ),
            field(
                "Palabras que alertan al veterinario",
                rx.input(name="keywords", default_value=protocol.keywords, width="100%"),
                hint="Separadas por comas.",
            ),
            form_footer("Guardar protocolo"),
            spacing="3",
            width="100%",
        ),
        on_submit=SettingsState.save_protocol,
        reset_on_submit=False,
        style=styles.panel,
        width="100%",
    )


def protocols_tab() -> rx.Component:
    return rx.vstack(rx.foreach(SettingsState.protocols, protocol_card), spacing="4", width="100%")


def contact_row(row: ContactRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.name, weight="medium")),
        rx.table.cell(row.phone),
        rx.table.cell(row.email),
        rx.table.cell(row.channels),
        rx.table.cell(remove_button(SettingsState.remove_contact(row.id))),
    )


def contacts_tab() -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.text(
                "Reciben las alertas de emergencia y de seguimientos preocupantes.",
                size="2",
                color_scheme="gray",
                margin_bottom="0.5rem",
            ),
            data_table(
                ["Nombre", "WhatsApp", "Correo", "Canales", ""],
                SettingsState.contacts,
                contact_row,
                empty="Nadie recibe alertas todavía: agrega un contacto.",
            ),
            style=styles.panel,
            width="100%",
        ),
        rx.form(
            rx.vstack(
                rx.heading("Nuevo contacto", size="4"),
                rx.grid(
                    field("Nombre", rx.input(name="name", width="100%", required=True)),
                    field(
                        "WhatsApp", rx.input(name="phone", placeholder="300 123 4567", width="100%")
                    ),
                    field("Correo", rx.input(name="email", type="email", width="100%")),
                    columns=rx.breakpoints(initial="1", sm="3"),
                    spacing="3",
                    width="100%",
                ),
                rx.hstack(
                    rx.checkbox("WhatsApp", name="channel_whatsapp", default_checked=True),
                    rx.checkbox("Correo", name="channel_email"),
                    rx.checkbox("Slack", name="channel_slack"),
                    spacing="4",
                ),
                form_footer("Agregar contacto"),
                spacing="3",
                width="100%",
            ),
            on_submit=SettingsState.save_contact,
            style=styles.panel,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def key_row(row: ApiKeyRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.name, weight="medium")),
        rx.table.cell(rx.code(row.prefix)),
        rx.table.cell(row.created),
        rx.table.cell(row.last_used),
        rx.table.cell(
            rx.cond(
                row.live,
                rx.badge("Activa", color_scheme="green"),
                rx.badge("Revocada ", row.revoked, color_scheme="gray"),
            )
        ),
        rx.table.cell(
            rx.cond(
                row.live,
                rx.button(
                    "Revocar",
                    on_click=SettingsState.revoke_api_key(row.id),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    class_name="va-revoke",
                ),
            )
        ),
    )


def keys_tab() -> rx.Component:
    return rx.vstack(
        rx.cond(
            SettingsState.new_secret != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("key_round")),
                rx.vstack(
                    rx.text(
                        "Copia la clave ahora: por seguridad no se vuelve a mostrar.",
                        weight="bold",
                        size="2",
                    ),
                    rx.hstack(
                        rx.code(SettingsState.new_secret, size="3", id="new-api-key"),
                        rx.icon_button(
                            rx.icon("copy", size=14),
                            on_click=rx.set_clipboard(SettingsState.new_secret),
                            size="1",
                            variant="soft",
                        ),
                        rx.button(
                            "Listo", on_click=SettingsState.hide_secret, size="1", variant="soft"
                        ),
                        align="center",
                        spacing="2",
                    ),
                    spacing="2",
                ),
                color_scheme="amber",
                width="100%",
            ),
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="name",
                    placeholder="Nombre de la integración (ej. sistema de facturación)",
                    width="100%",
                    required=True,
                ),
                rx.button(rx.icon("plus", size=16), "Crear clave", type="submit", id="create-key"),
                width="100%",
            ),
            on_submit=SettingsState.create_api_key,
            width="100%",
        ),
        rx.box(
            data_table(
                ["Nombre", "Prefijo", "Creada", "Último uso", "Estado", ""],
                SettingsState.api_keys,
                key_row,
                empty="Sin claves: crea una para conectar otro sistema.",
            ),
            style=styles.panel,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


@template(routes.SETTINGS, "Configuración", on_load=SettingsState.open_page)
def settings() -> rx.Component:
    return rx.vstack(
        page_header(
            "Configuración", "Horarios, reglas de agenda, seguimientos, alertas e integraciones."
        ),
        rx.cond(
            SettingsState.loaded,
            rx.tabs.root(
                rx.tabs.list(
                    rx.tabs.trigger("Clínica", value="clinica"),
                    rx.tabs.trigger("Médicos y horarios", value="medicos"),
                    rx.tabs.trigger("Servicios", value="servicios"),
                    rx.tabs.trigger("Festivos y guardias", value="festivos"),
                    rx.tabs.trigger("Equipo", value="equipo"),
                    rx.tabs.trigger("Seguimientos", value="seguimientos"),
                    rx.tabs.trigger("Contactos de alerta", value="contactos"),
                    rx.tabs.trigger("Claves API", value="claves"),
                    rx.tabs.trigger("Google Calendar", value="google"),
                    size="2",
                ),
                rx.box(
                    rx.tabs.content(clinic_tab(), value="clinica"),
                    rx.tabs.content(doctors_tab(), value="medicos"),
                    rx.tabs.content(services_section(), value="servicios"),
                    rx.tabs.content(calendar_tab(), value="festivos"),
                    rx.tabs.content(staff_tab(), value="equipo"),
                    rx.tabs.content(protocols_tab(), value="seguimientos"),
                    rx.tabs.content(contacts_tab(), value="contactos"),
                    rx.tabs.content(keys_tab(), value="claves"),
                    rx.tabs.content(google_tab(), value="google"),
                    padding_top="1.25rem",
                    key=SettingsState.version.to_string(),
                ),
                value=SettingsState.tab,
                on_change=SettingsState.set_tab,
                width="100%",
            ),
            rx.center(rx.spinner(size="3"), height="40vh"),
        ),
        width="100%",
    )
