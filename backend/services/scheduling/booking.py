"""The one write path for appointments.

Every change validates, takes the row lock (optimistic version check under it),
writes the audit row and the outbox event in the caller's transaction; on
PostgreSQL the appointment, its audit row and its event are written by one
statement (`_save`), and a booking reads its doctor, schedule, client and pet
in one more.

A booking is for a service (the clinic's default consultation when none is
named): it lasts the service's length unless an end is given, and only a
doctor offering the service takes it.

Every change of an appointment's time or doctor also sets the range it blocks,
[start_at, end_at + the buffer), the buffer being the doctor's or the
service's when longer. The database refuses two live normal
appointments of one doctor whose blocked ranges overlap, which is the buffer
rule itself: on PostgreSQL concurrent bookings cannot slip a back-to-back pair
past the check here. That refusal, and the deadlock PostgreSQL may report
instead when two conflicting inserts wait for each other, surface as
`SlotTaken`, the same error the check here raises.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy import literal, or_, union_all
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.core.db import is_postgres, session_scope
from backend.core.row_cache import RowCache, read_apart
from backend.domain.appointment_rules import (
    Priority,
    ProcedureType,
    Source,
    Status,
    check_reschedulable,
    check_started,
    check_transition,
    check_undoable,
    parse_status,
)
from backend.domain.availability import ScheduleRules, fits_emergency, fits_schedule
from backend.domain.errors import (
    NotFound,
    NothingToUndo,
    SlotTaken,
    StaleVersion,
    ValidationFailed,
)
from backend.domain.intervals import Interval
from backend.domain.service_matching import BookableService
from backend.models import (
    Appointment,
    AuditLog,
    CalendarBusyBlock,
    Client,
    DoctorSchedule,
    OutboxEvent,
    Pet,
    StaffUser,
    Tenant,
    TimeOff,
)
from backend.services import events
from backend.services.actors import Actor
from backend.services.clinics.clinic_directory import clinic_to_read, get_clinic
from backend.services.patients import clients
from backend.services.scheduling import closures, services_catalog
from backend.services.scheduling.availability import (
    MAX_APPOINTMENT_LENGTH,
    WINDOW_PADDING,
    as_utc,
    rules_for,
)

AUDITED_FIELDS = (
    "doctor_id",
    "client_id",
    "pet_id",
    "start_at",
    "end_at",
    "reason",
    "status",
    "priority",
    "notes",
    "procedure_type",
    "cancel_reason",
)

SCHEDULE_MESSAGES = {
    "outside_working_hours": "the time is outside the doctor's working hours",
    "in_past": "the time is in the past",
    "inside_min_notice": "the time is too soon (minimum notice)",
    "beyond_horizon": "the time is beyond the booking horizon",
    "blocked": "the doctor is not available at that time",
}

DOCTOR_BUSY_MESSAGE = "El médico tiene ese horario ocupado en su Google Calendar"


@dataclass(frozen=True)
class NewAppointment:
    doctor_id: uuid.UUID
    start_at: datetime
    client_id: uuid.UUID | None = None  # or a `NewClient` given to `book`
    end_at: datetime | None = None
    pet_id: uuid.UUID | None = None
    reason: str | None = None
    notes: str | None = None
    priority: str = Priority.NORMAL
    source: str = Source.API
    status: str = Status.PENDING
    conversation_id: uuid.UUID | None = None
    emergency_id: uuid.UUID | None = None
    procedure_type: str | None = None
    service_id: uuid.UUID | None = None  # None: the clinic's default service


@dataclass(frozen=True)
class NewClient:
    """A client given by phone: the clinic's client with that number, created if new."""

    phone: str
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class NewPet:
    """A pet given by name: the client's pet of that name, created if new."""

    name: str
    species: str | None = None
    breed: str | None = None
    birth_date: date | None = None


