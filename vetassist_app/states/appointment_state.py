"""One appointment: details, actions (confirm, reschedule, cancel, complete, no-show,
notes) and booking a new one from an empty slot.

Every action goes through `services.booking` with the version the user saw, so
a change made meanwhile by someone else (or the assistant) is refused as stale
instead of being overwritten.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from backend.core.clock import utcnow
from backend.domain import calendar_sync_badge
from backend.domain.appointment_rules import (
    RESCHEDULABLE,
    TRANSITIONS,
    Source,
    Status,
    check_undoable,
    has_started,
)
from backend.domain.errors import DomainError, NotFound, NothingToUndo, ValidationFailed
from backend.services.calendar_sync import google_changes
from backend.services.calendar_sync import outbound as calendar_outbound
from backend.services.patients import client_directory
from backend.services.scheduling import booking, calendar_view, services_catalog
from backend.services.scheduling.calendar_view import AppointmentView
from vetassist_app import routes
from vetassist_app.formatting import (
    APPOINTMENT_STATUS,
    PROCEDURE_LABEL,
    SOURCE_LABEL,
    STATUS_COLOR,
    date_time,
    hhmm,
    long_date,
    no_shows_label,
    pet_label,
    phone_display,
)
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.calendar_state import CalendarState
from vetassist_app.states.messages import spanish
from vetassist_app.states.session_state import SessionState

ACTION_LABEL = {
    "create": "Cita creada",
    "reschedule": "Reprogramada",
    "confirm": "Confirmada",
    "cancel": "Cancelada",
    "complete": "Completada",
    "no_show": "Marcada como no asistió",
    "edit": "Notas editadas",
    "undo_status": "Se deshizo el último cambio de estado",
    "merge_client": "Cliente fusionado con un duplicado",
}
ACTOR_LABEL = {"assistant": "Asistente WhatsApp", "system": "Sistema", "api_key": "Integración"}


@dataclass
class HistoryRow:
    when: str = ""
    text: str = ""
    actor: str = ""


@dataclass
class AppointmentDetail:
    id: str = ""
    version: int = 0
    doctor_id: str = ""
    doctor_name: str = ""
    doctor_color: str = ""
    day_label: str = ""
    day_iso: str = ""  # the local day, where "Reprogramar" opens
    time_label: str = ""
    client_id: str = ""
    client_name: str = ""
    client_phone: str = ""
    client_no_shows: str = ""  # "2 inasistencias"; "" for none
    pet_id: str = ""
    pet: str = ""
    reason: str = ""
    service: str = ""
    notes: str = ""
    status: str = ""
    status_label: str = ""
    status_color: str = "gray"
    emergency: bool = False
    source_label: str = ""
    sync_state: str = "off"  # ok, failed, pending, off, review
    sync_error: str = ""
    review_reason: str = ""  # a change made in Google waits for a person
    review_proposal: str = ""  # Google's time, "" when the event was deleted
    created_label: str = ""
    cancel_reason: str = ""
    procedure_label: str = ""
    conversation_id: str = ""
    can_confirm: bool = False
    can_cancel: bool = False
    can_complete: bool = False
    can_no_show: bool = False
    can_reschedule: bool = False
    can_undo: bool = False
    undo_label: str = ""
    history: list[HistoryRow] = field(default_factory=list)


@dataclass
class DoctorChoice:
    id: str = ""
    name: str = ""


def doctor_choices(viewer: Viewer) -> list[DoctorChoice]:
    """The clinic's doctors an appointment can move to."""
    return [
        DoctorChoice(id=str(d.id), name=d.full_name)
        for d in calendar_view.doctors(viewer.tenant_id)
    ]


@dataclass
class ServiceChoice:
    id: str = ""
    label: str = ""


def service_choices(viewer: Viewer, doctor_id: uuid.UUID) -> list[ServiceChoice]:
    """The services the doctor offers, the clinic's default first ("Vacunación (15 min)")."""
    return [
        ServiceChoice(id=str(s.id), label=s.label)
        for s in services_catalog.services_of_doctor(
            tenant_id=viewer.tenant_id, doctor_id=doctor_id
        )
    ]


@dataclass
class SlotOption:
    key: str = ""
    label: str = ""
    doctor: str = ""


