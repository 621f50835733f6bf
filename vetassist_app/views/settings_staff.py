"""Settings → Equipo: invite people by e-mail, deactivate them, send a new password link."""

from __future__ import annotations

import reflex as rx

from vetassist_app import styles
from vetassist_app.components.forms import field
from vetassist_app.states.staff_state import INVITE_ROLES, StaffRow, StaffState

STATUS_BADGE = {
    "activo": ("Activo", "green"),
    "pendiente": ("Invitación pendiente", "amber"),
    "inactivo": ("Desactivado", "gray"),
}


def status_badge(status: rx.Var | str) -> rx.Component:
    return rx.match(
        status,
        *[
            (key, rx.badge(label, color_scheme=color))
            for key, (label, color) in STATUS_BADGE.items()
        ],
        rx.fragment(),
    )


def member_actions(row: StaffRow) -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.cond(row.status == "pendiente", "Nuevo enlace", "Restablecer contraseña"),
            on_click=StaffState.new_link(row.id),
            size="1",
            variant="soft",
            class_name="va-staff-link",
        ),
        rx.cond(
            row.status == "inactivo",
            rx.button(
                "Reactivar",
                on_click=StaffState.set_active(row.id, True),
                size="1",
                variant="soft",
                color_scheme="green",
                class_name="va-staff-reactivate",
            ),
            rx.cond(
                row.is_self,
                rx.fragment(),
                rx.button(
                    "Desactivar",
                    on_click=StaffState.set_active(row.id, False),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    class_name="va-staff-deactivate",
                ),
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def member_row(row: StaffRow) -> rx.Component:
    """One person: a line on a wide screen, a small stacked card on a phone."""
    return rx.flex(
        rx.vstack(
            rx.text(row.name, weight="medium"),
            rx.text(row.email, size="1", color_scheme="gray", word_break="break-all"),
            spacing="0",
            flex="2",
            min_width="0",
        ),
        rx.hstack(
            rx.text(row.role, size="2"),
            status_badge(row.status),
            spacing="3",
            align="center",
            flex="1.5",
        ),
        member_actions(row),
        direction=rx.breakpoints(initial="column", sm="row"),
        align=rx.breakpoints(initial="start", sm="center"),
        gap="0.5rem",
        padding_y="0.75rem",
        border_bottom="1px solid var(--gray-4)",
        width="100%",
        data_email=row.email,
        class_name="va-staff-row",
    )


def link_callout() -> rx.Component:
    return rx.cond(
        StaffState.link != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("link")),
            rx.vstack(
                rx.text(
                    rx.cond(
                        StaffState.link_emailed,
                        "Enviamos este enlace a " + StaffState.link_email + ". ",
                        "Envía este enlace a " + StaffState.link_email + ". ",
                    ),
                    "Sirve una sola vez, durante 72 horas, para crear la contraseña.",
                    weight="bold",
                    size="2",
                ),
                rx.hstack(
                    rx.code(StaffState.link, size="2", id="staff-link", word_break="break-all"),
                    rx.icon_button(
                        rx.icon("copy", size=14),
                        on_click=[
                            rx.set_clipboard(StaffState.link),
                            rx.toast.success("Enlace copiado."),
                        ],
                        size="1",
                        variant="soft",
                        aria_label="Copiar enlace",
                    ),
                    rx.button("Listo", on_click=StaffState.hide_link, size="1", variant="soft"),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
            ),
            color_scheme="amber",
            width="100%",
        ),
    )


def invite_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Invitar a una persona", size="4"),
            rx.grid(
                field(
                    "Nombre",
                    rx.input(name="full_name", width="100%", required=True, id="invite-name"),
                ),
                field(
                    "Correo",
                    rx.input(
                        name="email", type="email", width="100%", required=True, id="invite-email"
                    ),
                ),
                field(
                    "Rol",
                    rx.select.root(
                        rx.select.trigger(width="100%", id="invite-role"),
                        rx.select.content(
                            *[rx.select.item(label, value=value) for value, label in INVITE_ROLES]
                        ),
                        name="role",
                        default_value="doctor",
                    ),
                ),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.text(
                    "Recibe un enlace por correo para crear su contraseña.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.spacer(),
                rx.button(
                    rx.icon("user_plus", size=16), "Invitar", type="submit", id="invite-submit"
                ),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=StaffState.invite,
        reset_on_submit=True,
        key=StaffState.form_key.to_string(),
        style=styles.panel,
        width="100%",
    )


def staff_tab() -> rx.Component:
    return rx.vstack(
        link_callout(),
        invite_form(),
        rx.vstack(
            rx.heading("Equipo", size="4"),
            rx.foreach(StaffState.members, member_row),
            spacing="0",
            style=styles.panel,
            width="100%",
        ),
        spacing="4",
        width="100%",
        on_mount=StaffState.open_team,
    )