def book(
    *,
    tenant_id: uuid.UUID,
    actor: Actor,
    data: NewAppointment,
    client: NewClient | None = None,
    pet: NewPet | None = None,
) -> Appointment:
    """Books in its own unit of work, the one call of the portal and the API.

    With `client`, the appointment is for the clinic's client with that phone
    (created if new) instead of `data.client_id`; with `pet`, for that client's
    pet of that name (created if new) instead of `data.pet_id`.
    """
    with session_scope(write=True) as session:
        tenant = clinic_to_read(session, tenant_id)
        if client is not None:
            found = clients.find_or_create(
                session, tenant, phone=client.phone, name=client.name, email=client.email
            )
            data = replace(data, client_id=found.id)
        if pet is not None and data.client_id is not None:
            owner = clients.get_client(session, tenant.id, data.client_id)
            added = clients.add_pet(
                session,
                owner,
                name=pet.name,
                species=pet.species,
                breed=pet.breed,
                birth_date=pet.birth_date,
            )
            data = replace(data, pet_id=added.id)
        return create(session, tenant=tenant, actor=actor, data=data)


@dataclass(frozen=True)
class AppointmentChange:
    """One edit of an appointment: a move, a status change, or new notes and reason.

    A move is any of `start_at`, `end_at`, `doctor_id`; it cannot go with a
    status change (they are separate requests).
    """

    start_at: datetime | None = None
    end_at: datetime | None = None
    doctor_id: uuid.UUID | None = None
    status: str | None = None
    cancel_reason: str | None = None
    procedure_type: str | None = None
    notes: str | None = None
    reason: str | None = None
    notify_client: bool = True  # False: the client is not told of this change on WhatsApp

    @property
    def moves(self) -> bool:
        return self.start_at is not None or self.end_at is not None or self.doctor_id is not None


def edit(
    *,
    tenant_id: uuid.UUID,
    actor: Actor,
    appointment_id: uuid.UUID,
    change: AppointmentChange,
    expected_version: int | None,
) -> Appointment:
    """Applies one edit in its own unit of work: the one call of the API's PATCH and
    DELETE and of the portal's confirm, cancel, complete, no-show and reschedule.

    A move goes to `reschedule`, a status to `change_status` (cancelling
    included), otherwise notes and reason to `update_notes`.

    Raises:
        ValidationFailed: a move together with a status, a move without
            `start_at`, an unknown status, or nothing to change.
        NotFound: no such appointment in this clinic.
    """
    if change.moves and change.status is not None:
        raise ValidationFailed("reschedule and status change are separate requests", field="status")
    with session_scope(write=True) as session:
        tenant = clinic_to_read(session, tenant_id)
        if change.moves:
            if change.start_at is None:
                _refuse_unknown(session, tenant, appointment_id)
                raise ValidationFailed("give startAt to reschedule", field="startAt")
            return reschedule(
                session,
                tenant=tenant,
                actor=actor,
                appointment_id=appointment_id,
                start_at=change.start_at,
                end_at=change.end_at,
                doctor_id=change.doctor_id,
                expected_version=expected_version,
                notify_client=change.notify_client,
            )
        if change.status is not None:
            return change_status(
                session,
                tenant=tenant,
                actor=actor,
                appointment_id=appointment_id,
                status=parse_status(change.status),
                expected_version=expected_version,
                reason=change.cancel_reason,
                procedure_type=change.procedure_type,
            )
        if change.notes is not None or change.reason is not None:
            return update_notes(
                session,
                tenant=tenant,
                actor=actor,
                appointment_id=appointment_id,
                notes=change.notes,
                reason=change.reason,
                expected_version=expected_version,
            )
        _refuse_unknown(session, tenant, appointment_id)
        raise ValidationFailed("nothing to change", field=None)


def _refuse_unknown(session: Session, tenant: Tenant, appointment_id: uuid.UUID) -> None:
    """NotFound for an appointment that is not the clinic's: it answers before any
    complaint about the request itself."""
    get_for_update(session, tenant=tenant, appointment_id=appointment_id, expected_version=None)


def replace_notes(
    *,
    tenant_id: uuid.UUID,
    actor: Actor,
    appointment_id: uuid.UUID,
    notes: str | None,
    expected_version: int,
) -> Appointment:
    """Replaces an appointment's notes (None clears them) in its own unit of work."""
    with session_scope(write=True) as session:
        return update_notes(
            session,
            tenant=get_clinic(session, tenant_id),
            actor=actor,
            appointment_id=appointment_id,
            notes=notes,
            expected_version=expected_version,
        )