def _history_row(entry: calendar_view.HistoryEntry, tz: str) -> HistoryRow:
    actor = (
        entry.actor_label
        if entry.actor_type == "user"
        else ACTOR_LABEL.get(entry.actor_type, entry.actor_label or entry.actor_type)
    )
    text = ACTION_LABEL.get(entry.action, entry.action)
    if entry.action == "reschedule" and "start_at" in entry.changes:
        new_start = entry.changes["start_at"][1]
        if new_start:
            text += f" para el {date_time(datetime.fromisoformat(new_start), tz)}"
    if entry.action == "cancel" and entry.changes.get("cancel_reason", [None, None])[1]:
        text += f": «{entry.changes['cancel_reason'][1]}»"
    if entry.action == "complete" and entry.changes.get("procedure_type", [None, None])[1]:
        procedure = entry.changes["procedure_type"][1]
        text += f" ({PROCEDURE_LABEL.get(procedure, procedure).lower()})"
    return HistoryRow(when=date_time(entry.at, tz), text=text, actor=actor or "")


def _undoable(history: list[calendar_view.HistoryEntry], now: datetime) -> str:
    """What "Deshacer" would take back ("" when nothing): the last change, if it was a
    completion or a no-show within the undo window."""
    if not history:
        return ""
    last = history[-1]
    try:
        check_undoable(last.action, last.at, now)
    except NothingToUndo:
        return ""
    return ACTION_LABEL.get(last.action, last.action)


def detail_of(
    view: AppointmentView,
    history: list[calendar_view.HistoryEntry],
    tz: str,
    *,
    no_shows: int = 0,
    now: datetime | None = None,
) -> AppointmentDetail:
    """The panel's view of an appointment; completing and "no asistió" are offered only
    from its start time on (`now`, default the clock's)."""
    now = now or utcnow()
    status = Status(view.status)
    allowed = TRANSITIONS[status]
    started = has_started(view.start_at, now)
    undo_label = _undoable(history, now)
    sync_state = calendar_sync_badge.sync_state(
        sync_ok=view.calendar_sync_ok,
        event_id=view.calendar_event_id,
        synced_version=view.calendar_synced_version,
        version=view.version,
        needs_review=view.calendar_review_reason is not None,
    )
    proposal = ""
    if view.calendar_review_start is not None and view.calendar_review_end is not None:
        local = view.calendar_review_start.astimezone(ZoneInfo(tz)).date()
        proposal = (
            f"{long_date(local).capitalize()}, "
            f"{hhmm(view.calendar_review_start, tz)} – {hhmm(view.calendar_review_end, tz)}"
        )
    return AppointmentDetail(
        id=str(view.id),
        version=view.version,
        doctor_id=str(view.doctor_id),
        doctor_name=view.doctor_name,
        doctor_color=view.doctor_color or "#0d9488",
        day_label=long_date(view.start_at.astimezone(ZoneInfo(tz)).date()).capitalize(),
        day_iso=view.start_at.astimezone(ZoneInfo(tz)).date().isoformat(),
        time_label=f"{hhmm(view.start_at, tz)} – {hhmm(view.end_at, tz)}",
        client_id=str(view.client_id),
        client_name=view.client_name or "Sin nombre",
        client_phone=phone_display(view.client_phone),
        client_no_shows=no_shows_label(no_shows),
        pet_id=str(view.pet_id or ""),
        pet=pet_label(view.pet_name, view.pet_species) or "Sin mascota registrada",
        reason=view.reason or "",
        service=view.service_name or "",
        notes=view.notes or "",
        status=view.status,
        status_label=APPOINTMENT_STATUS.get(view.status, view.status),
        status_color=STATUS_COLOR.get(view.status, "gray"),
        emergency=view.priority == "emergency",
        source_label=SOURCE_LABEL.get(view.source, view.source),
        sync_state=sync_state,
        sync_error=view.calendar_sync_error or "",
        review_reason=view.calendar_review_reason or "",
        review_proposal=proposal,
        created_label=date_time(view.created_at, tz),
        cancel_reason=view.cancel_reason or "",
        procedure_label=PROCEDURE_LABEL.get(view.procedure_type or "", view.procedure_type or ""),
        conversation_id=str(view.conversation_id or ""),
        can_confirm=Status.CONFIRMED in allowed,
        can_cancel=Status.CANCELLED in allowed,
        can_complete=Status.COMPLETED in allowed and started,
        can_no_show=Status.NO_SHOW in allowed and started,
        can_reschedule=status in RESCHEDULABLE,
        can_undo=undo_label != "",
        undo_label=undo_label,
        history=[_history_row(entry, tz) for entry in history],
    )


