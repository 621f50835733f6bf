"""Chat history: the clinic's WhatsApp conversations, search, thread, staff take-over."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import reflex as rx

from backend.core.clock import utcnow
from backend.services.chats import conversations
from backend.services.scheduling import calendar_view
from backend.services.scheduling.calendar_view import AppointmentView
from vetassist_app import routes
from vetassist_app.formatting import (
    APPOINTMENT_STATUS,
    CONVERSATION_STATE,
    STATUS_COLOR,
    chat_time,
    date_time,
    hhmm,
    local,
    long_date,
    pet_label,
    phone_display,
)
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.session_state import SessionState

LIST_LENGTH = 60
EMERGENCY_STATES = frozenset({"CONFIRM_EMERGENCY", "ESCALATE"})
AUTHOR_LABEL = {
    "client": "Cliente",
    "assistant": "Asistente",
    "staff": "Equipo",
    "system": "Sistema",
}


@dataclass
class MatchPiece:
    """A piece of the message a search found; `found` marks the searched words."""

    text: str = ""
    found: bool = False


@dataclass
class ConversationItem:
    id: str = ""
    title: str = ""
    initial: str = ""
    phone: str = ""
    state: str = ""
    state_label: str = ""
    preview: str = ""
    time_label: str = ""
    taken_over: bool = False
    emergency: bool = False
    is_open: bool = True
    kind: str = ""
    match_id: str = ""  # a word search: the message to open the thread at
    match: list[MatchPiece] = field(default_factory=list)


@dataclass
class Bubble:
    id: str = ""
    side: str = "left"  # left: client; right: clinic (assistant, staff); center: system
    author: str = ""
    author_label: str = ""
    body: str = ""
    time: str = ""
    ticks: str = ""  # "", sent, delivered, read, failed, queued
    day_break: str = ""
    error: str = ""
    focused: bool = False  # the message a search found


@dataclass
class LinkedAppointment:
    id: str = ""
    when: str = ""
    doctor: str = ""
    pet: str = ""
    status_label: str = ""
    status_color: str = "gray"
    from_this_chat: bool = False


@dataclass
class ThreadHeader:
    id: str = ""
    title: str = ""
    phone: str = ""
    state_label: str = ""
    taken_over: bool = False
    taken_over_label: str = ""
    is_open: bool = True
    emergency: bool = False
    started: str = ""


@dataclass
class Thread:
    header: ThreadHeader
    bubbles: list[Bubble] = field(default_factory=list)
    appointments: list[LinkedAppointment] = field(default_factory=list)


def _item(item: conversations.InboxItem, viewer: Viewer, now: datetime) -> ConversationItem:
    return ConversationItem(
        id=str(item.id),
        title=item.client_name or phone_display(item.client_phone),
        initial=(item.client_name or "")[:1].upper(),
        phone=phone_display(item.client_phone),
        state=item.state,
        state_label=CONVERSATION_STATE.get(item.state, item.state.title()),
        preview=item.preview,
        time_label=chat_time(item.last_message_at, now, viewer.timezone),
        taken_over=item.taken_over,
        emergency=item.state in EMERGENCY_STATES or item.emergency_id is not None,
        is_open=item.is_open,
        kind=item.kind,
        match_id=str(item.match_message_id) if item.match_message_id else "",
        match=[MatchPiece(text, found) for text, found in item.match],
    )


def list_chats(viewer: Viewer, query: str = "", *, limit: int = 60) -> list[ConversationItem]:
    """Newest first; a query matches words of the messages, the client's name or phone digits."""
    now = utcnow()
    return [
        _item(item, viewer, now)
        for item in conversations.inbox(viewer.tenant_id, query, limit=limit)
    ]


def _ticks(message: conversations.ThreadMessage) -> str:
    if message.direction == "inbound":
        return ""
    return {
        "queued": "queued",
        "sending": "queued",
        "accepted": "queued",
        "sent": "sent",
        "delivered": "delivered",
        "read": "read",
        "failed": "failed",
        "undelivered": "failed",
    }.get(message.status, "sent")


