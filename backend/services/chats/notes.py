"""Internal notes: what staff tell each other inside a thread.

A note is its own row (`conversation_note`), never a `Message`: nothing that
sends, retries, counts or hands messages to the assistant can ever see one,
and it changes neither the conversation's preview nor its last activity.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.domain.errors import NotFound, ValidationFailed
from backend.models import Conversation, ConversationNote

MAX_NOTE = 4000


def add_note(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    conversation_id: uuid.UUID,
    body: str,
    author_user_id: uuid.UUID | None,
) -> ConversationNote:
    """A note in the conversation's thread, seen by the clinic's staff only."""
    text = (body or "").strip()
    if not text:
        raise ValidationFailed("the note is empty", field="body")
    if len(text) > MAX_NOTE:
        raise ValidationFailed(f"a note holds at most {MAX_NOTE} characters", field="note")
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.tenant_id != tenant_id:
        raise NotFound("conversation not found")
    note = ConversationNote(
        tenant_id=tenant_id,
        conversation_id=conversation_id,
        author_user_id=author_user_id,
        body=text,
        created_at=utcnow(),
    )
    session.add(note)
    session.flush()
    return note


def notes_of(
    session: Session, tenant_id: uuid.UUID, conversation_id: uuid.UUID
) -> list[ConversationNote]:
    """The conversation's notes, oldest first."""
    return list(
        session.exec(
            select(ConversationNote)
            .where(
                ConversationNote.tenant_id == tenant_id,
                ConversationNote.conversation_id == conversation_id,
            )
            .order_by(col(ConversationNote.created_at), col(ConversationNote.id))
        )
    )


def note_from_inbox(
    *, tenant_id: uuid.UUID, conversation_id: uuid.UUID, body: str, user_id: uuid.UUID
) -> uuid.UUID:
    """`add_note` in its own unit of work; the new note's id."""
    with session_scope(write=True) as session:
        return add_note(
            session,
            tenant_id=tenant_id,
            conversation_id=conversation_id,
            body=body,
            author_user_id=user_id,
        ).id
