"""/activar/<token>: set a portal password with a one-time link (invitation or reset)."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes
from vetassist_app.components.forms import field
from vetassist_app.states.activation_state import ActivationState
from vetassist_app.template import public_page


def password_form() -> rx.Component:
    S = ActivationState
    return rx.form(
        rx.vstack(
            rx.text(
                "Hola, ",
                rx.text.strong(S.full_name),
                ". Crea la contraseña para entrar al portal de ",
                rx.text.strong(S.clinic_name),
                ".",
                size="2",
            ),
            # lets password managers store the new password under the right account
            rx.el.input(
                type="email",
                name="username",
                value=S.email,
                auto_complete="username",
                read_only=True,
                hidden=True,
            ),
            field(
                "Nueva contraseña",
                rx.input(
                    name="password",
                    type="password",
                    auto_complete="new-password",
                    size="3",
                    width="100%",
                    required=True,
                    min_length=12,
                    id="activate-password",
                ),
                hint="Al menos 12 caracteres. Una frase de varias palabras es fácil de recordar.",
            ),
            field(
                "Repite la contraseña",
                rx.input(
                    name="repeat_password",
                    type="password",
                    auto_complete="new-password",
                    size="3",
                    width="100%",
                    required=True,
                    id="activate-repeat",
                ),
            ),
            rx.cond(
                S.error != "",
                rx.callout(
                    S.error,
                    icon="circle_alert",
                    color_scheme="red",
                    size="1",
                    width="100%",
                    id="activate-error",
                ),
            ),
            rx.button(
                "Guardar contraseña", type="submit", size="3", width="100%", id="activate-submit"
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=S.set_password,
        reset_on_submit=False,
        width="100%",
    )


def done() -> rx.Component:
    return rx.vstack(
        rx.callout(
            "Tu contraseña quedó guardada. Ya puedes iniciar sesión con tu correo "
            + ActivationState.email
            + ".",
            icon="circle_check",
            color_scheme="green",
            width="100%",
            id="activate-done",
        ),
        rx.link(
            rx.button("Iniciar sesión", size="3", width="100%"), href=routes.LOGIN, width="100%"
        ),
        spacing="4",
        width="100%",
    )


def invalid() -> rx.Component:
    return rx.vstack(
        rx.callout(
            "Este enlace ya no sirve: se usó, se reemplazó por otro o pasaron más de 72 horas. "
            "Pide a la gerencia de tu clínica un enlace nuevo.",
            icon="link_2_off",
            color_scheme="amber",
            width="100%",
            id="activate-invalid",
        ),
        rx.link("Ir al inicio de sesión", href=routes.LOGIN, size="2"),
        spacing="4",
        width="100%",
    )


@public_page(routes.ACTIVATE, "Crear contraseña · VetAssist", on_load=ActivationState.open_link)
def activate() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.image(src="/logo.svg", width="32px", height="32px", alt="VetAssist"),
                    rx.heading("VetAssist", size="5"),
                    align="center",
                    spacing="2",
                ),
                rx.heading(
                    rx.cond(
                        ActivationState.purpose == "reset", "Nueva contraseña", "Crea tu contraseña"
                    ),
                    size="6",
                ),
                rx.match(
                    ActivationState.status,
                    ("ready", password_form()),
                    ("done", done()),
                    ("invalid", invalid()),
                    rx.center(rx.spinner(size="3"), width="100%", padding="2rem"),
                ),
                spacing="4",
                width="100%",
            ),
            size="4",
            width="100%",
            max_width="28rem",
        ),
        min_height="100vh",
        padding="1.5rem",
        background="var(--gray-2)",
    )
