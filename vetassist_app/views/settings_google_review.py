"""Settings → Google Calendar → "Para revisar": each appointment a change made in Google left
for a person, with its doctor, the reason and a link to decide on its page."""

from __future__ import annotations

import reflex as rx

from vetassist_app import routes
from vetassist_app.states.calendar_review_state import CalendarReviewState, ReviewLine

R = CalendarReviewState


def review_card(line: ReviewLine) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.flex(
                rx.text(line.doctor, weight="bold", size="2"),
                rx.text(line.when, " · ", line.client, size="2", color_scheme="gray"),
                gap="2",
                wrap="wrap",
                align="baseline",
            ),
            rx.text(line.reason, size="2", color="var(--amber-11)"),
            rx.link("Abrir la cita para decidir", href=routes.appointment_url(line.id), size="2"),
            spacing="1",
            align="start",
            width="100%",
        ),
        border="1px solid var(--amber-6)",
        background="var(--amber-2)",
        border_radius="8px",
        padding="0.6rem 0.8rem",
        width="100%",
        class_name="va-google-review",
    )


def review_section() -> rx.Component:
    return rx.vstack(
        rx.heading("Para revisar", size="3"),
        rx.text(
            "Citas cambiadas o eliminadas en Google Calendar que VetAssist no aplicó.",
            size="1",
            color_scheme="gray",
        ),
        rx.cond(
            R.reviews.length() > 0,
            rx.vstack(rx.foreach(R.reviews, review_card), spacing="2", width="100%"),
            rx.text("Nada por revisar.", size="2", color_scheme="gray"),
        ),
        spacing="2",
        width="100%",
        id="google-review",
        on_mount=R.load,
    )
