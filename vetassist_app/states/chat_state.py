"""Chat history: the clinic's WhatsApp conversations, search, thread, staff take-over."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import reflex as rx

from backend.core.clock import utcnow
from backend.services.chats import canned_replies, conversations, inbox, notes
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

LIST_LENGTH = 60  # a word search shows its newest matches
PAGE = inbox.PAGE_SIZE  # the list grows by keyset pages of this many ("Cargar más")
FILTER_LABEL = {
    "todas": "Todas",
    "sin_leer": "Sin leer",
    "mias": "Mías",
    "emergencias": "Emergencias",
    "equipo": "Tomadas por el equipo",
    "cerradas": "Cerradas",
}
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
    unread: bool = False
    assigned_label: str = ""  # "Asignada a Dra. X"
    mine: bool = False


@dataclass
class FilterTab:
    key: str = ""
    label: str = ""
    count: str = ""  # "", "3", "999+"


@dataclass
class StaffOption:
    id: str = ""
    name: str = ""


@dataclass
class CannedOption:
    id: str = ""
    shortcut: str = ""
    title: str = ""
    body: str = ""


@dataclass
class Bubble:
    id: str = ""
    side: str = "left"  # left: client; right: clinic (assistant, staff); center: system; note
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
    assigned_to: str = ""  # a staff member's id, or "none"


@dataclass
class Thread:
    header: ThreadHeader
    bubbles: list[Bubble] = field(default_factory=list)
    appointments: list[LinkedAppointment] = field(default_factory=list)
    staff: list[StaffOption] = field(default_factory=list)


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
        unread=item.unread,
        assigned_label=f"Asignada a {item.assigned_name}" if item.assigned_name else "",
        mine=item.assigned_to == viewer.user_id,
    )


def _passes(item: ConversationItem, name: str) -> bool:
    """A word search's result under the inbox filter `name` (the list's SQL says the same)."""
    return {
        "todas": True,
        "sin_leer": item.unread,
        "mias": item.mine,
        "emergencias": item.is_open and item.state in EMERGENCY_STATES,
        "equipo": item.is_open and item.taken_over,
        "cerradas": not item.is_open,
    }.get(name, True)


def list_chats(
    viewer: Viewer, query: str = "", *, limit: int = 60, filter: str = "todas"
) -> list[ConversationItem]:
    """Newest first; a query matches words of the messages, the client's name or phone digits."""
    now = utcnow()
    found = conversations.inbox(viewer.tenant_id, query, limit=limit, user_id=viewer.user_id)
    items = [_item(item, viewer, now) for item in found]
    return [item for item in items if _passes(item, filter)]


def count_label(count: int) -> str:
    return f"{inbox.COUNT_CAP}+" if count > inbox.COUNT_CAP else str(count)


@dataclass
class ListPage:
    items: list[ConversationItem]
    next_cursor: str
    tabs: list[FilterTab]