def _linked(view: AppointmentView, conversation_id: uuid.UUID, tz: str) -> LinkedAppointment:
    return LinkedAppointment(
        id=str(view.id),
        when=date_time(view.start_at, tz),
        doctor=view.doctor_name,
        pet=pet_label(view.pet_name, view.pet_species),
        status_label=APPOINTMENT_STATUS.get(view.status, view.status),
        status_color=STATUS_COLOR.get(view.status, "gray"),
        from_this_chat=view.conversation_id == conversation_id,
    )


def _bubbles(messages: list[conversations.ThreadMessage], tz: str, focus: str = "") -> list[Bubble]:
    bubbles: list[Bubble] = []
    last_day = None
    for message in messages:
        day = local(message.created_at, tz).date()
        side = "left" if message.direction == "inbound" else "right"
        if message.author == "system":
            side = "center"
        bubbles.append(
            Bubble(
                id=str(message.id),
                side=side,
                author=message.author,
                author_label=AUTHOR_LABEL.get(message.author, message.author),
                body=message.body or ("📎 archivo adjunto" if message.has_media else ""),
                time=hhmm(message.created_at, tz),
                ticks=_ticks(message),
                day_break=long_date(day).capitalize() if day != last_day else "",
                error=message.error_code or "",
                focused=focus != "" and str(message.id) == focus,
            )
        )
        last_day = day
    return bubbles


def load_thread(viewer: Viewer, conversation_id: str, focus: str = "") -> Thread:
    """One conversation of the viewer's clinic with its messages and appointments;
    `focus` marks the message a search found."""
    key = parse_id(conversation_id)
    tz = viewer.timezone
    found = conversations.thread(viewer.tenant_id, key)
    linked = calendar_view.appointments_of_conversation(
        viewer.tenant_id, key, found.conversation.client_id
    )
    conversation = found.conversation
    staff_name = found.taken_over_by_name
    header = ThreadHeader(
        id=str(conversation.id),
        title=conversation.client_name or phone_display(conversation.client_phone),
        phone=phone_display(conversation.client_phone),
        state_label=CONVERSATION_STATE.get(conversation.state, conversation.state.title()),
        taken_over=conversation.taken_over,
        taken_over_label=(f"Atendida por {staff_name}" if staff_name else "Atendida por el equipo"),
        is_open=conversation.is_open,
        emergency=conversation.state in EMERGENCY_STATES or conversation.emergency_id is not None,
        started=date_time(conversation.started_at, tz),
    )
    upcoming_first = sorted(
        linked, key=lambda v: (v.conversation_id != key, -v.start_at.timestamp())
    )
    return Thread(
        header=header,
        bubbles=_bubbles(found.messages, tz, focus),
        appointments=[_linked(v, key, tz) for v in upcoming_first[:8]],
    )


def take_over(viewer: Viewer, conversation_id: str) -> None:
    conversations.take_over_from_inbox(
        tenant_id=viewer.tenant_id,
        conversation_id=parse_id(conversation_id),
        user_id=viewer.user_id,
    )


def hand_back(viewer: Viewer, conversation_id: str) -> None:
    conversations.hand_back_from_inbox(
        tenant_id=viewer.tenant_id, conversation_id=parse_id(conversation_id)
    )


def reply(viewer: Viewer, conversation_id: str, body: str) -> None:
    """Sends a message written by staff (taking the conversation over)."""
    conversations.reply_from_inbox(
        tenant_id=viewer.tenant_id,
        conversation_id=parse_id(conversation_id),
        body=body,
        user_id=viewer.user_id,
    )


