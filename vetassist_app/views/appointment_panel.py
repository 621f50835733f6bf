"""One appointment: its details, history and the actions staff can take on it."""

from __future__ import annotations

from typing import Any

import reflex as rx

from vetassist_app import routes
from vetassist_app.components.forms import action_form, field, form_footer
from vetassist_app.formatting import PROCEDURE_LABEL
from vetassist_app.states.appointment_state import (
    NEW_PET,
    AppointmentState,
    HistoryRow,
    NewAppointmentState,
    SlotOption,
)

D = AppointmentState.detail


def fact(
    icon: str, label: str, value: rx.Var | str | rx.Component, *extra: rx.Component
) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=16, color="var(--gray-10)", flex_shrink="0", margin_top="2px"),
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray"),
            rx.text(value, size="2", weight="medium"),
            *extra,
            spacing="1" if extra else "0",
            align="start",
        ),
        spacing="2",
        align="start",
        width="100%",
    )


WRAPPING_BUTTON = {
    "white_space": "normal",
    "height": "auto",
    "min_height": "24px",
    "max_width": "100%",
    "padding_top": "4px",
    "padding_bottom": "4px",
}
"""A button whose label wraps in a narrow panel (phone) instead of overflowing it."""


def review_box() -> rx.Component:
    """A change made in Google that VetAssist did not apply: the reason, Google's time and
    the two ways out."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("calendar_sync", size=16)),
        rx.vstack(
            rx.text("Revisar", weight="bold", size="2"),
            rx.text(D.review_reason, size="2", id="review-reason"),
            rx.cond(
                D.review_proposal != "",
                rx.text("Hora en Google: ", rx.text.strong(D.review_proposal), size="1"),
            ),
            rx.cond(
                AppointmentState.can_act,
                rx.flex(
                    rx.cond(
                        D.review_proposal != "",
                        rx.button(
                            "Usar la hora de Google",
                            on_click=AppointmentState.use_google_time,
                            id="action-use-google-time",
                            size="1",
                            color_scheme="amber",
                            style=WRAPPING_BUTTON,
                        ),
                    ),
                    rx.button(
                        "Mantener la hora de VetAssist",
                        on_click=AppointmentState.keep_vetassist_time,
                        id="action-keep-vetassist-time",
                        size="1",
                        variant="soft",
                        color_scheme="amber",
                        style=WRAPPING_BUTTON,
                    ),
                    wrap="wrap",
                    style={"gap": "8px"},
                ),
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
        color_scheme="amber",
        size="1",
        width="100%",
        id="calendar-review",
    )


def sync_status() -> rx.Component:
    return rx.match(
        D.sync_state,
        ("review", review_box()),
        (
            "failed",
            rx.vstack(
                rx.callout(
                    rx.text(
                        "No se pudo sincronizar con Google Calendar. ",
                        rx.text.strong(D.sync_error),
                    ),
                    icon="cloud_off",
                    color_scheme="red",
                    size="1",
                    id="sync-error",
                ),
                rx.cond(
                    AppointmentState.can_act,
                    rx.button(
                        rx.icon("refresh_cw", size=14),
                        "Reintentar sincronización",
                        on_click=AppointmentState.retry_sync,
                        id="action-retry-sync",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                    ),
                ),
                spacing="2",
                align="start",
                width="100%",
            ),
        ),
        (
            "pending",
            rx.hstack(
                rx.icon("cloud_upload", size=14, color="var(--gray-10)"),
                rx.text("Sincronizando con Google Calendar…", size="1", color_scheme="gray"),
                spacing="1",
                align="center",
                id="sync-pending",
            ),
        ),
        (
            "ok",
            rx.hstack(
                rx.icon("cloud_check", size=14, color="var(--green-10)"),
                rx.text("Sincronizada con Google Calendar", size="1", color_scheme="gray"),
                spacing="1",
                align="center",
            ),
        ),
        rx.fragment(),
    )


def history_row(row: HistoryRow) -> rx.Component:
    return rx.hstack(
        rx.box(
            width="7px",
            height="7px",
            border_radius="999px",
            background="var(--accent-9)",
            margin_top="6px",
            flex_shrink="0",
        ),
        rx.vstack(
            rx.text(row.text, size="2"),
            rx.text(row.when, " · ", row.actor, size="1", color_scheme="gray"),
            spacing="0",
            align="start",
        ),
        spacing="2",
        align="start",
    )


def summary() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge(
                D.status_label, color_scheme=D.status_color, size="2", id="appointment-status"
            ),
            rx.cond(
                D.emergency,
                rx.badge(rx.icon("siren", size=13), "Emergencia", color_scheme="red", size="2"),
            ),
            rx.badge(D.source_label, color_scheme="gray", variant="outline", size="1"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.heading(D.day_label, size="5"),
        rx.text(
            D.time_label, " · ", D.doctor_name, size="3", color_scheme="gray", id="appointment-when"
        ),
        sync_status(),
        rx.grid(
            fact(
                "user_round",
                "Cliente",
                rx.link(D.client_name, href=routes.CLIENTS + "?id=" + D.client_id),
                rx.cond(
                    D.client_no_shows != "",
                    rx.badge(
                        D.client_no_shows,
                        color_scheme="orange",
                        variant="soft",
                        id="appointment-no-shows",
                    ),
                ),
            ),
            fact("phone", "Teléfono", D.client_phone),
            fact(
                "paw_print",
                "Mascota",
                rx.cond(
                    D.pet_id != "",
                    rx.link(D.pet, href=routes.PETS + "/" + D.pet_id, id="appointment-pet-link"),
                    D.pet,
                ),
            ),
            rx.cond(D.service != "", fact("list_checks", "Servicio", D.service)),
            fact("stethoscope", "Motivo", rx.cond(D.reason != "", D.reason, "—")),
            rx.cond(
                D.procedure_label != "",
                fact("clipboard_check", "Procedimiento", D.procedure_label),
            ),
            rx.cond(
                D.cancel_reason != "",
                fact("calendar_x", "Motivo de cancelación", D.cancel_reason),
            ),
            columns={"initial": "1", "sm": "2"},
            spacing="3",
            width="100%",
        ),
        rx.cond(
            D.notes != "",
            rx.box(
                rx.text("Notas", size="1", color_scheme="gray"),
                rx.text(D.notes, size="2", white_space="pre-wrap"),
                background="var(--gray-2)",
                border_radius="var(--radius-3)",
                padding="0.6rem 0.8rem",
                width="100%",
            ),
        ),
        spacing="3",
        align="start",
        width="100%",
    )


def slot_button(option: SlotOption) -> rx.Component:
    return rx.button(
        option.label,
        on_click=AppointmentState.pick_slot(option.key),
        variant="surface",
        size="2",
        class_name="va-slot",
    )


def reschedule_panel() -> rx.Component:
    return rx.vstack(
        rx.text("Elige un horario libre", weight="medium", size="2"),
        rx.hstack(
            rx.input(
                type="date",
                value=AppointmentState.reschedule_day,
                on_change=AppointmentState.set_reschedule_day,
                width="11rem",
                id="reschedule-day",
            ),
            rx.select.root(
                rx.select.trigger(min_width="12rem"),
                rx.select.content(
                    rx.foreach(
                        AppointmentState.doctor_choices,
                        lambda d: rx.select.item(d.name, value=d.id),
                    )
                ),
                value=AppointmentState.reschedule_doctor,
                on_change=AppointmentState.set_reschedule_doctor,
            ),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            AppointmentState.slot_options.length() > 0,
            rx.flex(
                rx.foreach(AppointmentState.slot_options, slot_button),
                wrap="wrap",
                gap="2",
                max_height="12rem",
                overflow_y="auto",
                id="reschedule-slots",
            ),
            rx.cond(
                AppointmentState.slots_loaded,
                rx.text("No hay horarios libres ese día.", size="2", color_scheme="gray"),
            ),
        ),
        spacing="2",
        width="100%",
        padding="0.8rem",
        border="1px solid var(--gray-4)",
        border_radius="var(--radius-3)",
    )


def cancel_panel() -> rx.Component:
    return action_form(
        "Motivo de la cancelación",
        rx.text_area(
            name="reason",
            placeholder="Ej.: el cliente pidió cancelar por viaje",
            width="100%",
            rows="2",
        ),
        label="Cancelar la cita",
        on_submit=AppointmentState.submit_cancel,
        on_back=AppointmentState.set_mode(""),
        color_scheme="red",
        id="confirm-cancel",
    )


def complete_panel() -> rx.Component:
    return action_form(
        "¿Qué procedimiento se hizo?",
        rx.text(
            "Con el tipo de procedimiento se programan los seguimientos por WhatsApp.",
            size="1",
            color_scheme="gray",
        ),
        rx.radio_group.root(
            rx.hstack(
                *[
                    rx.radio_group.item(label, value=value)
                    for value, label in PROCEDURE_LABEL.items()
                ],
                spacing="4",
            ),
            name="procedure_type",
            default_value="consultation",
        ),
        label="Marcar como completada",
        on_submit=AppointmentState.submit_complete,
        on_back=AppointmentState.set_mode(""),
        id="confirm-complete",
    )


def confirm_dialog(mode: str, title: str, *content: rx.Component) -> rx.Component:
    """An outcome of the visit asks first: it is shown while `mode` is on."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            *content,
            max_width="28rem",
            id=f"confirm-{mode.replace('_', '-')}-dialog",
        ),
        open=AppointmentState.mode == mode,
        on_open_change=AppointmentState.set_confirm_open,
    )


