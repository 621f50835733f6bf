"""One pet's page: details, visits and vaccines; editing the pet and its vaccines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from backend.core.clock import utcnow
from backend.domain import spanish_dates
from backend.domain.errors import NotFound, ValidationFailed
from backend.domain.pet_age import age_label
from backend.services.patients import pet_history, profiles
from vetassist_app import routes
from vetassist_app.formatting import (
    APPOINTMENT_STATUS,
    PROCEDURE_LABEL,
    SPECIES_EMOJI,
    STATUS_COLOR,
    date_time,
    phone_display,
)
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.session_state import SessionState


@dataclass
class VisitRow:
    id: str = ""
    when: str = ""
    doctor: str = ""
    reason: str = ""
    notes: str = ""
    procedure: str = ""
    status_label: str = ""
    status_color: str = "gray"
    upcoming: bool = False


@dataclass
class VaccineRow:
    id: str = ""
    name: str = ""
    given_on: str = ""  # ISO, for the edit form
    given_label: str = ""
    due_on: str = ""
    due_label: str = ""
    due_state: str = ""  # "", overdue, soon, later


@dataclass
class PetPage:
    id: str = ""
    name: str = ""
    emoji: str = "🐾"
    species: str = ""
    breed: str = ""
    birth_date: str = ""  # ISO, for the edit form
    birth_label: str = ""
    age: str = ""
    weight: str = ""  # "12,5 kg"
    weight_value: str = ""  # "12.5", for the edit form
    client_id: str = ""
    client_name: str = ""
    client_phone: str = ""
    visits: list[VisitRow] = field(default_factory=list)
    vaccines: list[VaccineRow] = field(default_factory=list)


SOON_DAYS = 30


def _day(value: date | None) -> str:
    return spanish_dates.day_month(value, with_year=True) if value else ""


def _due_state(due: date | None, today: date) -> str:
    if due is None:
        return ""
    if due < today:
        return "overdue"
    return "soon" if (due - today).days <= SOON_DAYS else "later"


def _weight(kg: float | None) -> str:
    if kg is None:
        return ""
    return f"{kg:g}".replace(".", ",") + " kg"


def pet_page(viewer: Viewer, pet_id: str) -> PetPage:
    """The pet of the viewer's clinic; NotFound for an unknown or another clinic's id."""
    record = pet_history.pet_record(viewer.tenant_id, parse_id(pet_id))
    tz = viewer.timezone
    now = utcnow()
    today = now.astimezone(ZoneInfo(tz)).date()
    return PetPage(
        id=str(record.id),
        name=record.name,
        emoji=SPECIES_EMOJI.get((record.species or "").lower(), "🐾"),
        species=(record.species or "").capitalize(),
        breed=record.breed or "",
        birth_date=record.birth_date.isoformat() if record.birth_date else "",
        birth_label=_day(record.birth_date),
        age=age_label(record.birth_date, today),
        weight=_weight(record.weight_kg),
        weight_value=f"{record.weight_kg:g}" if record.weight_kg is not None else "",
        client_id=str(record.client_id),
        client_name=record.client_name or "Sin nombre",
        client_phone=phone_display(record.client_phone),
        visits=[
            VisitRow(
                id=str(v.appointment_id),
                when=date_time(v.start_at, tz),
                doctor=v.doctor_name,
                reason=v.reason or "",
                notes=v.notes or "",
                procedure=PROCEDURE_LABEL.get(v.procedure_type or "", ""),
                status_label=APPOINTMENT_STATUS.get(v.status, v.status),
                status_color=STATUS_COLOR.get(v.status, "gray"),
                upcoming=v.start_at >= now and v.status in ("pending", "confirmed"),
            )
            for v in record.visits
        ],
        vaccines=[
            VaccineRow(
                id=str(v.id),
                name=v.name,
                given_on=v.given_on.isoformat(),
                given_label=_day(v.given_on),
                due_on=v.due_on.isoformat() if v.due_on else "",
                due_label=_day(v.due_on),
                due_state=_due_state(v.due_on, today),
            )
            for v in record.vaccines
        ],
    )


def _date(value: Any, field_name: str, *, required: bool) -> date | None:
    text = str(value or "").strip()
    if not text:
        if required:
            raise ValidationFailed("date required", field=field_name)
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("not a date", field=field_name) from None


def _kilos(value: Any) -> float | None:
    text = str(value or "").strip().replace(",", ".").removesuffix("kg").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationFailed("not a weight", field="weightKg") from None


def pet_details(form: dict[str, Any]) -> profiles.PetDetails:
    """The pet form's fields, read (the service checks them)."""
    return profiles.PetDetails(
        name=str(form.get("name", "")),
        species=str(form.get("species", "")) or None,
        breed=str(form.get("breed", "")) or None,
        birth_date=_date(form.get("birth_date"), "birthDate", required=False),
        weight_kg=_kilos(form.get("weight_kg")),
    )