class ChatState(SessionState):
    query: str = ""
    items: rx.Field[list[ConversationItem]] = rx.field(default_factory=list)
    more: bool = False  # the list holds the newest LIST_LENGTH; there are more
    selected_id: str = ""
    focus_id: str = ""  # the message a search found, shown and scrolled to
    header: ThreadHeader = ThreadHeader()
    bubbles: list[Bubble] = []
    appointments: rx.Field[list[LinkedAppointment]] = rx.field(default_factory=list)
    draft: str = ""
    loaded: bool = False

    @rx.var
    def result_label(self) -> str:
        count = len(self.items)
        if self.more:
            return f"Más de {count} resultados"
        return "1 resultado" if count == 1 else f"{count} resultados"

    def _load_list(self, viewer: Viewer) -> None:
        items = list_chats(viewer, self.query, limit=LIST_LENGTH + 1)
        more = len(items) > LIST_LENGTH
        items = items[:LIST_LENGTH]
        if more != self.more:
            self.more = more
        if items != self.items:
            self.items = items
        if not self.loaded:
            self.loaded = True

    def _load_thread(self, viewer: Viewer) -> None:
        if not self.selected_id:
            return
        thread = load_thread(viewer, self.selected_id, self.focus_id)
        if thread.header != self.header:
            self.header = thread.header
        if thread.bubbles != self.bubbles:
            self.bubbles = thread.bubbles
        if thread.appointments != self.appointments:
            self.appointments = thread.appointments

    def _live(self, viewer: Viewer) -> None:
        self._load_list(viewer)
        self._load_thread(viewer)

    @rx.event
    def open_page(self) -> Any:
        wanted = self.router.url.query_parameters.get("c", "")
        if wanted:
            self.selected_id = wanted
            self.focus_id = self.router.url.query_parameters.get("m", "")
        if self.router.url.query_parameters.get("q"):
            self.query = self.router.url.query_parameters["q"]

        def load(viewer: Viewer) -> None:
            self._load_list(viewer)
            if self.selected_id:
                try:
                    self._load_thread(viewer)
                except Exception:
                    self.selected_id = ""
                    raise

        return self._run(None, load)

    @rx.event
    def search(self, form: dict[str, Any]) -> Any:
        self.query = str(form.get("query", ""))
        return self._run(None, self._load_list)

    @rx.event
    def clear_search(self) -> Any:
        self.query = ""
        return self._run(None, self._load_list)

    @rx.event
    def close_thread(self) -> Any:
        """Back to the list (a phone shows one or the other)."""

        def close(_: Viewer) -> None:
            self.selected_id = ""
            self.focus_id = ""

        return self._run(None, close)

    @rx.event
    def select(self, conversation_id: str, message_id: str = "") -> Any:
        """Opens a conversation at its end, or at `message_id` (the message a search found)."""
        self.selected_id = conversation_id
        self.focus_id = message_id
        self.draft = ""
        self.header = ThreadHeader()
        self.bubbles = []
        self.appointments = []

        def load(viewer: Viewer) -> Any:
            self._load_thread(viewer)
            return rx.scroll_to(f"msg-{message_id}" if message_id else "thread-end")

        return self._run(None, load)

    @rx.event
    def take_over(self) -> Any:
        def run(viewer: Viewer) -> Any:
            take_over(viewer, self.selected_id)
            self._live(viewer)
            return rx.toast.info(
                "Tomaste la conversación: el asistente no responderá hasta que la devuelvas."
            )

        return self._run(routes.ALL_STAFF, run)

    @rx.event
    def hand_back(self) -> Any:
        def run(viewer: Viewer) -> Any:
            hand_back(viewer, self.selected_id)
            self._live(viewer)
            return rx.toast.success("El asistente vuelve a atender esta conversación.")

        return self._run(routes.ALL_STAFF, run)

    @rx.event
    def send(self, form: dict[str, Any]) -> Any:
        body = str(form.get("body", "")).strip()

        def run(viewer: Viewer) -> Any:
            if not body:
                return None
            reply(viewer, self.selected_id, body)
            self.draft = ""
            self._live(viewer)
            return rx.scroll_to("thread-end")

        return self._run(routes.ALL_STAFF, run)