def no_show_dialog() -> rx.Component:
    return confirm_dialog(
        "no_show",
        "¿El cliente no asistió?",
        rx.alert_dialog.description(
            "La cita quedará como «no asistió» y contará como inasistencia del cliente. "
            "Podrás deshacerlo durante 24 horas.",
            size="2",
        ),
        rx.hstack(
            rx.alert_dialog.cancel(
                rx.button("Volver", variant="soft", color_scheme="gray"),
            ),
            rx.alert_dialog.action(
                rx.button(
                    "Sí, no asistió",
                    color_scheme="orange",
                    on_click=AppointmentState.no_show,
                    id="confirm-no-show",
                ),
            ),
            justify="end",
            spacing="3",
            margin_top="1rem",
        ),
    )


def complete_dialog() -> rx.Component:
    return confirm_dialog("complete", "¿Completar la cita?", complete_panel())


def undo_notice() -> rx.Component:
    return rx.cond(
        D.can_undo,
        rx.callout(
            rx.hstack(
                rx.text(D.undo_label, ". ¿Fue un error?", size="2"),
                rx.button(
                    rx.icon("undo_2", size=14),
                    "Deshacer",
                    size="1",
                    variant="soft",
                    on_click=AppointmentState.undo,
                    id="action-undo",
                ),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            icon="info",
            color_scheme="gray",
            size="1",
            width="100%",
        ),
    )


def notes_panel() -> rx.Component:
    return action_form(
        "Notas internas",
        rx.text_area(name="notes", default_value=D.notes, width="100%", rows="3"),
        label="Guardar notas",
        on_submit=AppointmentState.submit_notes,
        on_back=AppointmentState.set_mode(""),
    )


def _action(icon: str, label: str, on_click: Any, element_id: str, **style: Any) -> rx.Component:
    return rx.button(rx.icon(icon, size=16), label, on_click=on_click, id=element_id, **style)


def action_buttons() -> rx.Component:
    return rx.flex(
        rx.cond(
            D.can_confirm,
            _action("check", "Confirmar", AppointmentState.confirm, "action-confirm"),
        ),
        rx.cond(
            D.can_reschedule,
            _action(
                "calendar_clock",
                "Reprogramar",
                AppointmentState.set_mode("reschedule"),
                "action-reschedule",
                variant="soft",
            ),
        ),
        rx.cond(
            D.can_complete,
            _action(
                "circle_check",
                "Completar",
                AppointmentState.set_mode("complete"),
                "action-complete",
                variant="soft",
                color_scheme="blue",
            ),
        ),
        rx.cond(
            D.can_no_show,
            _action(
                "user_x",
                "No asistió",
                AppointmentState.set_mode("no_show"),
                "action-no-show",
                variant="soft",
                color_scheme="orange",
            ),
        ),
        _action(
            "file_pen_line",
            "Notas",
            AppointmentState.set_mode("notes"),
            "action-notes",
            variant="soft",
            color_scheme="gray",
        ),
        rx.cond(
            D.can_cancel,
            _action(
                "calendar_x",
                "Cancelar",
                AppointmentState.set_mode("cancel"),
                "action-cancel",
                variant="soft",
                color_scheme="red",
            ),
        ),
        gap="2",
        wrap="wrap",
        width="100%",
    )


def actions() -> rx.Component:
    return rx.cond(
        AppointmentState.can_act,
        rx.vstack(
            undo_notice(),
            action_buttons(),
            rx.match(
                AppointmentState.mode,
                ("reschedule", reschedule_panel()),
                ("cancel", cancel_panel()),
                ("notes", notes_panel()),
                rx.fragment(),
            ),
            complete_dialog(),
            no_show_dialog(),
            spacing="3",
            width="100%",
        ),
        rx.callout(
            "Tu rol puede ver la agenda, pero no modificar citas.",
            icon="eye",
            color_scheme="gray",
            size="1",
        ),
    )


def history() -> rx.Component:
    return rx.vstack(
        rx.text("Historial", weight="bold", size="2"),
        rx.foreach(D.history, history_row),
        spacing="2",
        align="start",
        width="100%",
    )


def appointment_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title("Cita", margin="0"),
                rx.spacer(),
                rx.link(
                    rx.icon("external_link", size=16),
                    href="/citas/" + D.id,
                    aria_label="Abrir en página propia",
                ),
                rx.dialog.close(
                    rx.icon_button(rx.icon("x", size=16), variant="ghost", color_scheme="gray"),
                ),
                align="center",
                width="100%",
                margin_bottom="0.5rem",
            ),
            rx.vstack(
                summary(),
                rx.divider(),
                actions(),
                rx.divider(),
                history(),
                spacing="4",
                width="100%",
            ),
            max_width="40rem",
            id="appointment-dialog",
        ),
        open=AppointmentState.dialog_open,
        on_open_change=AppointmentState.set_dialog_open,
    )


