"""Settings → Google Calendar → "Para revisar": appointments a change made in Google left for
a person, per doctor (kept apart from the connection's state)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from backend.services.calendar_sync import health
from vetassist_app import routes
from vetassist_app.formatting import date_time
from vetassist_app.states.access import Viewer
from vetassist_app.states.session_state import SessionState


@dataclass
class ReviewLine:
    id: str = ""
    doctor: str = ""
    when: str = ""
    client: str = ""
    reason: str = ""


def review_lines(items: list[health.ReviewItem], tz: str) -> list[ReviewLine]:
    return [
        ReviewLine(
            id=str(item.appointment_id),
            doctor=item.doctor_name,
            when=date_time(item.start_at, tz),
            client=item.client_name or "Sin nombre",
            reason=item.reason,
        )
        for item in items
    ]


class CalendarReviewState(SessionState):
    reviews: rx.Field[list[ReviewLine]] = rx.field(default_factory=list)

    def _load(self, viewer: Viewer) -> None:
        self.reviews = review_lines(health.needs_review(viewer.tenant_id), viewer.timezone)

    @rx.event
    def load(self) -> Any:
        return self._run(routes.MANAGEMENT, self._load)