def _snapshot(appointment: Appointment) -> dict[str, Any]:
    return {name: _jsonable(getattr(appointment, name)) for name in AUDITED_FIELDS}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def appointment_payload(appointment: Appointment) -> dict[str, Any]:
    """The JSON form of an appointment used in events."""
    return {
        "id": str(appointment.id),
        "tenant_id": str(appointment.tenant_id),
        "version": appointment.version,
        "source": appointment.source,
        "conversation_id": _jsonable(appointment.conversation_id),
        **_snapshot(appointment),
    }


def _bound(prefix: str, keys: tuple[str, ...]) -> dict[str, sa.BindParameter[Any]]:
    return {key: sa.bindparam(f"{prefix}{key}") for key in keys}


def _prefixed(prefix: str, values: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}{key}": value for key, value in values.items()}


@functools.cache
def _statements(
    keys: tuple[str, ...], audit_keys: tuple[str, ...], event_keys: tuple[str, ...], new: bool
) -> tuple[Any, Any, Any]:
    """The three writes of `_save` for these columns, built once per shape so SQLAlchemy
    compiles each shape once; parameters are named `a_…` (appointment; `a_where_id` for an
    update), `l_…` (audit row) and `e_…` (outbox event)."""
    table = Appointment.__table__  # type: ignore[attr-defined]
    write: Any
    if new:
        write = sa.insert(table).values(_bound("a_", keys))
    else:
        write = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("a_where_id"))
            .values(_bound("a_", keys))
        )
    audit = sa.insert(AuditLog.__table__).values(_bound("l_", audit_keys))  # type: ignore[attr-defined]
    event = sa.insert(OutboxEvent.__table__).values(_bound("e_", event_keys))  # type: ignore[attr-defined]
    return write, audit, event


@functools.cache
def _as_one(statements: tuple[Any, Any, Any]) -> Any:
    """The three writes as one statement: the event's INSERT with the other two as
    data-modifying CTEs (PostgreSQL)."""
    write, audit, event = statements
    return event.add_cte(write.returning(write.table.c.id).cte("written")).add_cte(
        audit.returning(audit.table.c.id).cte("audited")
    )


def _save(
    session: Session,
    appointment: Appointment,
    *,
    new: bool,
    actor: Actor,
    action: str,
    event_type: str,
    before: dict[str, Any],
    notify_client: bool = True,
) -> None:
    """Writes the appointment (the new row, or its changed fields), its audit row and its
    outbox event: one statement on PostgreSQL (data-modifying CTEs), three on SQLite.

    The database's refusal of a conflict becomes `SlotTaken`. The instance stays the
    session's own, as if the ORM had written it.
    """
    after = _snapshot(appointment)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    state = sa.inspect(appointment)
    if new:
        session.flush()  # what the appointment refers to (a client or pet just added)
        values = {c.key: getattr(appointment, c.key) for c in state.mapper.column_attrs}
    else:
        values = {a.key: a.value for a in state.attrs if a.history.has_changes()}
    audit = {
        "tenant_id": appointment.tenant_id,
        "appointment_id": appointment.id,
        "action": action,
        "actor_type": actor.type,
        "actor_id": actor.id,
        "actor_label": actor.label,
        "at": utcnow(),
        "changes": changes,
    }
    event = events.event_row(
        tenant_id=appointment.tenant_id,
        type=event_type,
        aggregate_id=appointment.id,
        payload={
            "action": action,
            "appointment": appointment_payload(appointment),
            "changes": changes,
            "actor": {"type": actor.type, "id": actor.id, "label": actor.label},
            "notify_client": notify_client,
        },
    )
    keys = tuple(sorted(values))
    statements = _statements(keys, tuple(audit), tuple(event), new)
    params = (
        _prefixed("a_", values) | ({} if new else {"a_where_id": appointment.id}),
        _prefixed("l_", audit),
        _prefixed("e_", event),
    )
    if is_postgres(session.get_bind()):  # type: ignore[arg-type]
        writes = [(_as_one(statements), params[0] | params[1] | params[2])]
    else:
        writes = list(zip(statements, params, strict=True))
    with session.no_autoflush:
        _execute_or_slot_taken(session, writes)
    events.relay_after_commit(session)
    if new:
        make_transient_to_detached(appointment)
        session.add(appointment)
    else:
        for key, value in values.items():
            set_committed_value(appointment, key, value)


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise ValidationFailed("the time needs a time zone offset (e.g. Z or -05:00)", field=field)
    return value.astimezone(UTC)


