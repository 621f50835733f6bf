"""A clinic's canned replies: saved answers staff insert by typing "/" and a shortcut."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.domain.errors import Conflict, NotFound, ValidationFailed
from backend.models import CannedReply

SHORTCUT = re.compile(r"^[a-z0-9_-]{1,32}$")
MAX_BODY = 1500  # one WhatsApp message comfortably


@dataclass(frozen=True)
class CannedReplyView:
    id: uuid.UUID
    shortcut: str
    title: str
    body: str


def _view(reply: CannedReply) -> CannedReplyView:
    return CannedReplyView(reply.id, reply.shortcut, reply.title, reply.body)


def _clean(shortcut: str, title: str, body: str) -> tuple[str, str, str]:
    """The reply's fields trimmed, the shortcut without its "/" and in lower case."""
    key = shortcut.strip().lstrip("/").lower()
    if not SHORTCUT.match(key):
        raise ValidationFailed(
            "a shortcut is 1 to 32 letters, digits, '-' or '_'", field="shortcut"
        )
    title, body = title.strip(), body.strip()
    if not title or len(title) > 100:
        raise ValidationFailed("a title holds 1 to 100 characters", field="title")
    if not body or len(body) > MAX_BODY:
        raise ValidationFailed(f"a reply holds 1 to {MAX_BODY} characters", field="cannedBody")
    return key, title, body


def _saved(session: Session, reply: CannedReply) -> CannedReply:
    try:
        with session.begin_nested():
            session.add(reply)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "another canned reply has this shortcut", field="shortcut", code="duplicate_shortcut"
        ) from exc
    return reply


def create(
    session: Session, *, tenant_id: uuid.UUID, shortcut: str, title: str, body: str
) -> CannedReply:
    """A new canned reply; Conflict when the clinic already uses the shortcut."""
    key, title, body = _clean(shortcut, title, body)
    return _saved(session, CannedReply(tenant_id=tenant_id, shortcut=key, title=title, body=body))


def _own(session: Session, tenant_id: uuid.UUID, reply_id: uuid.UUID) -> CannedReply:
    reply = session.get(CannedReply, reply_id)
    if reply is None or reply.tenant_id != tenant_id:
        raise NotFound("canned reply not found")
    return reply


def update(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    reply_id: uuid.UUID,
    shortcut: str,
    title: str,
    body: str,
) -> CannedReply:
    reply = _own(session, tenant_id, reply_id)
    reply.shortcut, reply.title, reply.body = _clean(shortcut, title, body)
    reply.updated_at = utcnow()
    return _saved(session, reply)


def delete(session: Session, *, tenant_id: uuid.UUID, reply_id: uuid.UUID) -> None:
    session.delete(_own(session, tenant_id, reply_id))
    session.flush()


def list_of(session: Session, tenant_id: uuid.UUID) -> list[CannedReply]:
    """The clinic's canned replies by shortcut."""
    return list(
        session.exec(
            select(CannedReply)
            .where(CannedReply.tenant_id == tenant_id)
            .order_by(col(CannedReply.shortcut))
        )
    )


def matching(replies: list[CannedReplyView], typed: str) -> list[CannedReplyView]:
    """The replies a reply box offers for what was typed: after a leading "/", those whose
    shortcut or title starts with (then holds) the rest."""
    if not typed.startswith("/"):
        return []
    wanted = typed[1:].strip().lower()
    starts = [r for r in replies if r.shortcut.startswith(wanted)]
    holds = [r for r in replies if r not in starts and wanted in r.title.lower()]
    return starts + holds


# Units of work for the portal.


def clinic_replies(tenant_id: uuid.UUID) -> list[CannedReplyView]:
    with session_scope(read_only=True) as session:
        return [_view(r) for r in list_of(session, tenant_id)]


def save_reply(
    *, tenant_id: uuid.UUID, reply_id: uuid.UUID | None, shortcut: str, title: str, body: str
) -> CannedReplyView:
    """Creates (no `reply_id`) or edits a canned reply, in its own unit of work."""
    with session_scope(write=True) as session:
        if reply_id is None:
            saved = create(session, tenant_id=tenant_id, shortcut=shortcut, title=title, body=body)
        else:
            saved = update(
                session,
                tenant_id=tenant_id,
                reply_id=reply_id,
                shortcut=shortcut,
                title=title,
                body=body,
            )
        return _view(saved)


def delete_reply(*, tenant_id: uuid.UUID, reply_id: uuid.UUID) -> None:
    with session_scope(write=True) as session:
        delete(session, tenant_id=tenant_id, reply_id=reply_id)
