"""/sandbox: chat with the clinic's assistant as a client, without Twilio."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes
from vetassist_app.components.chat_window import composer, message_list
from vetassist_app.states.chat_state import LinkedAppointment
from vetassist_app.states.pulse_state import PulseState
from vetassist_app.states.sandbox_state import SandboxState
from vetassist_app.template import page_header, template


def phone_frame() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.avatar(src="/logo.svg", fallback="VA", size="3", radius="full"),
            rx.vstack(
                rx.text(SandboxState.clinic_name, weight="bold", size="2", color="white"),
                rx.text(
                    rx.cond(SandboxState.answering, "escribiendo…", "en línea"),
                    size="1",
                    color="rgba(255,255,255,0.8)",
                ),
                spacing="0",
            ),
            spacing="2",
            align="center",
            background="#075e54",
            padding="0.7rem 1rem",
            width="100%",
        ),
        message_list(
            SandboxState.bubbles,
            rx.cond(
                SandboxState.bubbles.length() == 0,
                rx.center(
                    rx.text(
                        "Escribe como si fueras un cliente. Prueba «Hola, quiero una cita para mi perro».",
                        size="2",
                        color_scheme="gray",
                        text_align="center",
                        background="rgba(255,255,255,0.85)",
                        padding="0.6rem 0.9rem",
                        border_radius="10px",
                    ),
                    padding="2rem",
                ),
            ),
            list_id="sandbox-thread",
            end_id="sandbox-end",
            padding="1rem",
        ),
        composer(
            SandboxState.send,
            placeholder="Escribe un mensaje",
            input_id="sandbox-input",
            send_id="sandbox-send",
            rounded=True,
            send={"color_scheme": "green", "loading": SandboxState.answering},
            padding="0.6rem",
            background="#f0f2f5",
        ),
        spacing="0",
        height=rx.cond(PulseState.alarm_count > 0, "calc(100vh - 15.5rem)", "calc(100vh - 10rem)"),
        min_height="30rem",
        width="100%",
        max_width="30rem",
        border_radius="18px",
        overflow="hidden",
        border="1px solid var(--gray-5)",
        box_shadow="0 10px 30px rgba(16, 24, 40, 0.12)",
    )


def suggestion(text: str) -> rx.Component:
    return rx.button(
        text,
        on_click=SandboxState.send_suggestion(text),  # type: ignore[misc]  # a background handler
        variant="surface",
        size="1",
        color_scheme="gray",
        white_space="normal",
        height="auto",
        padding_y="0.35rem",
        text_align="left",
    )


def appointment_line(item: LinkedAppointment) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("calendar_check", size=16, color="var(--accent-10)"),
            rx.text(item.when, " · ", item.doctor, size="2"),
            rx.badge(item.status_label, color_scheme=item.status_color, size="1"),
            spacing="2",
            align="center",
        ),
        href="/citas/" + item.id,
        underline="none",
        color="inherit",
        class_name="va-sandbox-appointment",
    )


def controls() -> rx.Component:
    return rx.vstack(
        rx.card(
            rx.vstack(
                rx.text("Número del cliente de prueba", weight="bold", size="2"),
                rx.text(SandboxState.phone_label, size="4", id="sandbox-phone"),
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="phone",
                            placeholder="Otro número de prueba, ej. +1 202 555 0147",
                            width="100%",
                        ),
                        rx.button("Usar", type="submit", variant="soft"),
                        width="100%",
                    ),
                    on_submit=SandboxState.use_phone,
                    width="100%",
                ),
                rx.cond(
                    SandboxState.error != "",
                    rx.text(SandboxState.error, color="var(--red-11)", size="1"),
                ),
                rx.button(
                    rx.icon("user_plus", size=16),
                    "Empezar como cliente nuevo",
                    on_click=SandboxState.new_client,
                    variant="soft",
                    color_scheme="gray",
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.text("Ideas para probar", weight="bold", size="2"),
                rx.foreach(SandboxState.suggestions, suggestion),
                spacing="2",
                align="start",
                width="100%",
            ),
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.text("Qué hizo el asistente", weight="bold", size="2"),
                rx.cond(
                    SandboxState.steps.length() > 0,
                    rx.el.ol(
                        rx.foreach(
                            SandboxState.steps,
                            lambda step: rx.el.li(rx.text(step, size="2")),
                        ),
                        padding_left="1.2rem",
                        margin="0",
                        id="sandbox-steps",
                    ),
                    rx.text(
                        "Aquí verás, paso a paso, lo que hace el asistente con cada mensaje.",
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                spacing="2",
                align="start",
                width="100%",
            ),
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.text("Citas de este cliente", weight="bold", size="2"),
                rx.cond(
                    SandboxState.appointments.length() > 0,
                    rx.vstack(rx.foreach(SandboxState.appointments, appointment_line), spacing="2"),
                    rx.text("Todavía ninguna.", size="2", color_scheme="gray"),
                ),
                rx.link("Ver la conversación en el historial", href=routes.CHATS, size="1"),
                spacing="2",
                align="start",
                width="100%",
            ),
            width="100%",
        ),
        spacing="3",
        width="100%",
        max_width="24rem",
    )


@template(routes.SANDBOX, "Probar WhatsApp", on_load=SandboxState.open_page)
def sandbox() -> rx.Component:
    return rx.vstack(
        page_header(
            "Probar el asistente de WhatsApp",
            "Chatea con el asistente como si fueras un cliente. Todo queda registrado como una conversación real.",
        ),
        rx.cond(
            SandboxState.enabled,
            rx.hstack(
                phone_frame(),
                controls(),
                spacing="6",
                align="start",
                width="100%",
                class_name="va-stack-on-phone",
            ),
            rx.callout(
                "El sandbox de WhatsApp solo está disponible en clínicas de demostración: "
                "aquí las conversaciones son con clientes reales.",
                icon="lock",
                color_scheme="gray",
                width="100%",
                id="sandbox-disabled",
            ),
        ),
        width="100%",
    )
