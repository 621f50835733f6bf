"""Clients and their pets, with each client's appointments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from backend.core.clock import utcnow
from backend.services.patients import client_directory
from backend.services.scheduling import calendar_view
from vetassist_app.formatting import (
    APPOINTMENT_STATUS,
    SPECIES_EMOJI,
    STATUS_COLOR,
    date_time,
    pet_label,
    phone_display,
)
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.session_state import SessionState


@dataclass
class ClientRow:
    id: str = ""
    name: str = ""
    phone: str = ""
    pets: str = ""
    appointments: int = 0
    next_label: str = ""
    last_label: str = ""


@dataclass
class PetCard:
    name: str = ""
    emoji: str = "🐾"
    details: str = ""


@dataclass
class ClientAppointment:
    id: str = ""
    when: str = ""
    doctor: str = ""
    pet: str = ""
    reason: str = ""
    status_label: str = ""
    status_color: str = "gray"
    upcoming: bool = False


@dataclass
class ClientDetail:
    id: str = ""
    name: str = ""
    phone: str = ""
    phone_raw: str = ""
    since: str = ""
    email: str = ""
    false_alarms: int = 0
    pets: list[PetCard] = field(default_factory=list)
    appointments: list[ClientAppointment] = field(default_factory=list)


def search(viewer: Viewer, query: str) -> list[ClientRow]:
    tz = viewer.timezone
    found = client_directory.search(viewer.tenant_id, query)
    return [
        ClientRow(
            id=str(c.id),
            name=c.name or "Sin nombre",
            phone=phone_display(c.phone),
            pets=", ".join(c.pets),
            appointments=c.appointments,
            next_label=date_time(c.next_appointment, tz),
            last_label=date_time(c.last_visit, tz),
        )
        for c in found
    ]


def client_detail(viewer: Viewer, client_id: str) -> ClientDetail:
    """One client of the viewer's clinic; NotFound for an unknown or foreign id."""
    key = parse_id(client_id)
    tz = viewer.timezone
    now = utcnow()
    client = client_directory.client_card(viewer.tenant_id, key)
    history = calendar_view.appointments_of_client(viewer.tenant_id, client.id)
    return ClientDetail(
        id=str(client.id),
        name=client.name or "Sin nombre",
        phone=phone_display(client.phone),
        phone_raw=client.phone,
        since=date_time(client.created_at, tz),
        email=client.email or "",
        false_alarms=client.false_emergency_count,
        pets=[
            PetCard(
                name=p.name,
                emoji=SPECIES_EMOJI.get((p.species or "").lower(), "🐾"),
                details=" · ".join(x for x in [(p.species or "").capitalize(), p.breed or ""] if x),
            )
            for p in client.pets
        ],
        appointments=[
            ClientAppointment(
                id=str(a.id),
                when=date_time(a.start_at, tz),
                doctor=a.doctor_name,
                pet=pet_label(a.pet_name, a.pet_species),
                reason=a.reason or "",
                status_label=APPOINTMENT_STATUS.get(a.status, a.status),
                status_color=STATUS_COLOR.get(a.status, "gray"),
                upcoming=a.start_at >= now and a.status in ("pending", "confirmed"),
            )
            for a in history
        ],
    )


class ClientState(SessionState):
    query: str = ""
    rows: list[ClientRow] = []
    selected: ClientDetail = ClientDetail()
    loaded: bool = False

    def _load(self, viewer: Viewer) -> None:
        self.rows = search(viewer, self.query)
        if not self.selected.id and self.rows:
            self.selected = client_detail(viewer, self.rows[0].id)
        self.loaded = True

    @rx.event
    def open_page(self) -> Any:
        wanted = self.router.url.query_parameters.get("id", "")

        def load(viewer: Viewer) -> None:
            if wanted:
                self.selected = client_detail(viewer, wanted)
            self._load(viewer)

        return self._run(None, load)

    @rx.event
    def search(self, form: dict[str, Any]) -> Any:
        self.query = str(form.get("query", ""))
        return self._run(None, self._load)

    @rx.event
    def select(self, client_id: str) -> Any:
        def load(viewer: Viewer) -> None:
            self.selected = client_detail(viewer, client_id)

        return self._run(None, load)
