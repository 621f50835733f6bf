"""Chat history and staff control of WhatsApp conversations.

Queries for the API and the portal (list with filters and accent-insensitive
word search, one conversation, its messages) and the staff side of the
engine: take a conversation over (the assistant stays silent), hand it back,
reply by hand.

Finding conversations (filters and word search) lives in `search`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.domain.conversation_states import timeout_for
from backend.domain.errors import Conflict, NotFound, ValidationFailed
from backend.domain.search_terms import Snippet, search_terms
from backend.models import Appointment, Client, Conversation, Message, StaffUser, Tenant
from backend.services.chats import inbox as inbox_list
from backend.services.chats import lifecycle, messaging, notes
from backend.services.chats.search import (
    ConversationPage,
    ConversationRow,
    MessageMatch,
    list_conversations,
)
from backend.services.clinics.clinic_directory import get_clinic


def is_taken_over(conversation: Conversation) -> bool:
    return conversation.taken_over_at is not None


def get_conversation(
    session: Session, tenant_id: uuid.UUID, conversation_id: uuid.UUID
) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.tenant_id != tenant_id:
        raise NotFound("conversation not found")
    return conversation


def client_of(session: Session, conversation: Conversation) -> Client | None:
    return session.get(Client, conversation.client_id) if conversation.client_id else None


def messages_of(
    session: Session,
    tenant_id: uuid.UUID,
    conversation_id: uuid.UUID,
    *,
    limit: int = 500,
    offset: int = 0,
) -> list[Message]:
    """The conversation's messages in the order they happened."""
    get_conversation(session, tenant_id, conversation_id)
    return list(
        session.exec(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(col(Message.created_at), col(Message.id))
            .offset(offset)
            .limit(limit)
        )
    )


def appointments_of(session: Session, conversation_id: uuid.UUID) -> list[Appointment]:
    return list(
        session.exec(
            select(Appointment)
            .where(Appointment.conversation_id == conversation_id)
            .order_by(col(Appointment.start_at))
        )
    )


