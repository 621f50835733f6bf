"""The WhatsApp sandbox: staff chat with the assistant as a client's phone.

A message typed here goes through `assistant.accept`, as the webhook's
messages do (stored, then answered after the commit), so what the clinic
tries is what its clients get, without Twilio.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import reflex as rx

from backend.core.config import settings
from backend.core.db import session_scope
from backend.domain.errors import ValidationFailed
from backend.services.assistant.inbound import InboundMessage, accept
from backend.services.chats import conversations
from backend.services.phones import to_e164
from vetassist_app import routes
from vetassist_app.formatting import phone_display
from vetassist_app.states.access import Viewer
from vetassist_app.states.chat_state import Bubble, LinkedAppointment, load_thread
from vetassist_app.states.session_state import SessionState

SUGGESTIONS = (
    "Hola, quiero agendar una cita para mi perro",
    "Mañana en la mañana",
    "La primera opción",
    "Sí, confirmo",
    "Mi gato está convulsionando, ayuda",
)


def sandbox_phone() -> str:
    """A fresh Colombian mobile number for a new test client."""
    return f"+57300{random.randint(1000000, 9999999)}"


def send_as_client(viewer: Viewer, phone: str, body: str) -> str:
    """Stores `body` as an inbound message from `phone` and lets the assistant answer it.

    Returns the id of the phone's conversation (for the thread view).
    """
    text = body.strip()
    if not text:
        raise ValidationFailed("the message is empty", field="body")
    with session_scope() as session:
        tenant = viewer.tenant(session)
        from_phone = to_e164(phone, tenant.country)
        clinic = tenant.whatsapp_numbers[0] if tenant.whatsapp_numbers else "+10000000000"
    accept(
        InboundMessage(
            tenant_id=viewer.tenant_id,
            from_phone=from_phone,
            to_phone=clinic,
            body=text,
            provider_sid=f"SANDBOX{uuid.uuid4().hex}",
        )
    )
    return conversation_of(viewer, from_phone)


def conversation_of(viewer: Viewer, phone: str) -> str:
    """The newest conversation of this phone in the viewer's clinic ('' if none yet)."""
    with session_scope() as session:
        tenant = viewer.tenant(session)
        rows, _ = conversations.list_conversations(session, tenant, phone=phone, limit=1)
    return str(rows[0].conversation.id) if rows else ""


class SandboxState(SessionState):
    phone: str = ""
    conversation_id: str = ""
    bubbles: rx.Field[list[Bubble]] = rx.field(default_factory=list)
    appointments: rx.Field[list[LinkedAppointment]] = rx.field(default_factory=list)
    state_label: str = ""
    error: str = ""
    real_channel: bool = False

    @rx.var(cache=True)
    def phone_label(self) -> str:
        return phone_display(self.phone)

    @rx.var(cache=True)
    def suggestions(self) -> list[str]:
        return list(SUGGESTIONS)

    def _load(self, viewer: Viewer) -> None:
        if not self.phone:
            self.phone = sandbox_phone()
        if not self.conversation_id:
            self.conversation_id = conversation_of(viewer, self.phone)
        if not self.conversation_id:
            self.bubbles, self.appointments, self.state_label = [], [], ""
            return
        thread = load_thread(viewer, self.conversation_id)
        if thread.bubbles != self.bubbles:
            self.bubbles = thread.bubbles
        if thread.appointments != self.appointments:
            self.appointments = thread.appointments
        if thread.header.state_label != self.state_label:
            self.state_label = thread.header.state_label

    def _live(self, viewer: Viewer) -> None:
        self._load(viewer)

    @rx.event
    def open_page(self) -> Any:
        self.real_channel = settings.WHATSAPP_CHANNEL != "sandbox"
        return self._run(None, self._load)

    @rx.event
    def new_client(self) -> Any:
        """Starts over as a client the clinic has never seen."""
        self.phone = sandbox_phone()
        self.conversation_id = ""
        self.error = ""
        return self._run(None, self._load)

    @rx.event
    def use_phone(self, form: dict[str, Any]) -> Any:
        raw = str(form.get("phone", "")).strip()

        def run(viewer: Viewer) -> None:
            try:
                self.phone = to_e164(raw, viewer.country)
            except ValidationFailed:
                self.error = "Ese número no es válido."
                return
            self.error = ""
            self.conversation_id = ""
            self._load(viewer)

        return self._run(None, run)

    @rx.event
    def send(self, form: dict[str, Any]) -> Any:
        body = str(form.get("body", ""))
        return self._send(body)

    @rx.event
    def send_suggestion(self, body: str) -> Any:
        return self._send(body)

    def _send(self, body: str) -> Any:
        def run(viewer: Viewer) -> Any:
            if not body.strip():
                return None
            self.conversation_id = send_as_client(viewer, self.phone, body)
            self._load(viewer)
            return rx.scroll_to("sandbox-end")

        return self._run(routes.ALL_STAFF, run)
