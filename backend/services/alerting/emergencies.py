"""The clinic's emergency board: list, read, acknowledge, resolve.

Statuses: active → acknowledged → resolved | false_alarm (active may go
straight to either end). Resolving completes the client's escalated
conversation; a false alarm also goes on the client's record, which
restricts their emergency access by chat (spec §5.2).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, func, select

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.domain.conversation_states import State, check_transition, timeout_for
from backend.domain.errors import IllegalTransition, NotFound, ValidationFailed
from backend.models import Client, Conversation, EmergencyEvent, Tenant
from backend.services.clinics.clinic_directory import get_clinic

STATUSES = ("active", "acknowledged", "resolved", "false_alarm")
OUTCOMES = ("resolved", "false_alarm")
OPEN = ("active", "acknowledged")


def list_emergencies(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[EmergencyEvent], int]:
    """Active first, then acknowledged, then closed ones; newest first within each."""
    query = select(EmergencyEvent).where(EmergencyEvent.tenant_id == tenant_id)
    if status:
        wanted = [s.strip() for s in status.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in STATUSES]
        if unknown:
            raise ValidationFailed(
                f"unknown status '{unknown[0]}' (allowed: {', '.join(STATUSES)})", field="status"
            )
        query = query.where(col(EmergencyEvent.status).in_(wanted))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rank = sa.case(
        (col(EmergencyEvent.status) == "active", 0),
        (col(EmergencyEvent.status) == "acknowledged", 1),
        else_=2,
    )
    rows = session.exec(
        query.order_by(rank, col(EmergencyEvent.created_at).desc()).offset(offset).limit(limit)
    ).all()
    return list(rows), int(total)


def get_emergency(
    session: Session, tenant_id: uuid.UUID, emergency_id: uuid.UUID, *, lock: bool = False
) -> EmergencyEvent:
    query = select(EmergencyEvent).where(EmergencyEvent.id == emergency_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    event = session.exec(query).first()
    if event is None or event.tenant_id != tenant_id:
        raise NotFound("emergency not found")
    return event


def acknowledge(
    session: Session, *, tenant: Tenant, emergency_id: uuid.UUID, by: str
) -> EmergencyEvent:
    """Someone at the clinic has seen it (a second acknowledgement changes nothing)."""
    event = get_emergency(session, tenant.id, emergency_id, lock=True)
    if event.status == "acknowledged":
        return event
    if event.status != "active":
        raise IllegalTransition(
            f"an emergency that is {event.status} cannot be acknowledged", field="status"
        )
    event.status = "acknowledged"
    event.acknowledged_at = utcnow()
    event.acknowledged_by = by[:200]
    session.add(event)
    session.flush()
    return event


def resolve(
    session: Session,
    *,
    tenant: Tenant,
    emergency_id: uuid.UUID,
    outcome: str,
    by: str,
    notes: str | None = None,
) -> EmergencyEvent:
    """Closes the emergency as resolved or false alarm, with notes."""
    if outcome not in OUTCOMES:
        raise ValidationFailed(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
    event = get_emergency(session, tenant.id, emergency_id, lock=True)
    if event.status not in OPEN:
        raise IllegalTransition(f"the emergency is already {event.status}", field="status")
    now = utcnow()
    event.status = outcome
    event.resolved_at = now
    event.resolved_by = by[:200]
    if notes is not None:
        event.notes = notes[:2000]
    session.add(event)
    if outcome == "false_alarm" and event.client_id:
        client = session.get(Client, event.client_id)
        if client is not None:
            client.false_emergency_count += 1
            session.add(client)
    if event.conversation_id:
        _complete_conversation(session, event.conversation_id, now)
    session.flush()
    return event


def search_emergencies(
    *, tenant_id: uuid.UUID, status: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[EmergencyEvent], int]:
    """The board (`list_emergencies`) in its own read-only unit of work."""
    with session_scope(read_only=True) as session:
        return list_emergencies(session, tenant_id, status=status, limit=limit, offset=offset)


def read_emergency(*, tenant_id: uuid.UUID, emergency_id: uuid.UUID) -> EmergencyEvent:
    """One emergency of the clinic, in its own read-only unit of work."""
    with session_scope(read_only=True) as session:
        return get_emergency(session, tenant_id, emergency_id)


def acknowledge_emergency(
    *, tenant_id: uuid.UUID, emergency_id: uuid.UUID, by: str
) -> EmergencyEvent:
    """`acknowledge` in its own unit of work (the API's and the board's one call)."""
    with session_scope(write=True) as session:
        return acknowledge(
            session, tenant=get_clinic(session, tenant_id), emergency_id=emergency_id, by=by
        )


def resolve_emergency(
    *,
    tenant_id: uuid.UUID,
    emergency_id: uuid.UUID,
    outcome: str,
    by: str,
    notes: str | None = None,
) -> EmergencyEvent:
    """`resolve` (resolved or false alarm) in its own unit of work (the API's and the board's one call)."""
    with session_scope(write=True) as session:
        return resolve(
            session,
            tenant=get_clinic(session, tenant_id),
            emergency_id=emergency_id,
            outcome=outcome,
            by=by,
            notes=notes,
        )


def _complete_conversation(session: Session, conversation_id: uuid.UUID, now) -> None:  # type: ignore[no-untyped-def]
    conversation = session.exec(
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if (
        conversation is None
        or not conversation.is_open
        or conversation.state != State.ESCALATE.value
    ):
        return
    check_transition(conversation.state, State.COMPLETED.value)
    conversation.state = State.COMPLETED.value
    conversation.last_state_change = now
    data = dict(conversation.state_data or {})
    data["quiet"] = True
    conversation.state_data = data
    flag_modified(conversation, "state_data")
    timeout = timeout_for(State.COMPLETED.value)
    conversation.timeout_at = now + (timeout[0] if timeout else timedelta(minutes=30))
    session.add(conversation)


# ------------------------------------------------- the portal's board, whole operations


@dataclass(frozen=True)
class BoardItem:
    """One emergency as the board shows it, with the client's name resolved."""

    id: uuid.UUID
    status: str
    client_id: uuid.UUID | None
    client_name: str
    client_phone: str
    pet_name: str | None
    pet_species: str | None
    description: str
    keywords: list[str]
    category: str | None
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    notes: str | None
    conversation_id: uuid.UUID | None
    appointment_id: uuid.UUID | None


