"""The emergency board: open emergencies first, live; acknowledge and resolve."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from backend.core.clock import utcnow
from backend.services.alerting import emergencies
from vetassist_app import routes
from vetassist_app.formatting import (
    EMERGENCY_CATEGORY,
    EMERGENCY_COLOR,
    EMERGENCY_STATUS,
    date_time,
    pet_label,
    phone_display,
    since,
)
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.session_state import SessionState

OUTCOMES = {"resolved": "Resuelta", "false_alarm": "Falsa alarma"}


@dataclass
class EmergencyCard:
    id: str = ""
    status: str = ""
    status_label: str = ""
    status_color: str = "red"
    is_open: bool = False
    phone: str = ""
    client_name: str = ""
    pet: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    category: str = ""
    created_iso: str = ""
    created_label: str = ""
    since_label: str = ""
    handled_label: str = ""
    notes: str = ""
    conversation_id: str = ""
    appointment_id: str = ""


def list_board(viewer: Viewer, *, include_closed: int = 30) -> list[EmergencyCard]:
    """Open emergencies (newest first), then the latest closed ones."""
    now = utcnow()
    tz = viewer.timezone
    cards = []
    for event in emergencies.board(viewer.tenant_id, closed_limit=include_closed):
        handled = ""
        if event.resolved_at is not None:
            handled = f"{OUTCOMES.get(event.status, 'Cerrada')} por {event.resolved_by or '—'}, {date_time(event.resolved_at, tz)}"
        elif event.acknowledged_at is not None:
            handled = (
                f"Atendida por {event.acknowledged_by or '—'} {since(event.acknowledged_at, now)}"
            )
        cards.append(
            EmergencyCard(
                id=str(event.id),
                status=event.status,
                status_label=EMERGENCY_STATUS.get(event.status, event.status),
                status_color=EMERGENCY_COLOR.get(event.status, "gray"),
                is_open=event.status in ("active", "acknowledged"),
                phone=phone_display(event.client_phone),
                client_name=event.client_name,
                pet=pet_label(event.pet_name, event.pet_species) or "Mascota sin nombre",
                description=event.description,
                keywords=event.keywords,
                category=EMERGENCY_CATEGORY.get(event.category or "", event.category or ""),
                created_iso=event.created_at.isoformat(),
                created_label=date_time(event.created_at, tz),
                since_label=since(event.created_at, now),
                handled_label=handled,
                notes=event.notes or "",
                conversation_id=str(event.conversation_id or ""),
                appointment_id=str(event.appointment_id or ""),
            )
        )
    return cards


def acknowledge(viewer: Viewer, emergency_id: str) -> None:
    emergencies.acknowledge_emergency(
        tenant_id=viewer.tenant_id, emergency_id=parse_id(emergency_id), by=viewer.full_name
    )


def resolve(viewer: Viewer, emergency_id: str, outcome: str, notes: str) -> None:
    emergencies.resolve_emergency(
        tenant_id=viewer.tenant_id,
        emergency_id=parse_id(emergency_id),
        outcome=outcome,
        notes=notes.strip() or None,
        by=viewer.full_name,
    )


class EmergencyState(SessionState):
    cards: list[EmergencyCard] = []
    loaded: bool = False
    resolving_id: str = ""
    resolve_open: bool = False

    @rx.var(cache=True)
    def can_resolve(self) -> bool:
        return self.user_role in routes.CLINICAL

    @rx.var(cache=True)
    def open_cards(self) -> list[EmergencyCard]:
        return [c for c in self.cards if c.is_open]

    @rx.var(cache=True)
    def closed_cards(self) -> list[EmergencyCard]:
        return [c for c in self.cards if not c.is_open]

    def _load(self, viewer: Viewer) -> None:
        cards = list_board(viewer)
        if cards != self.cards:
            self.cards = cards
        if not self.loaded:
            self.loaded = True

    def _live(self, viewer: Viewer) -> None:
        self._load(viewer)

    @rx.event
    def open_page(self) -> Any:
        return self._run(None, self._load)

    @rx.event
    def acknowledge(self, emergency_id: str) -> Any:
        def run(viewer: Viewer) -> Any:
            acknowledge(viewer, emergency_id)
            self._load(viewer)
            return rx.toast.success("Emergencia marcada como en atención.")

        return self._run(routes.ALL_STAFF, run, on_conflict=self._load)

    @rx.event
    def start_resolve(self, emergency_id: str) -> None:
        self.resolving_id = emergency_id
        self.resolve_open = True

    @rx.event
    def set_resolve_open(self, value: bool) -> None:
        self.resolve_open = value

    @rx.event
    def submit_resolve(self, form: dict[str, Any]) -> Any:
        emergency_id = self.resolving_id
        outcome = str(form.get("outcome", "resolved"))
        notes = str(form.get("notes", ""))

        def run(viewer: Viewer) -> Any:
            resolve(viewer, emergency_id, outcome, notes)
            self.resolve_open = False
            self._load(viewer)
            return rx.toast.success("Emergencia cerrada.")

        return self._run(routes.CLINICAL, run, on_conflict=self._load)