def list_page(
    viewer: Viewer, *, filter: str = "todas", after: str = "", limit: int = PAGE
) -> ListPage:
    """One keyset page of the inbox under `filter`, with every filter's count (first page)."""
    now = utcnow()
    found = conversations.inbox_page(
        viewer.tenant_id,
        viewer.user_id,
        filter=filter,
        after=after,
        limit=limit,
        with_counts=not after,
    )
    tabs = [
        FilterTab(key, label, count_label(found.counts[key]) if found.counts else "")
        for key, label in FILTER_LABEL.items()
    ]
    return ListPage([_item(i, viewer, now) for i in found.items], found.next_cursor, tabs)


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
        if message.direction == "internal":
            side = "note"
        bubbles.append(
            Bubble(
                id=str(message.id),
                side=side,
                author=message.author,
                author_label=(
                    f"Nota interna · {message.author_name}"
                    if side == "note" and message.author_name
                    else "Nota interna"
                    if side == "note"
                    else AUTHOR_LABEL.get(message.author, message.author)
                ),
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
        assigned_to=str(conversation.assigned_to) if conversation.assigned_to else "none",
    )
    upcoming_first = sorted(
        linked, key=lambda v: (v.conversation_id != key, -v.start_at.timestamp())
    )
    return Thread(
        header=header,
        bubbles=_bubbles(found.messages, tz, focus),
        appointments=[_linked(v, key, tz) for v in upcoming_first[:8]],
        staff=[StaffOption(str(k), name) for k, name in found.staff.items()],
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


def assign(viewer: Viewer, conversation_id: str, assignee: str) -> None:
    """Assigns the conversation to a staff member of the clinic ("none": to nobody)."""
    inbox.assign_from_inbox(
        tenant_id=viewer.tenant_id,
        conversation_id=parse_id(conversation_id),
        assignee_id=None if assignee in ("", "none") else parse_id(assignee),
        by_user_id=viewer.user_id,
    )


def add_note(viewer: Viewer, conversation_id: str, body: str) -> None:
    """An internal note: staff see it in the thread, the client never gets it."""
    notes.note_from_inbox(
        tenant_id=viewer.tenant_id,
        conversation_id=parse_id(conversation_id),
        body=body,
        user_id=viewer.user_id,
    )


def canned_options(viewer: Viewer) -> list[CannedOption]:
    return [
        CannedOption(str(r.id), r.shortcut, r.title, r.body)
        for r in canned_replies.clinic_replies(viewer.tenant_id)
    ]


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
    filter: str = "todas"
    tabs: rx.Field[list[FilterTab]] = rx.field(default_factory=list)
    items: rx.Field[list[ConversationItem]] = rx.field(default_factory=list)
    more: bool = False  # a word search: there are more matches than shown
    next_cursor: str = ""  # where "Cargar más" continues the list ("" at its end)
    selected_id: str = ""
    focus_id: str = ""  # the message a search found, shown and scrolled to
    header: ThreadHeader = ThreadHeader()
    bubbles: list[Bubble] = []
    appointments: rx.Field[list[LinkedAppointment]] = rx.field(default_factory=list)
    staff: rx.Field[list[StaffOption]] = rx.field(default_factory=list)
    draft: str = ""
    note_mode: bool = False  # the reply box writes an internal note instead
    canned: rx.Field[list[CannedOption]] = rx.field(default_factory=list)
    canned_open: bool = False  # the "Respuestas rápidas" dialog
    canned_edit_id: str = ""  # the reply being edited in the dialog ("" for a new one)
    canned_shortcut: str = ""
    canned_title: str = ""
    canned_body: str = ""
    loaded: bool = False

    @rx.var
    def result_label(self) -> str:
        count = len(self.items)
        if self.more:
            return f"Más de {count} resultados"
        return "1 resultado" if count == 1 else f"{count} resultados"

    @rx.var
    def suggestions(self) -> list[CannedOption]:
        """The canned replies offered while the reply starts with "/"."""
        if not self.draft.startswith("/") or " " in self.draft.strip():
            return []
        views = [
            canned_replies.CannedReplyView(uuid.UUID(c.id), c.shortcut, c.title, c.body)
            for c in self.canned
        ]
        wanted = {v.id for v in canned_replies.matching(views, self.draft)}
        return [c for c in self.canned if uuid.UUID(c.id) in wanted][:6]

    def _set_list(self, items: list[ConversationItem], cursor: str, more: bool) -> None:
        if items != self.items:
            self.items = items
        if cursor != self.next_cursor:
            self.next_cursor = cursor
        if more != self.more:
            self.more = more
        if not self.loaded:
            self.loaded = True

    def _load_list(self, viewer: Viewer) -> None:
        """The list from the top again, as long as it was (live updates), with the counts."""
        if self.query.strip():
            items = list_chats(viewer, self.query, limit=LIST_LENGTH + 1, filter=self.filter)
            page = list_page(viewer, filter=self.filter, limit=1)
            if page.tabs != self.tabs:
                self.tabs = page.tabs
            self._set_list(items[:LIST_LENGTH], "", len(items) > LIST_LENGTH)
            return
        shown = min(max(len(self.items), PAGE), inbox.MAX_PAGE)
        page = list_page(viewer, filter=self.filter, limit=shown)
        if page.tabs != self.tabs:
            self.tabs = page.tabs
        self._set_list(page.items, page.next_cursor, False)

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
        if thread.staff != self.staff:
            self.staff = thread.staff
        if inbox.mark_read_from_inbox(
            tenant_id=viewer.tenant_id,
            user_id=viewer.user_id,
            conversation_id=parse_id(self.selected_id),
        ):
            for item in self.items:
                if item.id == self.selected_id and item.unread:
                    item.unread = False
                    self.items = list(self.items)

    def _live(self, viewer: Viewer) -> None:
        if len(self.items) <= inbox.MAX_PAGE:  # a list grown longer keeps its rows
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

        def load(viewer: Viewer) -> Any:
            self.canned = canned_options(viewer)
            self._load_list(viewer)
            if self.selected_id:
                try:
                    self._load_thread(viewer)
                except Exception:
                    self.selected_id = ""
                    raise
                return rx.scroll_to(f"msg-{self.focus_id}" if self.focus_id else "thread-end")
            return None

        return self._run(None, load)

    @rx.event
    def choose_filter(self, name: str) -> Any:
        """Shows one filter's conversations from the top."""

        def load(viewer: Viewer) -> Any:
            if name not in FILTER_LABEL:
                return rx.toast.error("Ese filtro no existe.")
            self.filter = name
            self.items = []
            self.next_cursor = ""
            self._load_list(viewer)
            return None

        return self._run(None, load)

    @rx.event
    def load_more(self) -> Any:
        """The next keyset page after the last row shown."""

        def load(viewer: Viewer) -> None:
            if not self.next_cursor or self.query.strip():
                return
            page = list_page(viewer, filter=self.filter, after=self.next_cursor)
            shown = {item.id for item in self.items}
            self._set_list(
                self.items + [i for i in page.items if i.id not in shown], page.next_cursor, False
            )

        return self._run(None, load)

    @rx.event
    def search(self, form: dict[str, Any]) -> Any:
        self.query = str(form.get("query", ""))
        self.items = []
        return self._run(None, self._load_list)

    @rx.event
    def clear_search(self) -> Any:
        self.query = ""
        self.items = []
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
        """Opens a conversation at its end, or at `message_id` (the message a search found);
        opening it marks it read for the viewer."""
        self.selected_id = conversation_id
        self.focus_id = message_id
        self.draft = ""
        self.note_mode = False
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
    def assign_to(self, assignee: str) -> Any:
        """The thread header's "Asignar a" menu."""

        def run(viewer: Viewer) -> Any:
            assign(viewer, self.selected_id, assignee)
            self._live(viewer)
            if assignee in ("", "none"):
                return rx.toast.info("La conversación quedó sin asignar.")
            name = next((s.name for s in self.staff if s.id == assignee), "")
            return rx.toast.success(f"Conversación asignada a {name}.")

        return self._run(routes.ALL_STAFF, run)

    @rx.event
    def set_draft(self, value: str) -> None:
        self.draft = value

    @rx.event
    def toggle_note(self, on: bool) -> None:
        self.note_mode = on

    @rx.event
    def use_canned(self, body: str) -> Any:
        """Puts a canned reply's text in the reply box (to be read and sent by hand)."""
        self.draft = body
        self.canned_open = False
        return rx.set_focus("reply-input")

    @rx.event
    def send(self, form: dict[str, Any]) -> Any:
        body = str(form.get("body", "") or self.draft).strip()

        def run(viewer: Viewer) -> Any:
            if not body:
                return None
            if self.note_mode:
                add_note(viewer, self.selected_id, body)
            else:
                reply(viewer, self.selected_id, body)
            self.draft = ""
            self._live(viewer)
            return rx.scroll_to("thread-end")

        return self._run(routes.ALL_STAFF, run)

    @rx.event
    def open_canned(self, open_: bool = True) -> Any:
        """The "Respuestas rápidas" dialog: the clinic's replies, to insert or manage."""
        self.canned_open = open_
        self._edit_canned(None)
        if not open_:
            return None

        def load(viewer: Viewer) -> None:
            self.canned = canned_options(viewer)

        return self._run(None, load)

    def _edit_canned(self, option: CannedOption | None) -> None:
        self.canned_edit_id = option.id if option else ""
        self.canned_shortcut = option.shortcut if option else ""
        self.canned_title = option.title if option else ""
        self.canned_body = option.body if option else ""

    @rx.event
    def edit_canned(self, reply_id: str) -> None:
        self._edit_canned(next((c for c in self.canned if c.id == reply_id), None))

    @rx.event
    def new_canned(self) -> None:
        self._edit_canned(None)

    @rx.event
    def set_canned_shortcut(self, value: str) -> None:
        self.canned_shortcut = value

    @rx.event
    def set_canned_title(self, value: str) -> None:
        self.canned_title = value

    @rx.event
    def set_canned_body(self, value: str) -> None:
        self.canned_body = value

    @rx.event
    def save_canned(self) -> Any:
        def run(viewer: Viewer) -> Any:
            canned_replies.save_reply(
                tenant_id=viewer.tenant_id,
                reply_id=parse_id(self.canned_edit_id) if self.canned_edit_id else None,
                shortcut=self.canned_shortcut,
                title=self.canned_title,
                body=self.canned_body,
            )
            self.canned = canned_options(viewer)
            self._edit_canned(None)
            return rx.toast.success("Respuesta rápida guardada.")

        return self._run(routes.ALL_STAFF, run)

    @rx.event
    def delete_canned(self, reply_id: str) -> Any:
        def run(viewer: Viewer) -> Any:
            canned_replies.delete_reply(tenant_id=viewer.tenant_id, reply_id=parse_id(reply_id))
            self.canned = canned_options(viewer)
            self._edit_canned(None)
            return rx.toast.info("Respuesta rápida eliminada.")

        return self._run(routes.ALL_STAFF, run)