BLOCKED_OVERLAP = "ex_appointment_blocked_no_overlap"  # constraint (PG) and trigger (SQLite)
DEADLOCK_DETECTED = "40P01"


def _execute_or_slot_taken(session: Session, writes: list[tuple[Any, dict[str, Any]]]) -> None:
    """Runs the writes; the database's refusal of a conflict becomes `SlotTaken`.

    Two transactions inserting conflicting rows at the same instant can each
    wait for the other in the exclusion check; PostgreSQL then aborts one of
    them as a deadlock, which is the same conflict seen from the other side.
    """
    try:
        for statement, params in writes:
            session.execute(statement, params)
    except DBAPIError as exc:
        if BLOCKED_OVERLAP in str(exc.orig) or _sqlstate(exc) == DEADLOCK_DETECTED:
            raise SlotTaken("the slot is already taken", field="startAt") from None
        raise


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def _blocked_end(end_at: datetime, rules: ScheduleRules) -> datetime:
    """The end of the time an appointment blocks: its end plus its buffer."""
    return end_at + timedelta(minutes=rules.buffer_minutes)


def _check_slot(
    session: Session,
    schedule: DoctorSchedule,
    rules: ScheduleRules,
    *,
    start_at: datetime,
    end_at: datetime,
    priority: str,
    now: datetime,
    ignore_id: uuid.UUID | None = None,
) -> None:
    """Schedule rules and neighbours (with the buffer) for normal appointments;
    for emergencies only the past and the horizon (`fits_emergency`).

    A neighbour is a live normal appointment closer than the buffer of `rules`
    (the doctor's, or the service's when longer) on either side, or one whose stored blocked range reaches into the
    new one (booked when the buffer was longer). So everything the database
    would refuse is refused here first, and a free slot (`free_slots`, which
    reads the same two rules) is accepted.

    Time off, Google Calendar busy blocks (code "doctor_busy") and neighbouring
    appointments come back in one round trip; the neighbour range is bounded on
    `start_at` so the index range stays small.
    """
    if priority == Priority.EMERGENCY:
        _refuse(fits_emergency(rules, start_at, now=now))
        return
    buffer = timedelta(minutes=rules.buffer_minutes)
    rows = session.execute(
        _neighbours_and_time_off(ignore_id is not None),
        {
            "doctor_id": schedule.doctor_id,
            "start_at": start_at,
            "end_at": end_at,
            "reach": end_at + buffer,
            "earliest_start": start_at - MAX_APPOINTMENT_LENGTH - WINDOW_PADDING,
            "earliest_end": start_at - buffer,
            "ignore_id": ignore_id,
        },
    ).all()
    blocked = [Interval(as_utc(s), as_utc(e)) for s, e, kind in rows if kind == 1]
    _refuse(fits_schedule(rules, start_at, end_at, blocked=blocked, now=now))
    closures.refuse_if_closed(session, schedule.tenant_id, start_at, end_at)
    if any(kind == 2 for _, _, kind in rows):
        raise SlotTaken(DOCTOR_BUSY_MESSAGE, field="startAt", code="doctor_busy")
    if any(kind == 0 for _, _, kind in rows):
        raise SlotTaken("the slot is already taken", field="startAt")


@functools.cache
def _neighbours_and_time_off(ignoring_one: bool) -> Any:
    """`_check_slot`'s read, built once (its values are parameters): live normal
    appointments near the new one (`ignore_id` left out when `ignoring_one`), the
    doctor's time off over it and their Google Calendar busy blocks over it (stored
    by the poll: no Google call on the booking path), each row tagged 0, 1 or 2."""
    neighbours = select(Appointment.start_at, Appointment.end_at, literal(0).label("kind")).where(
        Appointment.doctor_id == sa.bindparam("doctor_id"),
        Appointment.status != Status.CANCELLED,
        Appointment.priority == Priority.NORMAL,
        Appointment.start_at < sa.bindparam("reach"),
        Appointment.start_at > sa.bindparam("earliest_start"),
        or_(
            col(Appointment.end_at) > sa.bindparam("earliest_end"),
            col(Appointment.blocked_end) > sa.bindparam("start_at"),
        ),
    )
    if ignoring_one:
        neighbours = neighbours.where(Appointment.id != sa.bindparam("ignore_id"))
    time_off = select(TimeOff.start_at, TimeOff.end_at, literal(1).label("kind")).where(
        TimeOff.doctor_id == sa.bindparam("doctor_id"),
        TimeOff.start_at < sa.bindparam("end_at"),
        TimeOff.end_at > sa.bindparam("start_at"),
    )
    google_busy = select(
        CalendarBusyBlock.start_at, CalendarBusyBlock.end_at, literal(2).label("kind")
    ).where(
        CalendarBusyBlock.doctor_id == sa.bindparam("doctor_id"),
        CalendarBusyBlock.start_at < sa.bindparam("end_at"),
        CalendarBusyBlock.end_at > sa.bindparam("start_at"),
    )
    return union_all(neighbours, time_off, google_busy)


