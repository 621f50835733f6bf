"""The red banner every page shows while an emergency waits for someone."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes
from vetassist_app.states.pulse_state import PulseState


def emergency_banner() -> rx.Component:
    return rx.cond(
        PulseState.alarm_count > 0,
        rx.link(
            rx.hstack(
                rx.box(
                    rx.icon("siren", size=22, color="white"),
                    class_name="va-pulse",
                    padding="6px",
                    border_radius="999px",
                    background="rgba(255,255,255,0.18)",
                ),
                rx.vstack(
                    rx.text(
                        rx.cond(
                            PulseState.alarm_count > 1,
                            f"{PulseState.alarm_count} emergencias sin atender",
                            "Emergencia sin atender",
                        ),
                        weight="bold",
                        size="3",
                        color="white",
                    ),
                    rx.text(
                        PulseState.alarm_text,
                        " · ",
                        PulseState.alarm_since,
                        size="2",
                        color="rgba(255,255,255,0.92)",
                    ),
                    spacing="0",
                    align="start",
                    min_width="0",
                    flex="1",
                ),
                rx.button(
                    "Ver tablero de emergencias",
                    rx.icon("arrow_right", size=16),
                    color_scheme="red",
                    variant="surface",
                    high_contrast=True,
                    class_name="va-desktop-only",
                ),
                align="center",
                spacing="3",
                width="100%",
            ),
            href=routes.EMERGENCIES,
            underline="none",
            id="emergency-banner",
            display="block",
            background="var(--red-9)",
            padding="0.7rem 1.1rem",
            border_radius="var(--radius-4)",
            margin_bottom="1.25rem",
            box_shadow="0 6px 20px rgba(229, 72, 77, 0.35)",
        ),
    )