def vaccine_details(form: dict[str, Any]) -> profiles.VaccineDetails:
    given = _date(form.get("given_on"), "givenOn", required=True)
    assert given is not None
    return profiles.VaccineDetails(
        name=str(form.get("name", "")),
        given_on=given,
        due_on=_date(form.get("due_on"), "dueOn", required=False),
    )


class PetState(SessionState):
    """/mascotas/<id>: one pet's record."""

    pet: PetPage = PetPage()
    missing: bool = False
    editing: bool = False
    vaccine_open: bool = False
    vaccine_id: str = ""  # "" adds a new one
    vaccine_name: str = ""
    vaccine_given: str = ""
    vaccine_due: str = ""

    @rx.var(cache=True)
    def can_edit(self) -> bool:
        return self.user_role in routes.CLINICAL

    def _pet_id(self) -> str:
        return self.router.url.path.rstrip("/").rsplit("/", 1)[-1]

    def _show(self, viewer: Viewer) -> None:
        self.pet = pet_page(viewer, self.pet.id or self._pet_id())
        self.missing = False

    @rx.event
    def open_page(self) -> Any:
        """on_load: another clinic's pet reads exactly like an unknown one."""
        self.pet = PetPage()
        self.editing = False
        self.vaccine_open = False

        def show(viewer: Viewer) -> None:
            try:
                self.pet = pet_page(viewer, self._pet_id())
                self.missing = False
            except NotFound:
                self.missing = True

        return self._run(None, show)

    @rx.event
    def set_editing(self, value: bool) -> None:
        self.editing = value

    @rx.event
    def save_pet(self, form: dict[str, Any]) -> Any:
        pet_id = self.pet.id

        def save(viewer: Viewer) -> Any:
            profiles.update_pet(
                tenant_id=viewer.tenant_id, pet_id=parse_id(pet_id), details=pet_details(form)
            )
            self.editing = False
            self._show(viewer)
            return rx.toast.success("Mascota actualizada.")

        return self._run(routes.CLINICAL, save)

    @rx.event
    def start_vaccine(self, vaccine_id: str) -> None:
        """Opens the vaccine form: empty for a new one, filled to correct one."""
        found = next((v for v in self.pet.vaccines if v.id == vaccine_id), None)
        self.vaccine_id = found.id if found else ""
        self.vaccine_name = found.name if found else ""
        self.vaccine_given = found.given_on if found else ""
        self.vaccine_due = found.due_on if found else ""
        self.vaccine_open = True

    @rx.event
    def set_vaccine_open(self, value: bool) -> None:
        self.vaccine_open = value

    @rx.event
    def save_vaccine(self, form: dict[str, Any]) -> Any:
        pet_id, vaccine_id = self.pet.id, self.vaccine_id

        def save(viewer: Viewer) -> Any:
            details = vaccine_details(form)
            if vaccine_id:
                profiles.update_vaccine(
                    tenant_id=viewer.tenant_id, vaccine_id=parse_id(vaccine_id), details=details
                )
            else:
                profiles.record_vaccine(
                    tenant_id=viewer.tenant_id, pet_id=parse_id(pet_id), details=details
                )
            self.vaccine_open = False
            self._show(viewer)
            return rx.toast.success("Vacuna guardada.")

        return self._run(routes.CLINICAL, save)
