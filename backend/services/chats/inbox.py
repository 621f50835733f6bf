"""The inbox's list: filters, keyset pages, per-person "sin leer", and assignment.

A clinic keeps years of conversations, so the list never counts rows to skip:
each page starts after the (last_message_at, id) of the previous page's last
row, through an index on exactly that order (migration 0014). The filters of
the open conversations (sin leer, emergencias, tomadas por el equipo) walk a
partial index of the open ones only, "mías" an index of the assigned ones.

"Sin leer" is per staff member: a conversation is unread for someone when it
is open and the client wrote after that person last opened it
(`conversation_read`). Closed conversations are finished work; they count
under "Cerradas", not as unread.

Counts stop at `COUNT_CAP` + 1 (the badge shows "999+"), so a badge costs at
most that many index entries however large the history.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from backend.core.clock import utcnow
from backend.core.db import is_postgres, session_scope
from backend.domain.conversation_states import EMERGENCY_STATES
from backend.domain.errors import NotFound, ValidationFailed
from backend.models import (
    Client,
    Conversation,
    ConversationAssignment,
    ConversationRead,
    StaffUser,
)
from backend.models.types import UTCDateTime

FILTERS = ("todas", "sin_leer", "mias", "emergencias", "equipo", "cerradas")
"""The inbox's filters, in the order the portal shows them."""
COUNT_CAP = 999
PAGE_SIZE = 50
MAX_PAGE = 200


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: just after this row in newest-first order."""

    last_message_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        return f"{self.last_message_at.isoformat()}|{self.id}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """The cursor a previous page handed out; ValidationFailed for anything else."""
        try:
            moment, key = text.split("|")
            at = datetime.fromisoformat(moment)
            if at.tzinfo is None:
                raise ValueError("naive")
            return cls(at, uuid.UUID(key))
        except ValueError as exc:
            raise ValidationFailed("not a page cursor", field="cursor") from exc


def _unread_condition(user_id: uuid.UUID) -> sa.ColumnElement[bool]:
    seen = (
        select(sa.literal(1))
        .where(
            ConversationRead.staff_user_id == user_id,
            ConversationRead.conversation_id == Conversation.id,
            col(ConversationRead.last_read_at) >= Conversation.last_inbound_at,
        )
        .exists()
    )
    return sa.and_(col(Conversation.is_open), col(Conversation.last_inbound_at).is_not(None), ~seen)


def filter_condition(name: str, user_id: uuid.UUID) -> list[Any]:
    """The WHERE terms of one filter (after the clinic's own); ValidationFailed if unknown."""
    if name == "todas":
        return []
    if name == "sin_leer":
        return [_unread_condition(user_id)]
    if name == "mias":
        return [col(Conversation.assigned_to).is_not(None), Conversation.assigned_to == user_id]
    if name == "emergencias":
        states = sorted(s.value for s in EMERGENCY_STATES)
        return [col(Conversation.is_open), col(Conversation.state).in_(states)]
    if name == "equipo":
        return [col(Conversation.is_open), col(Conversation.taken_over_at).is_not(None)]
    if name == "cerradas":
        return [~col(Conversation.is_open)]
    raise ValidationFailed(f"unknown inbox filter {name!r}", field="filter")


_NEWEST_FIRST = (col(Conversation.last_message_at).desc(), col(Conversation.id).desc())


@dataclass(frozen=True)
class PageRows:
    rows: list[tuple[Conversation, str | None]]
    next_cursor: str  # "" on the last page


def page(
    session: Session,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    filter: str = "todas",
    after: str = "",
    limit: int = PAGE_SIZE,
) -> PageRows:
    """One page of the clinic's conversations passing `filter`, newest activity first,
    starting after the cursor `after` ("" for the first page)."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(f"a page holds 1 to {MAX_PAGE} rows", field="limit")
    query = (
        select(Conversation, Client.name)
        .outerjoin(Client, col(Client.id) == Conversation.client_id)
        .where(Conversation.tenant_id == tenant_id, *filter_condition(filter, user_id))
    )
    if after:
        cursor = Cursor.decode(after)
        query = query.where(
            sa.tuple_(col(Conversation.last_message_at), col(Conversation.id))
            < sa.tuple_(
                sa.literal(cursor.last_message_at, type_=UTCDateTime()),
                sa.literal(cursor.id, type_=sa.Uuid()),
            )
        )
    found = list(session.exec(query.order_by(*_NEWEST_FIRST).limit(limit + 1)).all())  # type: ignore[call-overload]
    rows = [(conversation, name) for conversation, name in found[:limit]]
    last = rows[-1][0] if rows and len(found) > limit else None
    return PageRows(rows, Cursor(last.last_message_at, last.id).encode() if last else "")


def counts(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> dict[str, int]:
    """How many conversations each filter holds, each stopped at `COUNT_CAP` + 1."""
    result: dict[str, int] = {}
    for name in FILTERS:
        capped = (
            select(sa.literal(1))
            .select_from(Conversation)
            .where(Conversation.tenant_id == tenant_id, *filter_condition(name, user_id))
            .limit(COUNT_CAP + 1)
            .subquery()
        )
        result[name] = int(session.exec(select(func.count()).select_from(capped)).one())
    return result


def unread_among(
    session: Session, user_id: uuid.UUID, conversations: Iterable[Conversation]
) -> set[uuid.UUID]:
    """Which of these conversations are unread for the staff member (one query)."""
    waiting = {
        c.id: c.last_inbound_at
        for c in conversations
        if c.is_open and c.last_inbound_at is not None
    }
    if not waiting:
        return set()
    read = dict(
        session.exec(
            select(ConversationRead.conversation_id, ConversationRead.last_read_at).where(
                ConversationRead.staff_user_id == user_id,
                col(ConversationRead.conversation_id).in_(list(waiting)),
            )
        ).all()
    )
    return {
        key
        for key, wrote_at in waiting.items()
        if key not in read or (wrote_at is not None and read[key] < wrote_at)
    }


def mark_read(
    session: Session, *, user_id: uuid.UUID, conversation_id: uuid.UUID, at: datetime
) -> None:
    """Records that the staff member has read the conversation up to `at` (never back)."""
    table = ConversationRead.__table__  # type: ignore[attr-defined]
    values = {"staff_user_id": user_id, "conversation_id": conversation_id, "last_read_at": at}
    if is_postgres(session.get_bind()):  # type: ignore[arg-type]
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    statement = insert(table).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=["staff_user_id", "conversation_id"],
        set_={"last_read_at": statement.excluded.last_read_at},
        where=table.c.last_read_at < statement.excluded.last_read_at,
    )
    session.execute(statement)


def _staff_of(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None or user.tenant_id != tenant_id or not user.is_active:
        raise NotFound("staff user not found", field="staffUserId")
    return user


def assign(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    conversation_id: uuid.UUID,
    assignee_id: uuid.UUID | None,
    by_user_id: uuid.UUID | None,
) -> Conversation:
    """Assigns the conversation to a staff member of the clinic (None: to nobody) and
    records who did it; assigning it to whom it already has is not recorded again."""
    from backend.services.chats import lifecycle

    conversation = lifecycle.lock_by_id(session, conversation_id)
    if conversation is None or conversation.tenant_id != tenant_id:
        raise NotFound("conversation not found")
    if assignee_id is not None:
        _staff_of(session, tenant_id, assignee_id)
    if conversation.assigned_to == assignee_id:
        return conversation
    now = utcnow()
    conversation.assigned_to = assignee_id
    conversation.assigned_at = now if assignee_id is not None else None
    session.add(conversation)
    session.add(
        ConversationAssignment(
            tenant_id=tenant_id,
            conversation_id=conversation_id,
            assigned_to=assignee_id,
            assigned_by=by_user_id,
            at=now,
        )
    )
    session.flush()
    return conversation


def assignment_history(
    session: Session, tenant_id: uuid.UUID, conversation_id: uuid.UUID
) -> list[ConversationAssignment]:
    """The conversation's assignments, oldest first (the audit trail)."""
    return list(
        session.exec(
            select(ConversationAssignment)
            .where(
                ConversationAssignment.tenant_id == tenant_id,
                ConversationAssignment.conversation_id == conversation_id,
            )
            .order_by(col(ConversationAssignment.at), col(ConversationAssignment.id))
        )
    )


def staff_names(session: Session, tenant_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """The clinic's active staff by id, for "Asignada a …" and the assignment menu."""
    return dict(
        session.exec(
            select(StaffUser.id, StaffUser.full_name)
            .where(StaffUser.tenant_id == tenant_id, col(StaffUser.is_active))
            .order_by(col(StaffUser.full_name))
        ).all()
    )


# Units of work for the portal (it holds ids, never rows).


def assign_from_inbox(
    *,
    tenant_id: uuid.UUID,
    conversation_id: uuid.UUID,
    assignee_id: uuid.UUID | None,
    by_user_id: uuid.UUID,
) -> None:
    """`assign` in its own unit of work."""
    with session_scope(write=True) as session:
        assign(
            session,
            tenant_id=tenant_id,
            conversation_id=conversation_id,
            assignee_id=assignee_id,
            by_user_id=by_user_id,
        )


def mark_read_from_inbox(
    *, tenant_id: uuid.UUID, user_id: uuid.UUID, conversation_id: uuid.UUID
) -> bool:
    """Marks the conversation read for the staff member when the client wrote since they
    last read it; True when it was unread. Nothing is written otherwise."""
    with session_scope(read_only=True) as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None or conversation.tenant_id != tenant_id:
            raise NotFound("conversation not found")
        if not unread_among(session, user_id, [conversation]):
            return False
    with session_scope(write=True) as session:
        mark_read(session, user_id=user_id, conversation_id=conversation_id, at=utcnow())
    return True
