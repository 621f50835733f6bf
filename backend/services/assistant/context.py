"""One turn of a conversation: the message being answered and what the answer changes.

Every state change goes through `Turn.move`, which checks each hop against the
spec's table before touching anything: an illegal move is logged and not
applied. Replies are collected and stored as outbound messages when the turn
ends, in the same transaction as the state they belong to.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from backend.domain.conversation_states import (
    BOOKING_STATES,
    State,
    check_path,
    shortest_path,
    timeout_for,
)
from backend.domain.errors import IllegalTransition
from backend.models import Client, Conversation, Message, StaffUser, Tenant
from backend.services.actors import ASSISTANT, Actor
from backend.services.chats import lifecycle, messaging
from backend.services.patients import clients

log = logging.getLogger("backend.services.assistant")

KEEP_ON_RESTART = ("clinic_phone",)
TRAIL_LENGTH = 20
"""The last state hops kept in state_data["trail"] (for staff and tests)."""


def format_clinic_phone(tenant: Tenant) -> str:
    """The clinic's phone as people dial it in its country ("601 4567890")."""
    raw = tenant.phone or (tenant.whatsapp_numbers[0] if tenant.whatsapp_numbers else "")
    if not raw:
        return "el teléfono de la clínica"
    try:
        number = phonenumbers.parse(raw, tenant.country)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return raw


@dataclass
class Turn:
    session: Session
    tenant: Tenant
    conversation: Conversation
    message: Message
    now: datetime
    client: Client | None
    data: dict[str, Any] = field(default_factory=dict)
    replies: list[str] = field(default_factory=list)
    transitions: list[tuple[str, str]] = field(default_factory=list)
    illegal: list[tuple[str, str]] = field(default_factory=list)
    understanding: Any = None  # understanding.Understanding, set by the engine

    @property
    def text(self) -> str:
        return self.message.body or ""

    @property
    def actor(self) -> Actor:
        """Who the assistant's writes are attributed to: the assistant, or the staff user who
        typed the message in the sandbox."""
        staff_id = self.message.author_user_id
        if staff_id is None:
            return ASSISTANT
        staff = self.session.get(StaffUser, staff_id)
        name = staff.full_name if staff else str(staff_id)
        return Actor(type="user", id=str(staff_id), label=f"{name} (sandbox)")

    @property
    def state(self) -> State:
        return State(self.conversation.state)

    @property
    def tz(self) -> str:
        return self.tenant.timezone

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.tz))

    @property
    def today(self) -> date:
        return self.local(self.now).date()

    @property
    def clinic_name(self) -> str:
        return self.tenant.name

    @cached_property
    def clinic_phone(self) -> str:
        return format_clinic_phone(self.tenant)

    def say(self, text: str) -> None:
        if text.strip():
            self.replies.append(text.strip())

    # ------------------------------------------------------------ states

    def move(self, *path: State) -> bool:
        """Walks `path` hop by hop; refuses (and logs) the whole move if any hop is illegal."""
        current = self.conversation.state
        try:
            check_path(current, [s.value for s in path])
        except IllegalTransition as exc:
            log.error(
                "conversation %s: %s (path %s) — not applied",
                self.conversation.id,
                exc.message,
                " → ".join([current, *path]),
            )
            self.illegal.append((current, "→".join(path)))
            return False
        for target in path:
            self.transitions.append((self.conversation.state, target.value))
            self.conversation.state = target.value
        self.conversation.last_state_change = self.now
        if path and path[-1] == State.CLOSED:
            self._close()
        return True

    def route_to(self, target: State, *, avoid: tuple[State, ...] = ()) -> bool:
        """Moves to `target` by the fewest legal hops that skip `avoid` (and REMINDER/CLOSED).

        When the open conversation has no such path (a completed one, a
        follow-up), it is closed and a new conversation starts from IDLE.
        """
        blocked = {State.REMINDER, State.CLOSED, State.COMPLETED, *avoid}
        path = shortest_path(self.conversation.state, target, avoid=blocked)
        if path is None:
            self.restart()
            path = shortest_path(self.conversation.state, target, avoid=blocked)
            if path is None:  # pragma: no cover - IDLE reaches every routed target
                return False
        return self.move(*path) if path else True

    def close_path(self) -> list[State]:
        """How this conversation ends: through REMINDER when possible (the client left), else COMPLETED."""
        return lifecycle.close_path(self.conversation.state)

    def _close(self) -> None:
        lifecycle.mark_closed(self.session, self.conversation, now=self.now)

    def restart(self) -> None:
        """Closes this conversation silently and continues the turn in a new one."""
        old = self.conversation
        if old.is_open:
            path = self.close_path()
            if path:
                self.move(*path)
            else:
                self._close()
                old.state = State.CLOSED.value
        self.flush_state()
        self.session.add(old)
        self.session.flush()
        kept = {key: self.data[key] for key in KEEP_ON_RESTART if key in self.data}
        fresh = lifecycle.open_new(
            self.session,
            tenant_id=self.tenant.id,
            phone=old.client_phone,
            now=self.now,
            client_id=self.client.id if self.client else None,
            state_data=kept,
            last_inbound_at=self.now,
        )
        if fresh is None:  # the phone's only open conversation is this turn's, just closed
            raise RuntimeError(f"could not continue conversation {old.id} in a new one")
        self.message.conversation_id = fresh.id
        self.session.add(self.message)
        self.conversation = fresh
        self.data = dict(kept)
        log.info("conversation %s closed; continuing in %s", old.id, fresh.id)

    # ------------------------------------------------------------ data

    def quiet(self) -> None:
        """The client's need is met: on timeout close silently instead of reminding."""
        self.data["quiet"] = True

    def ensure_client(self, name: str | None = None) -> Client:
        """The client behind this phone, created on first need (with the name if known)."""
        if self.client is None:  # the turn found none at its start
            self.client = clients.find_or_create(
                self.session,
                self.tenant,
                phone=self.conversation.client_phone,
                name=name,
                looked_up=True,
            )
        elif name and not self.client.name:
            self.client.name = name[:200]
            self.session.add(self.client)
        self.conversation.client_id = self.client.id
        return self.client

    def flush_state(self) -> None:
        """Writes the working state data back and sets when the state times out."""
        conversation = self.conversation
        if self.transitions:
            hops = [f"{a}→{b}" for a, b in self.transitions]
            self.data["trail"] = (list(self.data.get("trail", [])) + hops)[-TRAIL_LENGTH:]
            self.transitions = []
        conversation.state_data = dict(self.data)
        flag_modified(conversation, "state_data")
        if conversation.is_open and conversation.taken_over_at is None:
            timeout = timeout_for(conversation.state)
            conversation.timeout_at = self.now + timeout[0] if timeout else None
        self.session.add(conversation)

    def finish(self) -> list[Message]:
        """Persists state and queues the replies (one WhatsApp message per reply)."""
        self.flush_state()
        sent: list[Message] = []
        for reply in self.replies:
            sent += messaging.queue_text(
                self.session,
                tenant=self.tenant,
                to_phone=self.conversation.client_phone,
                body=reply,
                conversation=self.conversation,
                in_window=True,
                flush=False,  # written with the turn's other changes at its commit
            )
        return sent

    @property
    def booking_in_progress(self) -> bool:
        return self.state in BOOKING_STATES or bool(self.data.get("flow"))


def uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None
