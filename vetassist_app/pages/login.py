"""/login (and /): e-mail and password, posted by the browser to `POST /auth/login`
(which sets the HttpOnly session cookie; see `session_cookie`)."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes, session_cookie
from vetassist_app.components.forms import backend_url, browser_form, field
from vetassist_app.states.session_state import LoginState
from vetassist_app.template import public_page


def login_form() -> rx.Component:
    return browser_form(
        rx.vstack(
            field(
                "Correo electrónico",
                rx.input(
                    name="email",
                    type="email",
                    placeholder="nombre@clinica.co",
                    auto_complete="username",
                    size="3",
                    width="100%",
                    required=True,
                    id="login-email",
                ),
            ),
            field(
                "Contraseña",
                rx.input(
                    name="password",
                    type="password",
                    placeholder="••••••••",
                    auto_complete="current-password",
                    size="3",
                    width="100%",
                    required=True,
                    id="login-password",
                ),
            ),
            rx.cond(
                LoginState.error != "",
                rx.callout(
                    LoginState.error,
                    icon="circle_alert",
                    color_scheme="red",
                    size="1",
                    width="100%",
                    id="login-error",
                ),
            ),
            rx.button("Iniciar sesión", type="submit", size="3", width="100%", id="login-submit"),
            spacing="4",
            width="100%",
        ),
        action=backend_url(session_cookie.LOGIN_PATH),
        id="login-form",
        width="100%",
    )


def login_page() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.image(src="/logo.svg", width="44px", height="44px", alt="VetAssist"),
                rx.heading("VetAssist", size="8", color="white"),
                align="center",
                spacing="3",
            ),
            rx.spacer(),
            rx.heading(
                "Tu clínica atiende por WhatsApp, incluso cuando estás en consulta.",
                size="7",
                color="white",
                line_height="1.25",
                max_width="30rem",
            ),
            rx.text(
                "Citas, emergencias y seguimientos en un solo lugar, "
                "con un asistente que responde a tus clientes al instante.",
                size="4",
                color="rgba(255,255,255,0.85)",
                max_width="30rem",
            ),
            rx.spacer(),
            rx.hstack(
                rx.icon("shield_check", size=16, color="rgba(255,255,255,0.8)"),
                rx.text(
                    "Acceso solo para el personal de la clínica.",
                    size="2",
                    color="rgba(255,255,255,0.8)",
                ),
                align="center",
                spacing="2",
            ),
            height="100vh",
            padding="3rem",
            flex="1",
            display=["none", "none", "flex"],
            background="linear-gradient(135deg, #0f766e 0%, #115e59 55%, #134e4a 100%)",
            align="start",
        ),
        rx.center(
            rx.card(
                rx.vstack(
                    rx.heading("Iniciar sesión", size="6"),
                    rx.text(
                        "Portal de la clínica veterinaria",
                        color_scheme="gray",
                        size="2",
                    ),
                    login_form(),
                    spacing="4",
                    width="100%",
                ),
                size="4",
                width="100%",
                max_width="26rem",
            ),
            flex="1",
            height="100vh",
            padding="1.5rem",
            background="var(--gray-2)",
        ),
        spacing="0",
        width="100%",
    )


@public_page(routes.LOGIN, "Iniciar sesión · VetAssist", on_load=LoginState.open_login)
def login() -> rx.Component:
    return login_page()


@public_page(routes.HOME, "VetAssist — Iniciar sesión", on_load=LoginState.open_login)
def index() -> rx.Component:
    return login_page()