def load_appointment(viewer: Viewer, appointment_id: str) -> AppointmentDetail:
    """The appointment if it belongs to the viewer's clinic; NotFound otherwise."""
    record = calendar_view.appointment_record(viewer.tenant_id, parse_id(appointment_id))
    no_shows = client_directory.no_show_count(viewer.tenant_id, record.view.client_id)
    return detail_of(record.view, record.history, viewer.timezone, no_shows=no_shows)


def change_status(
    viewer: Viewer,
    appointment_id: str,
    version: int,
    status: Status,
    *,
    reason: str | None = None,
    procedure_type: str | None = None,
) -> None:
    """Confirm / cancel / complete / no-show, as the viewer (completing needs a procedure)."""
    if status == Status.COMPLETED and procedure_type not in PROCEDURE_LABEL:
        raise ValidationFailed("choose the procedure type", field="procedureType")
    booking.edit(
        tenant_id=viewer.tenant_id,
        actor=viewer.actor,
        appointment_id=parse_id(appointment_id),
        expected_version=version,
        change=booking.AppointmentChange(
            status=status,
            cancel_reason=(reason or "").strip() or None,
            procedure_type=procedure_type if status == Status.COMPLETED else None,
        ),
    )


def undo_status(viewer: Viewer, appointment_id: str, version: int) -> None:
    """Takes back the last completion or no-show (within 24 hours), as the viewer."""
    booking.undo_status(
        tenant_id=viewer.tenant_id,
        actor=viewer.actor,
        appointment_id=parse_id(appointment_id),
        expected_version=version,
    )


def retry_calendar_sync(viewer: Viewer, appointment_id: str) -> bool:
    """Submits the appointment's Google Calendar sync again; False when nothing is connected."""
    return calendar_outbound.retry(
        tenant_id=viewer.tenant_id, appointment_id=parse_id(appointment_id)
    )


def keep_vetassist_time(viewer: Viewer, appointment_id: str) -> None:
    """Settles a Google Calendar review keeping our time (written back to Google)."""
    google_changes.keep_ours(
        tenant_id=viewer.tenant_id, appointment_id=parse_id(appointment_id), actor=viewer.actor
    )


def use_google_time(viewer: Viewer, appointment_id: str) -> None:
    """Settles a Google Calendar review moving the appointment to Google's time."""
    google_changes.use_google_time(
        tenant_id=viewer.tenant_id, appointment_id=parse_id(appointment_id), actor=viewer.actor
    )


def save_notes(viewer: Viewer, appointment_id: str, version: int, notes: str) -> None:
    booking.replace_notes(
        tenant_id=viewer.tenant_id,
        actor=viewer.actor,
        appointment_id=parse_id(appointment_id),
        notes=notes.strip()[:2000] or None,
        expected_version=version,
    )


def reschedule_options(viewer: Viewer, doctor_id: str, day: date) -> list[SlotOption]:
    """Free slots of one doctor of the clinic on a local day."""
    free = calendar_view.free_slots_of_doctor(viewer.tenant_id, parse_id(doctor_id), day)
    return [
        SlotOption(
            key=f"{s.doctor_id}|{s.start.isoformat()}",
            label=hhmm(s.start, viewer.timezone),
            doctor=free.doctor_name,
        )
        for s in free.slots
    ]


def reschedule(viewer: Viewer, appointment_id: str, version: int, slot_key: str) -> None:
    """Moves the appointment to the chosen free slot (possibly another doctor's)."""
    doctor_raw, _, start_raw = slot_key.partition("|")
    try:
        start = datetime.fromisoformat(start_raw)
    except ValueError:
        raise ValidationFailed("choose a time", field="startAt") from None
    booking.edit(
        tenant_id=viewer.tenant_id,
        actor=viewer.actor,
        appointment_id=parse_id(appointment_id),
        expected_version=version,
        change=booking.AppointmentChange(start_at=start, doctor_id=parse_id(doctor_raw)),
    )