def appointment_page_body() -> rx.Component:
    return rx.cond(
        AppointmentState.missing,
        rx.center(
            rx.vstack(
                rx.icon("search_x", size=40, color="var(--gray-9)"),
                rx.heading("Cita no encontrada", size="5"),
                rx.text(
                    "Esta cita no existe o no pertenece a tu clínica.",
                    color_scheme="gray",
                ),
                rx.link(rx.button("Volver a la agenda", variant="soft"), href=routes.AGENDA),
                align="center",
                spacing="3",
            ),
            padding="4rem",
            id="appointment-missing",
        ),
        rx.cond(
            AppointmentState.detail.id != "",
            rx.grid(
                rx.card(rx.vstack(summary(), rx.divider(), actions(), spacing="4"), size="3"),
                rx.card(history(), size="3"),
                columns=rx.breakpoints(initial="1", sm="2fr 1fr"),  # stacked on a phone
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(size="3"), padding="4rem"),
        ),
    )


def species_item(value: str) -> rx.Component:
    return rx.select.item(value.capitalize(), value=value)


def new_pet_fields() -> rx.Component:
    """A pet not registered yet: its name and species."""
    return rx.grid(
        field(
            "Nombre de la mascota",
            rx.input(name="pet_name", placeholder="Nombre", width="100%", id="new-pet"),
        ),
        field(
            "Especie",
            rx.select.root(
                rx.select.trigger(placeholder="Especie", width="100%", id="new-species"),
                rx.select.content(
                    *[species_item(s) for s in ("perro", "gato", "ave", "conejo", "otro")]
                ),
                name="species",
            ),
        ),
        columns="2",
        spacing="3",
        width="100%",
    )


