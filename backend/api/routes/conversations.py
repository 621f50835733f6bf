"""WhatsApp chat history, and staff taking a conversation over."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from backend.api.deps import PrincipalDep
from backend.api.errors import error_responses
from backend.api.fields import Instant, Offset, PlainText
from backend.api.schemas import ApiModel
from backend.services.chats import conversations

router = APIRouter(
    prefix="/api/v1/conversations", tags=["conversations"], responses=error_responses(401, 422)
)


class _FromAttributes(ApiModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, from_attributes=True, extra="ignore"
    )


class SnippetPiece(ApiModel):
    text: str
    match: bool


class MessageMatchOut(ApiModel):
    """The newest message of the conversation holding every searched word."""

    message_id: uuid.UUID
    created_at: datetime
    snippet: list[SnippetPiece] = Field(
        description="The message cut around its first match; `match` marks the found words."
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
    match: MessageMatchOut | None = Field(
        default=None, description="With `q`: where the words were found."
    )


class ConversationDetail(ConversationOut):
    state_data: dict[str, Any]
    timeout_at: datetime | None
    appointment_ids: list[uuid.UUID] = []


class ConversationList(ApiModel):
    items: list[ConversationOut]
    total: int
    total_exact: bool = Field(
        description="False when `q` is a very common word: `total` is then a lower bound."
    )


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
    body: PlainText = Field(min_length=1, max_length=10000)
    staff_user_id: uuid.UUID | None = None


def _match(match: conversations.MessageMatch | None) -> MessageMatchOut | None:
    if match is None:
        return None
    return MessageMatchOut(
        message_id=match.message_id,
        created_at=match.created_at,
        snippet=[SnippetPiece(text=text, match=found) for text, found in match.snippet],
    )


def _out(row: conversations.ConversationRow) -> ConversationOut:
    return ConversationOut.model_validate(
        {
            **row.conversation.model_dump(),
            "client_name": row.client_name,
            "taken_over": conversations.is_taken_over(row.conversation),
            "match": _match(row.match),
        }
    )


def _detail(record: conversations.ConversationRecord) -> ConversationDetail:
    return ConversationDetail.model_validate(
        {
            **record.conversation.model_dump(),
            "client_name": record.client_name,
            "taken_over": conversations.is_taken_over(record.conversation),
            "appointment_ids": record.appointment_ids,
        }
    )


@router.get("", response_model=ConversationList, response_model_by_alias=True)
def list_conversations(
    principal: PrincipalDep,
    phone: Annotated[PlainText | None, Query(max_length=40)] = None,
    client_name: Annotated[PlainText | None, Query(alias="clientName", max_length=200)] = None,
    state: Annotated[PlainText | None, Query(max_length=200)] = None,
    date_from: Annotated[Instant | None, Query(alias="from")] = None,
    date_to: Annotated[Instant | None, Query(alias="to")] = None,
    q: Annotated[PlainText | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> ConversationList:
    """Conversations, latest activity first.

    `q` keeps conversations with a message holding every word, accents and
    capitals ignored; words of three letters or more also match the start of a
    longer word ("atropell" finds "atropellado"). Each item then carries the
    newest such message, cut and highlighted.
    """
    page = conversations.search_conversations(
        tenant=principal.tenant,
        phone=phone,
        client_name=client_name,
        state=state,
        date_from=date_from,
        date_to=date_to,
        q=q,
        limit=limit,
        offset=offset,
    )
    return ConversationList(
        items=[_out(row) for row in page.rows], total=page.total, total_exact=page.total_exact
    )


@router.get(
    "/{conversation_id}",
    response_model=ConversationDetail,
    response_model_by_alias=True,
    responses=error_responses(404),
)
def get_conversation(conversation_id: uuid.UUID, principal: PrincipalDep) -> ConversationDetail:
    """One conversation with its state and linked appointments."""
    return _detail(
        conversations.read_conversation(
            tenant_id=principal.tenant.id, conversation_id=conversation_id
        )
    )


@router.get(
    "/{conversation_id}/messages",
    response_model=MessageList,
    response_model_by_alias=True,
    responses=error_responses(404),
)
def list_messages(
    conversation_id: uuid.UUID,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    offset: Offset = 0,
) -> MessageList:
    """The conversation's messages in order (inbound, assistant, staff)."""
    messages = conversations.read_messages(
        tenant_id=principal.tenant.id, conversation_id=conversation_id, limit=limit, offset=offset
    )
    return MessageList(items=[MessageOut.model_validate(m) for m in messages])


@router.post(
    "/{conversation_id}/takeover",
    response_model=ConversationDetail,
    response_model_by_alias=True,
    responses=error_responses(404, 409),
)
def take_over(
    conversation_id: uuid.UUID, principal: PrincipalDep, body: TakeoverIn | None = None
) -> ConversationDetail:
    """Staff answers from now on; the assistant stays silent."""
    return _detail(
        conversations.take_over_conversation(
            tenant=principal.tenant,
            conversation_id=conversation_id,
            user_id=body.staff_user_id if body else None,
        )
    )


@router.post(
    "/{conversation_id}/handback",
    response_model=ConversationDetail,
    response_model_by_alias=True,
    responses=error_responses(404),
)
def hand_back(conversation_id: uuid.UUID, principal: PrincipalDep) -> ConversationDetail:
    """The assistant answers again."""
    return _detail(
        conversations.hand_back_conversation(
            tenant=principal.tenant, conversation_id=conversation_id
        )
    )


@router.post(
    "/{conversation_id}/messages",
    status_code=201,
    response_model=MessageList,
    response_model_by_alias=True,
    responses=error_responses(404, 409),
)
def staff_reply(
    conversation_id: uuid.UUID, body: StaffReplyIn, principal: PrincipalDep
) -> MessageList:
    """Sends a message written by staff (taking the conversation over)."""
    messages = conversations.reply_as_staff(
        tenant=principal.tenant,
        conversation_id=conversation_id,
        body=body.body,
        user_id=body.staff_user_id,
    )
    return MessageList(items=[MessageOut.model_validate(m) for m in messages])