@dataclass
class ClientMatch:
    found: bool = False
    name: str = ""
    phone: str = ""
    pets: list[str] = field(default_factory=list)


def find_client(viewer: Viewer, phone: str) -> ClientMatch:
    """The clinic's client with this phone (and pet names), for the booking form."""
    client = client_directory.client_with_phone(viewer.tenant_id, phone)
    if client is None:
        return ClientMatch(found=False)
    return ClientMatch(
        found=True, name=client.name or "", phone=client.phone, pets=[p.name for p in client.pets]
    )


@dataclass(frozen=True)
class NewBooking:
    doctor_id: str
    start_iso: str
    phone: str
    client_name: str
    pet_name: str
    species: str
    reason: str
    confirmed: bool
    service_id: str = ""


def create_booking(viewer: Viewer, form: NewBooking) -> str:
    """Finds or creates the client (and pet) and books; returns the appointment id."""
    if not form.phone.strip():
        raise ValidationFailed("phone required", field="phone")
    try:
        start = datetime.fromisoformat(form.start_iso)
    except ValueError:
        raise ValidationFailed("choose a time", field="startAt") from None
    appointment = booking.book(
        tenant_id=viewer.tenant_id,
        actor=viewer.actor,
        client=booking.NewClient(phone=form.phone, name=form.client_name.strip() or None),
        pet=booking.NewPet(name=form.pet_name, species=form.species.strip() or None)
        if form.pet_name.strip()
        else None,
        data=booking.NewAppointment(
            doctor_id=parse_id(form.doctor_id),
            start_at=start,
            reason=form.reason.strip() or None,
            status=Status.CONFIRMED if form.confirmed else Status.PENDING,
            source=Source.PORTAL,
            service_id=parse_id(form.service_id) if form.service_id else None,
        ),
    )
    return str(appointment.id)