def _refuse(problem: str | None) -> None:
    if problem is not None:
        raise ValidationFailed(
            SCHEDULE_MESSAGES.get(problem, problem), field="startAt", code=problem
        )


DOCTOR_CACHE_SECONDS = 5.0
"""How long a process may book against a doctor's schedule read earlier (as the clinic's
settings, `clinic_directory.CLINIC_CACHE_SECONDS`)."""
_doctors: RowCache[tuple[StaffUser, DoctorSchedule | None] | None] = RowCache(
    tables=frozenset({"staff_user", "doctor_schedule"}), ttl_s=DOCTOR_CACHE_SECONDS
)


def _doctor_and_schedule(
    session: Session, tenant_id: uuid.UUID, doctor_id: uuid.UUID
) -> tuple[StaffUser, DoctorSchedule | None] | None:
    """The clinic's doctor with its schedule (None when it has none), from this process's
    cache; None when no such doctor. Shared between threads: read, never change."""

    def read(apart: Session) -> tuple[StaffUser, DoctorSchedule | None] | None:
        row = apart.exec(  # type: ignore[call-overload]
            select(StaffUser, DoctorSchedule)
            .outerjoin(DoctorSchedule, col(DoctorSchedule.doctor_id) == StaffUser.id)
            .where(
                col(StaffUser.id) == doctor_id,
                StaffUser.tenant_id == tenant_id,
                StaffUser.role == "doctor",
            )
        ).first()
        return None if row is None else (row[0], row[1])

    return _doctors.get((tenant_id, doctor_id), lambda: read_apart(session, read))


_PARTIES: Any = (
    sa.select(col(Client.id), col(Pet.id).label("pet_id"), col(Pet.client_id))
    .outerjoin(
        Pet,
        sa.and_(col(Pet.id) == sa.bindparam("pet_id"), col(Pet.tenant_id) == Client.tenant_id),
    )
    .where(
        col(Client.id) == sa.bindparam("client_id"),
        col(Client.tenant_id) == sa.bindparam("tenant_id"),
    )
)


@dataclass(frozen=True)
class _Parties:
    doctor: StaffUser
    schedule: DoctorSchedule | None
    client_id: uuid.UUID | None  # None: not the clinic's client
    pet_client_id: uuid.UUID | None  # the owner of the pet asked for; None: not the clinic's pet


def _parties(session: Session, tenant_id: uuid.UUID, data: NewAppointment) -> _Parties:
    """The doctor with its schedule (cached), then the client and the pet in one round
    trip."""
    doctor = _doctor_and_schedule(session, tenant_id, data.doctor_id)
    if doctor is None:
        raise NotFound("doctor not found", field="doctorId")
    row = session.execute(
        _PARTIES, {"client_id": data.client_id, "pet_id": data.pet_id, "tenant_id": tenant_id}
    ).first()
    return _Parties(
        doctor=doctor[0],
        schedule=doctor[1],
        client_id=None if row is None else row[0],
        pet_client_id=None if row is None or row[1] is None else row[2],
    )