def new_appointment_dialog() -> rx.Component:
    S = NewAppointmentState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Nueva cita"),
            rx.dialog.description(
                S.when_label,
                " · ",
                S.doctor_name,
                size="2",
                color_scheme="gray",
                margin_bottom="1rem",
            ),
            rx.form(
                rx.vstack(
                    field(
                        "Teléfono del cliente (WhatsApp)",
                        rx.input(
                            name="phone",
                            placeholder="300 123 4567",
                            on_blur=S.lookup,
                            width="100%",
                            required=True,
                            id="new-phone",
                        ),
                        rx.cond(
                            S.client_checked,
                            rx.cond(
                                S.client_found,
                                rx.text(
                                    "Cliente existente: ",
                                    rx.text.strong(S.client_name),
                                    size="1",
                                    color="var(--green-11)",
                                ),
                                rx.text(
                                    "Cliente nuevo: se creará con este número.",
                                    size="1",
                                    color_scheme="gray",
                                ),
                            ),
                        ),
                    ),
                    rx.cond(
                        ~S.client_found,
                        field(
                            "Nombre del cliente",
                            rx.input(
                                name="client_name",
                                placeholder="Nombre y apellido",
                                width="100%",
                                id="new-client-name",
                            ),
                        ),
                    ),
                    rx.cond(
                        S.pets.length() > 0,
                        field(
                            "Mascota",
                            rx.select.root(
                                rx.select.trigger(width="100%", id="new-pet-choice"),
                                rx.select.content(
                                    rx.foreach(S.pets, lambda p: rx.select.item(p, value=p)),
                                    rx.select.separator(),
                                    rx.select.item("Nueva mascota", value=NEW_PET),
                                ),
                                value=S.pet_choice,
                                on_change=S.set_pet_choice,
                            ),
                        ),
                    ),
                    rx.cond(
                        S.pet_choice == NEW_PET,
                        new_pet_fields(),
                    ),
                    rx.cond(
                        S.services.length() > 0,
                        field(
                            "Servicio",
                            rx.select.root(
                                rx.select.trigger(width="100%", id="new-service"),
                                rx.select.content(
                                    rx.foreach(
                                        S.services,
                                        lambda s: rx.select.item(s.label, value=s.id),
                                    )
                                ),
                                value=S.service_id,
                                on_change=S.set_service,
                            ),
                        ),
                    ),
                    field(
                        "Motivo",
                        rx.input(
                            name="reason",
                            placeholder="Ej.: vacunación anual",
                            width="100%",
                            id="new-reason",
                        ),
                    ),
                    rx.checkbox("Marcar como confirmada", name="confirmed", default_checked=True),
                    rx.cond(
                        S.error != "",
                        rx.callout(
                            S.error, icon="circle_alert", color_scheme="red", size="1", width="100%"
                        ),
                    ),
                    form_footer(
                        "Agendar cita", close_dialog=True, back_label="Cerrar", id="new-submit"
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.submit,
                reset_on_submit=False,
            ),
            max_width="32rem",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )
