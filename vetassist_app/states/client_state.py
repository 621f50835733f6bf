"""Clients and their pets, with each client's appointments, conversations and no-shows;
creating and editing clients, adding pets, merging duplicates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from backend.core.clock import utcnow
from backend.domain.errors import DomainError
from backend.domain.pet_age import age_label
from backend.services.patients import client_directory, merging, profiles
from backend.services.scheduling import calendar_view
from vetassist_app import routes
from vetassist_app.formatting import (
    APPOINTMENT_STATUS,
    CONVERSATION_STATE,
    SPECIES_EMOJI,
    STATUS_COLOR,
    date_time,
    no_shows_label,
    pet_label,
    phone_display,
)
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.messages import spanish
from vetassist_app.states.pet_state import pet_details
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
    no_shows: str = ""  # "2 inasistencias"; "" for none


@dataclass
class PetCard:
    id: str = ""
    name: str = ""
    emoji: str = "🐾"
    details: str = ""


@dataclass
class ConversationRow:
    id: str = ""
    when: str = ""
    phone: str = ""
    state: str = ""
    preview: str = ""
    is_open: bool = False


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
    no_shows: str = ""
    other_phones: str = ""  # "+57 310 …, …": numbers of duplicates merged into this client
    pets: list[PetCard] = field(default_factory=list)
    upcoming: list[ClientAppointment] = field(default_factory=list)
    past: list[ClientAppointment] = field(default_factory=list)
    conversations: list[ConversationRow] = field(default_factory=list)


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
            no_shows=no_shows_label(c.no_shows),
        )
        for c in found
    ]


def client_detail(viewer: Viewer, client_id: str) -> ClientDetail:
    """One client of the viewer's clinic; NotFound for an unknown or foreign id."""
    key = parse_id(client_id)
    tz = viewer.timezone
    now = utcnow()
    client = client_directory.client_history(viewer.tenant_id, key)
    history = calendar_view.appointments_of_client(viewer.tenant_id, client.id)
    lines = [
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
    ]
    today = now.astimezone(ZoneInfo(tz)).date()
    return ClientDetail(
        id=str(client.id),
        name=client.name or "Sin nombre",
        phone=phone_display(client.phone),
        phone_raw=client.phone,
        since=date_time(client.created_at, tz),
        email=client.email or "",
        false_alarms=client.false_emergency_count,
        no_shows=no_shows_label(client.no_shows),
        other_phones=", ".join(phone_display(p) for p in client.other_phones),
        pets=[
            PetCard(
                id=str(p.id or ""),
                name=p.name,
                emoji=SPECIES_EMOJI.get((p.species or "").lower(), "🐾"),
                details=" · ".join(
                    x
                    for x in [
                        (p.species or "").capitalize(),
                        p.breed or "",
                        age_label(p.birth_date, today),
                    ]
                    if x
                ),
            )
            for p in client.pets
        ],
        upcoming=[a for a in lines if a.upcoming][::-1],  # soonest first
        past=[a for a in lines if not a.upcoming],
        conversations=[
            ConversationRow(
                id=str(c.id),
                when=date_time(c.last_message_at, tz),
                phone=phone_display(c.phone),
                state=CONVERSATION_STATE.get(c.state, c.state),
                preview=c.preview or "",
                is_open=c.is_open,
            )
            for c in client.conversations
        ],
    )


def client_details(form: dict[str, Any]) -> profiles.ClientDetails:
    return profiles.ClientDetails(
        phone=str(form.get("phone", "")),
        name=str(form.get("name", "")) or None,
        email=str(form.get("email", "")) or None,
    )


class ClientState(SessionState):
    query: str = ""
    rows: list[ClientRow] = []
    selected: ClientDetail = ClientDetail()
    loaded: bool = False
    dialog: str = ""  # "", new, edit, pet, merge
    error: str = ""  # the open dialog's problem, in Spanish
    merge_query: str = ""
    merge_rows: list[ClientRow] = []
    merge_choice: ClientRow = ClientRow()

    @rx.var(cache=True)
    def can_edit(self) -> bool:
        return self.user_role in routes.CLINICAL

    def _in_dialog(self, action: Any) -> Any:
        """Runs a dialog's action; its refusal stays in the dialog, in Spanish."""

        def run(viewer: Viewer) -> Any:
            try:
                result = action(viewer)
            except DomainError as exc:
                self.error = spanish(exc)
                return None
            self.error = ""
            self.dialog = ""
            return result

        return self._run(routes.CLINICAL, run)

    @rx.event
    def open_dialog(self, name: str) -> None:
        self.dialog = name
        self.error = ""
        self.merge_query = ""
        self.merge_rows = []
        self.merge_choice = ClientRow()

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        if not value:
            self.dialog = ""

    @rx.event
    def create_client(self, form: dict[str, Any]) -> Any:
        details = client_details(form)

        def create(viewer: Viewer) -> Any:
            client = profiles.create_client(tenant_id=viewer.tenant_id, details=details)
            self.selected = client_detail(viewer, str(client.id))
            self.rows = search(viewer, self.query)
            return rx.toast.success("Cliente creado.")

        return self._in_dialog(create)

    @rx.event
    def update_client(self, form: dict[str, Any]) -> Any:
        details, client_id = client_details(form), self.selected.id

        def update(viewer: Viewer) -> Any:
            profiles.update_client(
                tenant_id=viewer.tenant_id, client_id=parse_id(client_id), details=details
            )
            self.selected = client_detail(viewer, client_id)
            self.rows = search(viewer, self.query)
            return rx.toast.success("Cliente actualizado.")

        return self._in_dialog(update)

    @rx.event
    def add_pet(self, form: dict[str, Any]) -> Any:
        client_id = self.selected.id

        def add(viewer: Viewer) -> Any:
            profiles.add_pet(
                tenant_id=viewer.tenant_id, client_id=parse_id(client_id), details=pet_details(form)
            )
            self.selected = client_detail(viewer, client_id)
            return rx.toast.success("Mascota agregada.")

        return self._in_dialog(add)

    @rx.event
    def search_duplicates(self, form: dict[str, Any]) -> Any:
        """The merge dialog's search: other clients of the clinic (never this one)."""
        self.merge_query = str(form.get("query", ""))
        self.merge_choice = ClientRow()
        keep = self.selected.id

        def find(viewer: Viewer) -> None:
            found = search(viewer, self.merge_query) if self.merge_query.strip() else []
            self.merge_rows = [r for r in found if r.id != keep][:8]

        return self._run(routes.CLINICAL, find)

    @rx.event
    def choose_duplicate(self, client_id: str) -> None:
        self.merge_choice = next((r for r in self.merge_rows if r.id == client_id), ClientRow())

    @rx.event
    def merge(self) -> Any:
        """Merges the chosen duplicate into the client on screen (after the confirmation)."""
        keep, duplicate = self.selected.id, self.merge_choice.id

        def merge(viewer: Viewer) -> Any:
            result = merging.merge_clients(
                tenant_id=viewer.tenant_id,
                actor=viewer.actor,
                keep_id=parse_id(keep),
                merge_id=parse_id(duplicate),
            )
            self.selected = client_detail(viewer, keep)
            self.rows = search(viewer, self.query)
            moved = result.appointments
            return rx.toast.success(
                f"Clientes fusionados: {moved} {'cita pasó' if moved == 1 else 'citas pasaron'} "
                "a este cliente."
            )

        return self._in_dialog(merge)

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