class AppointmentState(SessionState):
    """The appointment panel (a dialog on the calendar, or the /citas/<id> page)."""

    detail: AppointmentDetail = AppointmentDetail()
    dialog_open: bool = False
    page_mode: bool = False
    missing: bool = False
    mode: str = ""  # "", cancel, complete, no_show, reschedule, notes
    reschedule_day: str = ""
    reschedule_doctor: str = ""
    doctor_choices: list[DoctorChoice] = []
    slot_options: rx.Field[list[SlotOption]] = rx.field(default_factory=list)
    slots_loaded: bool = False

    @rx.var(cache=True)
    def can_act(self) -> bool:
        return self.user_role in routes.CLINICAL

    def _show(self, viewer: Viewer, appointment_id: str) -> None:
        self.detail = load_appointment(viewer, appointment_id)
        self.missing = False
        self.mode = ""
        self.slot_options = []
        self.slots_loaded = False

    def _refresh(self, viewer: Viewer) -> Any:
        """After a change (or a lost race): fresh detail and, on the calendar, a fresh grid."""
        try:
            self._show(viewer, self.detail.id)
        except NotFound:
            self.missing = True
        return None if self.page_mode else CalendarState.catch_up

    @rx.event
    def open_appointment(self, appointment_id: str) -> Any:
        self.page_mode = False

        def show(viewer: Viewer) -> None:
            self._show(viewer, appointment_id)
            self.dialog_open = True

        return self._run(None, show)

    @rx.event
    def open_page(self) -> Any:
        """on_load of /citas/<id>: another clinic's id reads exactly like an unknown one."""
        self.page_mode = True
        self.dialog_open = False
        appointment_id = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]

        def show(viewer: Viewer) -> None:
            try:
                self._show(viewer, appointment_id)
            except NotFound:
                self.missing = True
                self.detail = AppointmentDetail()

        return self._run(None, show)

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value
        if not value:
            self.mode = ""

    @rx.event
    def set_mode(self, mode: str) -> Any:
        def run(viewer: Viewer) -> Any:
            self.mode = mode
            if mode != "reschedule":
                return None
            self.reschedule_doctor = self.detail.doctor_id
            self.doctor_choices = doctor_choices(viewer)
            self.reschedule_day = (
                self.detail.day_iso
                or utcnow().astimezone(ZoneInfo(viewer.timezone)).date().isoformat()
            )
            return AppointmentState.load_slots

        return self._run(None, run)

    @rx.event
    def set_confirm_open(self, opened: bool) -> None:
        """Closing a confirmation (Esc, outside click, "Volver") leaves the action undone."""
        if not opened:
            self.mode = ""

    def _done(self, viewer: Viewer, message: str) -> list[Any]:
        events: list[Any] = []
        reload = self._refresh(viewer)
        if reload is not None:
            events.append(reload)
        events.append(rx.toast.success(message))
        return events

    def _act(self, action: Any, message: str) -> Any:
        def run(viewer: Viewer) -> list[Any]:
            action(viewer)
            return self._done(viewer, message)

        return self._run(routes.CLINICAL, run, on_conflict=self._refresh)

    @rx.event
    def confirm(self) -> Any:
        detail = self.detail
        return self._act(
            lambda v: change_status(v, detail.id, detail.version, Status.CONFIRMED),
            "Cita confirmada.",
        )

    @rx.event
    def retry_sync(self) -> Any:
        detail = self.detail

        def run(viewer: Viewer) -> list[Any]:
            if not retry_calendar_sync(viewer, detail.id):
                return [rx.toast.error("Esta cita no tiene un Google Calendar conectado.")]
            return self._done(viewer, "Sincronización con Google Calendar reintentada.")

        return self._run(routes.CLINICAL, run, on_conflict=self._refresh)

    @rx.event
    def use_google_time(self) -> Any:
        detail = self.detail

        def run(viewer: Viewer) -> list[Any]:
            try:
                use_google_time(viewer, detail.id)
            except google_changes.GoogleTimeRefused as exc:
                return [rx.toast.error(exc.message)]
            return self._done(viewer, "Cita movida a la hora de Google Calendar.")

        return self._run(routes.CLINICAL, run, on_conflict=self._refresh)

    @rx.event
    def keep_vetassist_time(self) -> Any:
        detail = self.detail
        return self._act(
            lambda v: keep_vetassist_time(v, detail.id),
            "Se mantiene la hora de VetAssist; Google Calendar se actualizará.",
        )

    @rx.event
    def no_show(self) -> Any:
        detail = self.detail
        return self._act(
            lambda v: change_status(v, detail.id, detail.version, Status.NO_SHOW),
            "Cita marcada como «no asistió». Puedes deshacerlo durante 24 horas.",
        )

    @rx.event
    def undo(self) -> Any:
        detail = self.detail
        return self._act(
            lambda v: undo_status(v, detail.id, detail.version), "Cambio de estado deshecho."
        )

    @rx.event
    def submit_cancel(self, form: dict[str, Any]) -> Any:
        detail = self.detail
        reason = str(form.get("reason", ""))
        return self._act(
            lambda v: change_status(v, detail.id, detail.version, Status.CANCELLED, reason=reason),
            "Cita cancelada.",
        )

    @rx.event
    def submit_complete(self, form: dict[str, Any]) -> Any:
        detail = self.detail
        procedure = str(form.get("procedure_type", ""))
        return self._act(
            lambda v: change_status(
                v, detail.id, detail.version, Status.COMPLETED, procedure_type=procedure
            ),
            "Cita completada. Los seguimientos quedaron programados.",
        )

    @rx.event
    def submit_notes(self, form: dict[str, Any]) -> Any:
        detail = self.detail
        notes = str(form.get("notes", ""))
        return self._act(
            lambda v: save_notes(v, detail.id, detail.version, notes), "Notas guardadas."
        )

    @rx.event
    def set_reschedule_day(self, value: str) -> Any:
        self.reschedule_day = value
        return AppointmentState.load_slots

    @rx.event
    def set_reschedule_doctor(self, value: str) -> Any:
        self.reschedule_doctor = value
        return AppointmentState.load_slots

    @rx.event
    def load_slots(self) -> Any:
        def load(viewer: Viewer) -> None:
            try:
                day = date.fromisoformat(self.reschedule_day)
            except ValueError:
                self.slot_options = []
                return
            self.slot_options = reschedule_options(viewer, self.reschedule_doctor, day)
            self.slots_loaded = True

        return self._run(routes.CLINICAL, load)

    @rx.event
    def pick_slot(self, slot_key: str) -> Any:
        detail = self.detail
        return self._act(
            lambda v: reschedule(v, detail.id, detail.version, slot_key), "Cita reprogramada."
        )