def board(tenant_id: uuid.UUID, *, closed_limit: int = 30) -> list[BoardItem]:
    """Open emergencies (active first, newest first), then the latest closed ones."""
    with session_scope(read_only=True) as session:
        open_rows, _ = list_emergencies(session, tenant_id, status=",".join(OPEN), limit=200)
        closed_rows, _ = list_emergencies(
            session, tenant_id, status=",".join(OUTCOMES), limit=closed_limit
        )
        rows = open_rows + closed_rows
        client_ids = list({e.client_id for e in rows if e.client_id})
        names = {
            client_id: name or ""
            for client_id, name in session.exec(
                select(Client.id, Client.name).where(
                    Client.tenant_id == tenant_id, col(Client.id).in_(client_ids)
                )
            )
        }
    return [
        BoardItem(
            id=e.id,
            status=e.status,
            client_id=e.client_id,
            client_name=names.get(e.client_id, "") if e.client_id else "",
            client_phone=e.client_phone,
            pet_name=e.pet_name,
            pet_species=e.pet_species,
            description=e.description,
            keywords=list(e.keywords or []),
            category=e.category,
            created_at=e.created_at,
            acknowledged_at=e.acknowledged_at,
            acknowledged_by=e.acknowledged_by,
            resolved_at=e.resolved_at,
            resolved_by=e.resolved_by,
            notes=e.notes,
            conversation_id=e.conversation_id,
            appointment_id=e.appointment_id,
        )
        for e in rows
    ]