def _locked(session: Session, tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> Conversation:
    conversation = lifecycle.lock_by_id(session, conversation_id)
    if conversation is None or conversation.tenant_id != tenant_id:
        raise NotFound("conversation not found")
    return conversation


def _staff(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID | None) -> uuid.UUID | None:
    if user_id is None:
        return None
    user = session.get(StaffUser, user_id)
    if user is None or user.tenant_id != tenant_id:
        raise NotFound("staff user not found", field="staffUserId")
    return user.id


def take_over(
    session: Session,
    *,
    tenant: Tenant,
    conversation_id: uuid.UUID,
    user_id: uuid.UUID | None = None,
) -> Conversation:
    """Staff answers from now on; the assistant stores incoming messages and stays silent."""
    conversation = _locked(session, tenant.id, conversation_id)
    if not conversation.is_open:
        raise Conflict("the conversation is closed", code="conversation_closed")
    lifecycle.hand_to_staff(
        session, conversation, now=utcnow(), staff_id=_staff(session, tenant.id, user_id)
    )
    session.flush()
    return conversation


def hand_back(session: Session, *, tenant: Tenant, conversation_id: uuid.UUID) -> Conversation:
    """The assistant answers again, from the state the conversation was left in.

    Its timeout is re-armed as "quiet": if the client says nothing more the
    conversation closes silently, without a "¿sigues ahí?" after staff talked.
    """
    conversation = _locked(session, tenant.id, conversation_id)
    conversation.taken_over_by = None
    conversation.taken_over_at = None
    if conversation.is_open:
        data = dict(conversation.state_data or {})
        data["quiet"] = True
        conversation.state_data = data
        flag_modified(conversation, "state_data")
        timeout = timeout_for(conversation.state)
        conversation.timeout_at = utcnow() + timeout[0] if timeout else None
    session.add(conversation)
    session.flush()
    return conversation


def staff_reply(
    session: Session,
    *,
    tenant: Tenant,
    conversation_id: uuid.UUID,
    body: str,
    user_id: uuid.UUID | None = None,
) -> list[Message]:
    """A message written by staff; takes the conversation over if it was not already."""
    if not body or not body.strip():
        raise ValidationFailed("the message is empty", field="body")
    conversation = take_over(
        session, tenant=tenant, conversation_id=conversation_id, user_id=user_id
    )
    return messaging.queue_text(
        session,
        tenant=tenant,
        to_phone=conversation.client_phone,
        body=body,
        conversation=conversation,
        author="staff",
        author_user_id=_staff(session, tenant.id, user_id),
    )


# Units of work for callers outside a transaction (the REST API). The import
# belongs in the block at the top; it waits here while that block is being edited.


@dataclass(frozen=True)
class ConversationRecord:
    """One conversation with its client's name and the appointments booked in it."""

    conversation: Conversation
    client_name: str | None
    appointment_ids: list[uuid.UUID]


def _record_of(session: Session, conversation: Conversation) -> ConversationRecord:
    client = client_of(session, conversation)
    return ConversationRecord(
        conversation=conversation,
        client_name=client.name if client else None,
        appointment_ids=[a.id for a in appointments_of(session, conversation.id)],
    )


def search_conversations(
    *,
    tenant: Tenant,
    phone: str | None = None,
    client_name: str | None = None,
    state: str | None = None,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ConversationPage:
    """`list_conversations` in its own read-only unit of work."""
    with session_scope(read_only=True) as session:
        return list_conversations(
            session,
            tenant,
            phone=phone,
            client_name=client_name,
            state=state,
            date_from=date_from,
            date_to=date_to,
            q=q,
            limit=limit,
            offset=offset,
        )


def read_conversation(*, tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> ConversationRecord:
    """One conversation of the clinic with its client and appointments (read-only unit)."""
    with session_scope(read_only=True) as session:
        return _record_of(session, get_conversation(session, tenant_id, conversation_id))


def read_messages(
    *, tenant_id: uuid.UUID, conversation_id: uuid.UUID, limit: int = 500, offset: int = 0
) -> list[Message]:
    """`messages_of` in its own read-only unit of work."""
    with session_scope(read_only=True) as session:
        return messages_of(session, tenant_id, conversation_id, limit=limit, offset=offset)


def take_over_conversation(
    *, tenant: Tenant, conversation_id: uuid.UUID, user_id: uuid.UUID | None = None
) -> ConversationRecord:
    """`take_over` in its own unit of work; returns the conversation as it now stands."""
    with session_scope(write=True) as session:
        conversation = take_over(
            session, tenant=tenant, conversation_id=conversation_id, user_id=user_id
        )
        return _record_of(session, conversation)


def hand_back_conversation(*, tenant: Tenant, conversation_id: uuid.UUID) -> ConversationRecord:
    """`hand_back` in its own unit of work; returns the conversation as it now stands."""
    with session_scope(write=True) as session:
        conversation = hand_back(session, tenant=tenant, conversation_id=conversation_id)
        return _record_of(session, conversation)


def reply_as_staff(
    *, tenant: Tenant, conversation_id: uuid.UUID, body: str, user_id: uuid.UUID | None = None
) -> list[Message]:
    """`staff_reply` in its own unit of work; the messages leave after the commit."""
    with session_scope(write=True) as session:
        return staff_reply(
            session, tenant=tenant, conversation_id=conversation_id, body=body, user_id=user_id
        )


# The portal's inbox: whole reads and changes for a clinic known by its id (the
# portal holds no rows). Appended here while the code above is being edited.


@dataclass(frozen=True)
class InboxItem:
    """One conversation as a list shows it."""

    id: uuid.UUID
    client_id: uuid.UUID | None
    client_phone: str
    client_name: str | None
    state: str
    preview: str
    started_at: datetime
    last_message_at: datetime
    taken_over: bool
    emergency_id: uuid.UUID | None
    is_open: bool
    kind: str  # inbound, follow_up, reminder
    # a word search: the newest message that matched, cut and highlighted
    match_message_id: uuid.UUID | None = None
    match: Snippet = ()
    unread: bool = False  # for the staff member reading the list
    assigned_to: uuid.UUID | None = None
    assigned_name: str = ""


def _inbox_item(
    conversation: Conversation,
    client_name: str | None,
    match: MessageMatch | None = None,
    *,
    unread: bool = False,
    staff: dict[uuid.UUID, str] | None = None,
) -> InboxItem:
    assigned = conversation.assigned_to
    return InboxItem(
        id=conversation.id,
        client_id=conversation.client_id,
        client_phone=conversation.client_phone,
        client_name=client_name,
        state=conversation.state,
        preview=conversation.last_message_preview or "",
        started_at=conversation.started_at,
        last_message_at=conversation.last_message_at,
        taken_over=is_taken_over(conversation),
        emergency_id=conversation.emergency_id,
        is_open=conversation.is_open,
        kind=conversation.type,
        match_message_id=match.message_id if match else None,
        match=match.snippet if match else (),
        unread=unread,
        assigned_to=assigned,
        assigned_name=(staff or {}).get(assigned, "") if assigned else "",
    )


def _items(
    session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID | None, rows: list[ConversationRow]
) -> list[InboxItem]:
    """The rows as list items, unread for `user_id`, with their assignee's name."""
    unread = (
        inbox_list.unread_among(session, user_id, [r.conversation for r in rows])
        if user_id
        else set()
    )
    staff = inbox_list.staff_names(session, tenant_id) if rows else {}
    return [
        _inbox_item(
            r.conversation,
            r.client_name,
            r.match,
            unread=r.conversation.id in unread,
            staff=staff,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox under a filter, where the next one starts, and the counts."""

    items: list[InboxItem]
    next_cursor: str  # "" on the last page
    counts: dict[str, int]


def inbox_page(
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    filter: str = "todas",
    after: str = "",
    limit: int = inbox_list.PAGE_SIZE,
    with_counts: bool = True,
) -> InboxPage:
    """The clinic's conversations under `filter` (see `inbox.FILTERS`), newest activity
    first, a keyset page at a time; with every filter's count when asked."""
    with session_scope(read_only=True) as session:
        get_clinic(session, tenant_id)
        found = inbox_list.page(
            session, tenant_id, user_id, filter=filter, after=after, limit=limit
        )
        rows = [ConversationRow(c, name) for c, name in found.rows]
        return InboxPage(
            items=_items(session, tenant_id, user_id, rows),
            next_cursor=found.next_cursor,
            counts=inbox_list.counts(session, tenant_id, user_id) if with_counts else {},
        )


def inbox(
    tenant_id: uuid.UUID, text: str = "", *, limit: int = 60, user_id: uuid.UUID | None = None
) -> list[InboxItem]:
    """The clinic's conversations, newest first; `text` matches words of the messages
    (the match is highlighted), the client's name or phone digits (any of the three)."""
    text = text.strip()
    with session_scope(read_only=True) as session:
        tenant = get_clinic(session, tenant_id)
        if not text:
            rows = list_conversations(session, tenant, limit=limit, count=False).rows
        else:
            found: dict[uuid.UUID, ConversationRow] = {}
            searches: list[tuple[str | None, str | None, str | None]] = []
            if search_terms(text):
                searches.append((text, None, None))
            searches.append((None, text, None))
            if len(re.sub(r"\D", "", text)) >= 3:
                searches.append((None, None, text))
            for words, client_name, phone in searches:
                try:
                    page = list_conversations(
                        session,
                        tenant,
                        q=words,
                        client_name=client_name,
                        phone=phone,
                        limit=limit,
                        count=False,
                    )
                except ValidationFailed:
                    continue
                for row in page.rows:
                    found.setdefault(row.conversation.id, row)
            rows = sorted(
                found.values(), key=lambda r: r.conversation.last_message_at, reverse=True
            )[:limit]
        return _items(session, tenant_id, user_id, rows)


@dataclass(frozen=True)
class ThreadMessage:
    id: uuid.UUID
    direction: str  # inbound, outbound; internal: a staff note, never sent
    author: str  # client, assistant, staff, system
    body: str | None
    has_media: bool
    status: str
    error_code: str | None
    created_at: datetime
    author_name: str = ""  # a note's writer


@dataclass(frozen=True)
class Thread:
    """One conversation with its messages in order and who took it over."""

    conversation: InboxItem
    taken_over_by_name: str
    messages: list[ThreadMessage]  # with the internal notes, in the order written
    staff: dict[uuid.UUID, str]  # the clinic's active staff, to assign the conversation to


def thread(tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> Thread:
    """One conversation of the clinic; NotFound for an unknown id or another clinic's."""
    with session_scope(read_only=True) as session:
        conversation = get_conversation(session, tenant_id, conversation_id)
        client = client_of(session, conversation)
        staff = (
            session.get(StaffUser, conversation.taken_over_by)
            if conversation.taken_over_by is not None
            else None
        )
        messages = messages_of(session, tenant_id, conversation_id)
        names = inbox_list.staff_names(session, tenant_id)
        written = [
            ThreadMessage(
                id=m.id,
                direction=m.direction,
                author=m.author,
                body=m.body,
                has_media=bool(m.media),
                status=m.status,
                error_code=m.error_code,
                created_at=m.created_at,
            )
            for m in messages
        ]
        written += [
            ThreadMessage(
                id=n.id,
                direction="internal",
                author="staff",
                body=n.body,
                has_media=False,
                status="note",
                error_code=None,
                created_at=n.created_at,
                author_name=names.get(n.author_user_id, "") if n.author_user_id else "",
            )
            for n in notes.notes_of(session, tenant_id, conversation_id)
        ]
        written.sort(key=lambda m: m.created_at)  # stable: messages keep their order
        return Thread(
            conversation=_inbox_item(conversation, client.name if client else None, staff=names),
            taken_over_by_name=staff.full_name if staff and staff.tenant_id == tenant_id else "",
            messages=written,
            staff=names,
        )


def newest_conversation_of(tenant_id: uuid.UUID, phone: str) -> uuid.UUID | None:
    """The newest conversation of this phone in the clinic (None before its first message)."""
    with session_scope(read_only=True) as session:
        rows = list_conversations(
            session, get_clinic(session, tenant_id), phone=phone, limit=1, count=False
        ).rows
    return rows[0].conversation.id if rows else None


def take_over_from_inbox(
    *, tenant_id: uuid.UUID, conversation_id: uuid.UUID, user_id: uuid.UUID
) -> None:
    """`take_over` by a staff member, in its own unit of work."""
    with session_scope(write=True) as session:
        take_over(
            session,
            tenant=get_clinic(session, tenant_id),
            conversation_id=conversation_id,
            user_id=user_id,
        )


def hand_back_from_inbox(*, tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
    """`hand_back` to the assistant, in its own unit of work."""
    with session_scope(write=True) as session:
        hand_back(session, tenant=get_clinic(session, tenant_id), conversation_id=conversation_id)


def reply_from_inbox(
    *, tenant_id: uuid.UUID, conversation_id: uuid.UUID, body: str, user_id: uuid.UUID
) -> None:
    """`staff_reply` (taking the conversation over), in its own unit of work; the
    messages leave after the commit."""
    with session_scope(write=True) as session:
        staff_reply(
            session,
            tenant=get_clinic(session, tenant_id),
            conversation_id=conversation_id,
            body=body,
            user_id=user_id,
        )