NEW_PET = "__nueva__"
"""The booking form's choice of a pet not registered yet."""


class NewAppointmentState(SessionState):
    """Booking from an empty slot of the calendar."""

    dialog_open: bool = False
    doctor_id: str = ""
    doctor_name: str = ""
    start_iso: str = ""
    when_label: str = ""
    phone: str = ""
    client_found: bool = False
    client_checked: bool = False
    client_name: str = ""
    pets: rx.Field[list[str]] = rx.field(default_factory=list)
    pet_choice: str = NEW_PET  # one of `pets`, or NEW_PET (name and species asked)
    services: rx.Field[list[ServiceChoice]] = rx.field(default_factory=list)
    service_id: str = ""
    error: str = ""

    @rx.event
    def start(self, doctor_id: str, start_iso: str) -> Any:
        def prepare(viewer: Viewer) -> None:
            key = parse_id(doctor_id)
            names = {d.id: d.full_name for d in calendar_view.doctors(viewer.tenant_id)}
            if key not in names:
                raise NotFound("doctor not found", field="doctorId")
            moment = datetime.fromisoformat(start_iso)
            self.doctor_id = doctor_id
            self.doctor_name = names[key]
            self.start_iso = start_iso
            self.when_label = (
                f"{long_date(moment.astimezone(ZoneInfo(viewer.timezone)).date()).capitalize()}, "
                f"{hhmm(moment, viewer.timezone)}"
            )
            self.phone = ""
            self.client_found = False
            self.client_checked = False
            self.client_name = ""
            self.pets = []
            self.pet_choice = NEW_PET
            self.services = service_choices(viewer, key)
            self.service_id = self.services[0].id if self.services else ""
            self.error = ""
            self.dialog_open = True

        return self._run(routes.CLINICAL, prepare)

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value

    @rx.event
    def set_service(self, service_id: str) -> None:
        self.service_id = service_id

    @rx.event
    def set_pet_choice(self, choice: str) -> None:
        self.pet_choice = choice if choice in self.pets else NEW_PET

    @rx.event
    def lookup(self, phone: str) -> Any:
        """On leaving the phone field: is this an existing client?"""
        self.phone = phone

        def look(viewer: Viewer) -> None:
            if not phone.strip():
                self.client_checked = False
                return
            try:
                match = find_client(viewer, phone)
            except ValidationFailed:
                self.error = "El número de teléfono no es válido."
                self.client_checked = False
                return
            self.error = ""
            self.client_checked = True
            self.client_found = match.found
            self.client_name = match.name
            self.pets = match.pets
            self.pet_choice = match.pets[0] if match.pets else NEW_PET

        return self._run(routes.CLINICAL, look)

    @rx.event
    def submit(self, form: dict[str, Any]) -> Any:
        pet = (
            str(form.get("pet_name", "")).strip()
            if self.pet_choice == NEW_PET or self.pet_choice not in self.pets
            else self.pet_choice
        )
        booking_form = NewBooking(
            doctor_id=self.doctor_id,
            start_iso=self.start_iso,
            phone=str(form.get("phone", "")),
            client_name=str(form.get("client_name", "")),
            pet_name=pet,
            species=str(form.get("species", "")),
            reason=str(form.get("reason", "")),
            confirmed=bool(form.get("confirmed")),
            service_id=self.service_id,
        )

        def book(viewer: Viewer) -> list[Any]:
            try:
                create_booking(viewer, booking_form)
            except DomainError as exc:
                self.error = spanish(exc)
                raise
            self.dialog_open = False
            return [CalendarState.catch_up, rx.toast.success("Cita creada.")]

        return self._run(routes.CLINICAL, book, on_conflict=lambda v: CalendarState.reload)