def create(session: Session, *, tenant: Tenant, actor: Actor, data: NewAppointment) -> Appointment:
    """Books an appointment after checking every rule; raises on any violation."""
    now = utcnow()
    for enum_type, value, field in (
        (Priority, data.priority, "priority"),
        (Source, data.source, "source"),
    ):
        if value not in {e.value for e in enum_type}:
            raise ValidationFailed(f"unknown {field} '{value}'", field=field)
    if data.status not in (Status.PENDING, Status.CONFIRMED):
        raise ValidationFailed("a new appointment is pending or confirmed", field="status")
    if data.procedure_type is not None and data.procedure_type not in {
        p.value for p in ProcedureType
    }:
        raise ValidationFailed(
            f"unknown procedure type '{data.procedure_type}'", field="procedureType"
        )
    if data.client_id is None:
        raise ValidationFailed("give clientId or client", field="clientId")
    parties = _parties(session, tenant.id, data)
    doctor, schedule, client_id = parties.doctor, parties.schedule, parties.client_id
    if not doctor.is_active:
        raise ValidationFailed("the doctor does not take appointments", field="doctorId")
    if client_id is None:
        raise NotFound("client not found", field="clientId")
    if data.pet_id is not None:
        if parties.pet_client_id is None:
            raise NotFound("pet not found", field="petId")
        if parties.pet_client_id != client_id:
            raise ValidationFailed("the pet does not belong to the client", field="petId")
    if schedule is None:
        raise ValidationFailed("the doctor has no schedule", field="doctorId")
    service = _service_for(session, tenant.id, data.service_id, doctor.id)
    rules = rules_for(schedule, tenant, service)
    start_at = _aware(data.start_at, "startAt")
    end_at = (
        _aware(data.end_at, "endAt")
        if data.end_at
        else start_at + timedelta(minutes=rules.visit_minutes)
    )
    if end_at <= start_at:
        raise ValidationFailed("the end must be after the start", field="endAt")
    if end_at - start_at > MAX_APPOINTMENT_LENGTH:
        raise ValidationFailed("an appointment lasts at most 8 hours", field="endAt")
    _check_slot(
        session,
        schedule,
        rules,
        start_at=start_at,
        end_at=end_at,
        priority=data.priority,
        now=now,
    )
    appointment = Appointment(
        tenant_id=tenant.id,
        doctor_id=doctor.id,
        client_id=client_id,
        pet_id=data.pet_id,
        start_at=start_at,
        end_at=end_at,
        blocked_end=_blocked_end(end_at, rules),
        reason=(data.reason or None) and data.reason[:500],
        notes=data.notes,
        status=data.status,
        priority=data.priority,
        source=data.source,
        conversation_id=data.conversation_id,
        emergency_id=data.emergency_id,
        procedure_type=data.procedure_type,
        service_id=service.id if service else None,
        created_by=actor.display,
        created_at=now,
        updated_at=now,
    )
    _save(
        session,
        appointment,
        new=True,
        actor=actor,
        action="create",
        event_type=events.APPOINTMENT_CREATED,
        before={},
    )
    return appointment


def _service_for(
    session: Session, tenant_id: uuid.UUID, service_id: uuid.UUID | None, doctor_id: uuid.UUID
) -> BookableService | None:
    """The service asked for (refused when the doctor does not offer it), else the
    clinic's default when the doctor offers it, else none (the doctor's slot length)."""
    service = services_catalog.service_for_booking(session, tenant_id, service_id)
    if service is None or service.offered_by(doctor_id):
        return service
    if service_id is None:
        return None
    raise ValidationFailed(
        "the doctor does not offer this service", field="serviceId", code="service_not_offered"
    )


def _kept_service(
    session: Session, tenant_id: uuid.UUID, service_id: uuid.UUID | None, doctor_id: uuid.UUID
) -> BookableService | None:
    """The service of an appointment being moved, if still active; refused when the new
    doctor does not offer it."""
    if service_id is None:
        return None
    services = services_catalog.bookable_services(session, tenant_id)
    service = next((s for s in services if s.id == service_id), None)
    if service is not None and not service.offered_by(doctor_id):
        raise ValidationFailed(
            "the doctor does not offer this service", field="doctorId", code="service_not_offered"
        )
    return service


