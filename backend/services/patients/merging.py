"""Merging duplicate clients: one person who wrote from two numbers.

Everything that points at the duplicate moves to the client kept, in one
transaction: appointments through `booking` (versioned and audited each), and
every other row with a foreign key to `client.id`, found from the tables
themselves so a table added later is moved too. The duplicate's numbers stay
as the kept client's other phones, so the assistant still knows a message from
them; the merge itself is recorded as a `client.merged` outbox event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from backend.core.db import session_scope
from backend.domain.errors import NotFound, ValidationFailed
from backend.models import Client, ClientPhone
from backend.services import events
from backend.services.actors import Actor
from backend.services.clinics.clinic_directory import get_clinic
from backend.services.scheduling import booking

MOVED_BY_BOOKING = frozenset({"appointment"})


@dataclass(frozen=True)
class MergeResult:
    kept_id: uuid.UUID
    appointments: int
    moved: dict[str, int]  # table → rows moved (besides appointments)


def _client_references() -> list[sa.Column[uuid.UUID]]:
    """Every column of every table holding a `client.id`."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "client" and fk.column.name == "id":
                found.append(fk.parent)
    return found


def _locked_pair(
    session: Session, tenant_id: uuid.UUID, keep_id: uuid.UUID, merge_id: uuid.UUID
) -> tuple[Client, Client]:
    """Both clients, row-locked in id order (two merges of the same pair cannot deadlock)."""
    rows = session.exec(
        select(Client)
        .where(Client.tenant_id == tenant_id, col(Client.id).in_([keep_id, merge_id]))
        .order_by(col(Client.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    by_id = {c.id: c for c in rows}
    if keep_id not in by_id or merge_id not in by_id:
        raise NotFound("client not found", field="clientId")
    return by_id[keep_id], by_id[merge_id]


def merge_clients(
    *, tenant_id: uuid.UUID, actor: Actor, keep_id: uuid.UUID, merge_id: uuid.UUID
) -> MergeResult:
    """Merges the client `merge_id` into `keep_id` and deletes it, in one transaction.

    The kept client gains the duplicate's pets, appointments, conversations,
    emergencies, follow-ups and phones; keeps its own name and email (taking
    the duplicate's where it has none); adds up false alarms.

    Raises:
        NotFound: either client is not the clinic's.
        ValidationFailed: a client merged with itself.
    """
    if keep_id == merge_id:
        raise ValidationFailed("a client cannot be merged with itself", field="mergeId")
    with session_scope(write=True) as session:
        tenant = get_clinic(session, tenant_id)
        keep, duplicate = _locked_pair(session, tenant.id, keep_id, merge_id)
        appointments = booking.reassign_client(
            session, tenant=tenant, actor=actor, from_client_id=duplicate.id, to_client_id=keep.id
        )
        moved: dict[str, int] = {}
        for column in _client_references():
            if column.table.name in MOVED_BY_BOOKING:
                continue
            result = session.execute(
                sa.update(column.table).where(column == duplicate.id).values({column.name: keep.id})
            )
            if result.rowcount:  # type: ignore[attr-defined]
                moved[column.table.name] = moved.get(column.table.name, 0) + result.rowcount  # type: ignore[attr-defined]
        keep.name = keep.name or duplicate.name
        keep.email = keep.email or duplicate.email
        keep.false_emergency_count += duplicate.false_emergency_count
        keep.emergency_access_revoked = (
            keep.emergency_access_revoked or duplicate.emergency_access_revoked
        )
        old_phone = duplicate.phone
        session.add(keep)
        session.delete(duplicate)
        session.flush()
        session.add(ClientPhone(tenant_id=tenant.id, client_id=keep.id, phone=old_phone))
        events.emit(
            session,
            tenant_id=tenant.id,
            type=events.CLIENT_MERGED,
            aggregate_id=keep.id,
            payload={
                "kept": str(keep.id),
                "merged": {"id": str(duplicate.id), "phone": old_phone, "name": duplicate.name},
                "appointments": appointments,
                "moved": moved,
                "actor": {"type": actor.type, "id": actor.id, "label": actor.label},
            },
        )
        session.flush()
        return MergeResult(kept_id=keep.id, appointments=appointments, moved=moved)
