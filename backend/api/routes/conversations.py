"""WhatsApp chat history, and staff taking a conversation over."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from backend.api.deps import PrincipalDep
from backend.api.schemas import ApiModel
from backend.core.db import session_scope
from backend.domain.errors import ValidationFailed
from backend.models import Conversation, Message
from backend.services.chats import conversations

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"])


class _FromAttributes(ApiModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, from_attributes=True, extra="ignore"
    )


class ConversationOut(_FromAttributes):
    id: uuid.UUID
    client_id: uuid.UUID | None
    client_name: str | None = None
    client_phone: str
    type: str
    state: str
    is_open: bool
    taken_over: bool = False
    taken_over_by: uuid.UUID | None
    taken_over_at: datetime | None
    emergency_id: uuid.UUID | None
    started_at: datetime
    closed_at: datetime | None
    last_message_at: datetime
    last_message_preview: str | None


class ConversationDetail(ConversationOut):
    state_data: dict[str, Any]
    timeout_at: datetime | None
    appointment_ids: list[uuid.UUID] = []


class ConversationList(ApiModel):
    items: list[ConversationOut]
    total: int


class MessageOut(_FromAttributes):
    id: uuid.UUID
    conversation_id: uuid.UUID | None
    direction: str
    author: str
    author_user_id: uuid.UUID | None
    from_phone: str
    to_phone: str
    body: str
    media: list[dict[str, Any]]
    status: str
    error_code: str | None
    template_sid: str | None
    created_at: datetime
    status_updated_at: datetime | None


class MessageList(ApiModel):
    items: list[MessageOut]


class TakeoverIn(ApiModel):
    staff_user_id: uuid.UUID | None = None


class StaffReplyIn(ApiModel):
    body: str = Field(min_length=1, max_length=10000)
    staff_user_id: uuid.UUID | None = None


def _out(conversation: Conversation, client_name: str | None) -> dict[str, Any]:
    data = conversation.model_dump()
    data["client_name"] = client_name
    data["taken_over"] = conversations.is_taken_over(conversation)
    return data


def _aware(value: datetime | None, name: str) -> None:
    if value is not None and value.tzinfo is None:
        raise ValidationFailed("give the time with an offset (e.g. Z)", field=name)


@router.get("", response_model=ConversationList, response_model_by_alias=True)
def list_conversations(
    principal: PrincipalDep,
    phone: str | None = None,
    client_name: Annotated[str | None, Query(alias="clientName")] = None,
    state: str | None = None,
    date_from: Annotated[datetime | None, Query(alias="from")] = None,
    date_to: Annotated[datetime | None, Query(alias="to")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, object]:
    """Conversations, latest activity first; `q` finds words in messages, accents ignored."""
    _aware(date_from, "from")
    _aware(date_to, "to")
    with session_scope(read_only=True) as session:
        rows, total = conversations.list_conversations(
            session,
            principal.tenant,
            phone=phone,
            client_name=client_name,
            state=state,
            date_from=date_from,
            date_to=date_to,
            q=q,
            limit=limit,
            offset=offset,
        )
        return {"items": [_out(r.conversation, r.client_name) for r in rows], "total": total}


def _detail(session: Any, conversation: Conversation) -> dict[str, Any]:
    client = conversations.client_of(session, conversation)
    data = _out(conversation, client.name if client else None)
    data["appointment_ids"] = [
        a.id for a in conversations.appointments_of(session, conversation.id)
    ]
    return data


@router.get("/{conversation_id}", response_model=ConversationDetail, response_model_by_alias=True)
def get_conversation(conversation_id: uuid.UUID, principal: PrincipalDep) -> dict[str, Any]:
    """One conversation with its state and linked appointments."""
    with session_scope(read_only=True) as session:
        return _detail(
            session, conversations.get_conversation(session, principal.tenant.id, conversation_id)
        )


@router.get("/{conversation_id}/messages", response_model=MessageList, response_model_by_alias=True)
def list_messages(
    conversation_id: uuid.UUID,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, list[Message]]:
    """The conversation's messages in order (inbound, assistant, staff)."""
    with session_scope(read_only=True) as session:
        return {
            "items": conversations.messages_of(
                session, principal.tenant.id, conversation_id, limit=limit, offset=offset
            )
        }


@router.post(
    "/{conversation_id}/takeover", response_model=ConversationDetail, response_model_by_alias=True
)
def take_over(
    conversation_id: uuid.UUID, principal: PrincipalDep, body: TakeoverIn | None = None
) -> dict[str, Any]:
    """Staff answers from now on; the assistant stays silent."""
    with session_scope(write=True) as session:
        conversation = conversations.take_over(
            session,
            tenant=principal.tenant,
            conversation_id=conversation_id,
            user_id=body.staff_user_id if body else None,
        )
        return _detail(session, conversation)


@router.post(
    "/{conversation_id}/handback", response_model=ConversationDetail, response_model_by_alias=True
)
def hand_back(conversation_id: uuid.UUID, principal: PrincipalDep) -> dict[str, Any]:
    """The assistant answers again."""
    with session_scope(write=True) as session:
        return _detail(
            session,
            conversations.hand_back(
                session, tenant=principal.tenant, conversation_id=conversation_id
            ),
        )


@router.post(
    "/{conversation_id}/messages",
    status_code=201,
    response_model=MessageList,
    response_model_by_alias=True,
)
def staff_reply(
    conversation_id: uuid.UUID, body: StaffReplyIn, principal: PrincipalDep
) -> dict[str, list[Message]]:
    """Sends a message written by staff (taking the conversation over)."""
    with session_scope(write=True) as session:
        return {
            "items": conversations.staff_reply(
                session,
                tenant=principal.tenant,
                conversation_id=conversation_id,
                body=body.body,
                user_id=body.staff_user_id,
            )
        }