def get_for_update(
    session: Session, *, tenant: Tenant, appointment_id: uuid.UUID, expected_version: int | None
) -> Appointment:
    """Locks the row (PostgreSQL) and checks the caller saw the current version."""
    appointment = session.exec(
        select(Appointment)
        .where(Appointment.id == appointment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if appointment is None or appointment.tenant_id != tenant.id:
        raise NotFound("appointment not found")
    if expected_version is not None and expected_version != appointment.version:
        raise StaleVersion(
            f"the appointment changed (version {appointment.version}, you sent {expected_version})",
            field="version",
        )
    return appointment


def _clear_calendar_review(appointment: Appointment) -> None:
    """A move or the end of an appointment settles a change made in Google that waited for a
    person: the outbound sync then writes our state over Google's."""
    if appointment.calendar_review_reason is not None:
        appointment.calendar_review_reason = None
        appointment.calendar_review_at = None
        appointment.calendar_review_start = None
        appointment.calendar_review_end = None


def _touch(appointment: Appointment) -> None:
    appointment.version += 1
    appointment.updated_at = utcnow()


def reschedule(
    session: Session,
    *,
    tenant: Tenant,
    actor: Actor,
    appointment_id: uuid.UUID,
    start_at: datetime,
    end_at: datetime | None = None,
    doctor_id: uuid.UUID | None = None,
    expected_version: int | None,
    notify_client: bool = True,
) -> Appointment:
    """Moves an appointment (optionally to another doctor), keeping its length by default.

    `notify_client` False marks the event so the client's WhatsApp notice of this move
    is not sent (the clinic already told them, or will).
    """
    appointment = get_for_update(
        session, tenant=tenant, appointment_id=appointment_id, expected_version=expected_version
    )
    check_reschedulable(appointment.status)
    before = _snapshot(appointment)
    new_doctor = _doctor_and_schedule(session, tenant.id, doctor_id) if doctor_id else None
    if doctor_id and new_doctor is None:
        raise NotFound("doctor not found", field="doctorId")
    start_at = _aware(start_at, "startAt")
    end_at = (
        _aware(end_at, "endAt")
        if end_at
        else start_at + (appointment.end_at - appointment.start_at)
    )
    if end_at <= start_at:
        raise ValidationFailed("the end must be after the start", field="endAt")
    if end_at - start_at > MAX_APPOINTMENT_LENGTH:
        raise ValidationFailed("an appointment lasts at most 8 hours", field="endAt")
    target = new_doctor or _doctor_and_schedule(session, tenant.id, appointment.doctor_id)
    schedule = target[1] if target else None
    if schedule is None:
        raise ValidationFailed("the doctor has no schedule", field="doctorId")
    target_doctor = schedule.doctor_id
    service = _kept_service(session, tenant.id, appointment.service_id, target_doctor)
    rules = rules_for(schedule, tenant, service)
    _check_slot(
        session,
        schedule,
        rules,
        start_at=start_at,
        end_at=end_at,
        priority=appointment.priority,
        now=utcnow(),
        ignore_id=appointment.id,
    )
    appointment.doctor_id = target_doctor
    appointment.start_at = start_at
    appointment.end_at = end_at
    appointment.blocked_end = _blocked_end(end_at, rules)
    _clear_calendar_review(appointment)
    _touch(appointment)
    _save(
        session,
        appointment,
        new=False,
        actor=actor,
        action="reschedule",
        event_type=events.APPOINTMENT_UPDATED,
        before=before,
        notify_client=notify_client,
    )
    return appointment


def change_status(
    session: Session,
    *,
    tenant: Tenant,
    actor: Actor,
    appointment_id: uuid.UUID,
    status: Status,
    expected_version: int | None,
    reason: str | None = None,
    procedure_type: str | None = None,
    notify_client: bool = True,
) -> Appointment:
    """Confirm, cancel, complete (optionally with a procedure type) or mark no-show.

    `notify_client` False marks the event so the client is not told on WhatsApp
    (the chat that made the change already answered).
    """
    appointment = get_for_update(
        session, tenant=tenant, appointment_id=appointment_id, expected_version=expected_version
    )
    check_transition(appointment.status, status)
    check_started(status, appointment.start_at, utcnow())
    if procedure_type is not None:
        if status != Status.COMPLETED:
            raise ValidationFailed("a procedure type goes with completing", field="procedureType")
        if procedure_type not in {p.value for p in ProcedureType}:
            raise ValidationFailed(
                f"unknown procedure type '{procedure_type}'", field="procedureType"
            )
    before = _snapshot(appointment)
    appointment.status = status
    if status == Status.CANCELLED:
        appointment.cancel_reason = (reason or None) and reason[:500]
    if procedure_type is not None:
        appointment.procedure_type = procedure_type
    if status in (Status.CANCELLED, Status.COMPLETED, Status.NO_SHOW):
        _clear_calendar_review(appointment)
    _touch(appointment)
    event_type = (
        events.APPOINTMENT_CANCELLED if status == Status.CANCELLED else events.APPOINTMENT_UPDATED
    )
    action = {
        Status.CONFIRMED: "confirm",
        Status.CANCELLED: "cancel",
        Status.COMPLETED: "complete",
        Status.NO_SHOW: "no_show",
    }[status]
    _save(
        session,
        appointment,
        new=False,
        actor=actor,
        action=action,
        event_type=event_type,
        before=before,
        notify_client=notify_client,
    )
    return appointment


def undo_status(
    *,
    tenant_id: uuid.UUID,
    actor: Actor,
    appointment_id: uuid.UUID,
    expected_version: int | None,
) -> Appointment:
    """Takes back the appointment's last change when it was a completion or a no-show
    made within 24 hours, in its own unit of work: the status (and procedure type) go
    back to what the audit row recorded, audited in turn as `undo_status`.

    Raises:
        NothingToUndo: the last change was something else, is older, or was undone.
        StaleVersion: the appointment changed since the caller saw it.
    """
    with session_scope(write=True) as session:
        tenant = clinic_to_read(session, tenant_id)
        appointment = get_for_update(
            session, tenant=tenant, appointment_id=appointment_id, expected_version=expected_version
        )
        last = session.exec(
            select(AuditLog)
            .where(AuditLog.tenant_id == tenant.id, AuditLog.appointment_id == appointment.id)
            .order_by(col(AuditLog.id).desc())
        ).first()
        if last is None:
            raise NothingToUndo("nothing to undo", field="status")
        check_undoable(last.action, last.at, utcnow())
        previous, current = last.changes.get("status", [None, None])
        if previous is None or current != appointment.status:
            raise NothingToUndo("nothing to undo", field="status")
        before = _snapshot(appointment)
        appointment.status = previous
        if "procedure_type" in last.changes:
            appointment.procedure_type = last.changes["procedure_type"][0]
        _touch(appointment)
        _save(
            session,
            appointment,
            new=False,
            actor=actor,
            action="undo_status",
            event_type=events.APPOINTMENT_UPDATED,
            before=before,
        )
        return appointment


def reassign_client(
    session: Session,
    *,
    tenant: Tenant,
    actor: Actor,
    from_client_id: uuid.UUID,
    to_client_id: uuid.UUID,
) -> int:
    """Moves every appointment of one client to another (merging duplicates), each one
    locked, versioned and audited as `merge_client`; returns how many moved."""
    moving = session.exec(
        select(Appointment)
        .where(Appointment.tenant_id == tenant.id, Appointment.client_id == from_client_id)
        .order_by(col(Appointment.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for appointment in moving:
        before = _snapshot(appointment)
        appointment.client_id = to_client_id
        _touch(appointment)
        _save(
            session,
            appointment,
            new=False,
            actor=actor,
            action="merge_client",
            event_type=events.APPOINTMENT_UPDATED,
            before=before,
        )
    return len(moving)


def confirm(session: Session, **kwargs: Any) -> Appointment:
    return change_status(session, status=Status.CONFIRMED, **kwargs)


def cancel(session: Session, **kwargs: Any) -> Appointment:
    return change_status(session, status=Status.CANCELLED, **kwargs)


def complete(session: Session, **kwargs: Any) -> Appointment:
    return change_status(session, status=Status.COMPLETED, **kwargs)


def mark_no_show(session: Session, **kwargs: Any) -> Appointment:
    return change_status(session, status=Status.NO_SHOW, **kwargs)


def update_notes(
    session: Session,
    *,
    tenant: Tenant,
    actor: Actor,
    appointment_id: uuid.UUID,
    notes: str | None,
    reason: str | None = None,
    expected_version: int | None,
) -> Appointment:
    appointment = get_for_update(
        session, tenant=tenant, appointment_id=appointment_id, expected_version=expected_version
    )
    before = _snapshot(appointment)
    appointment.notes = notes
    if reason is not None:
        appointment.reason = reason[:500]
    _touch(appointment)
    _save(
        session,
        appointment,
        new=False,
        actor=actor,
        action="edit",
        event_type=events.APPOINTMENT_UPDATED,
        before=before,
    )
    return appointment
