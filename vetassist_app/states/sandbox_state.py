"""The WhatsApp sandbox: staff chat with the assistant as a test client.

A message typed here goes through `assistant.sandbox.send_as_client`, the
webhook's path (stored, then answered after the commit), so what the clinic
tries is what its clients get, without Twilio. Only fictional test numbers
are used, so a real client is never impersonated.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

from backend.core.clock import utcnow
from backend.domain.errors import DomainError, ValidationFailed
from backend.domain.sandbox_numbers import new_sandbox_number
from backend.services.assistant import sandbox
from backend.services.chats import conversations
from vetassist_app import routes
from vetassist_app.formatting import hhmm, phone_display
from vetassist_app.states.access import Viewer
from vetassist_app.states.chat_state import Bubble, LinkedAppointment, Thread, load_thread
from vetassist_app.states.session_state import SessionState

SUGGESTIONS = (
    "Hola, quiero agendar una cita para mi perro",
    "Mañana en la mañana",
    "La primera opción",
    "Sí, confirmo",
    "Mi gato está convulsionando, ayuda",
)


def send_as_client(viewer: Viewer, phone: str, body: str) -> str:
    """Stores `body` as a message from the test number `phone`, typed by the viewer, and lets
    the assistant answer it. Returns the id of the phone's conversation (for the thread)."""
    sandbox.send_as_client(
        tenant_id=viewer.tenant_id, staff_id=viewer.user_id, phone=phone, body=body
    )
    return conversation_of(viewer, phone)


def conversation_of(viewer: Viewer, phone: str) -> str:
    """The newest conversation of this phone in the viewer's clinic ('' if none yet)."""
    found = conversations.newest_conversation_of(viewer.tenant_id, phone)
    return str(found) if found is not None else ""


def read_thread(
    viewer: Viewer, phone: str, conversation_id: str
) -> tuple[str, Thread | None, list[str]]:
    """The phone's conversation (the one given, else its newest), its thread, if any, and
    what the assistant did in it, in plain words."""
    conversation_id = conversation_id or conversation_of(viewer, phone)
    if not conversation_id:
        return "", None, []
    done = sandbox.steps(tenant_id=viewer.tenant_id, conversation_id=uuid.UUID(conversation_id))
    return conversation_id, load_thread(viewer, conversation_id), done


def pending_bubble(body: str, viewer: Viewer) -> Bubble:
    """The client's message as it shows until the assistant has answered it."""
    return Bubble(
        id="pending",
        side="left",
        author="client",
        author_label="Cliente",
        body=body.strip(),
        time=hhmm(utcnow(), viewer.timezone),
        ticks="queued",
    )


class SandboxState(SessionState):
    phone: str = ""
    conversation_id: str = ""
    bubbles: rx.Field[list[Bubble]] = rx.field(default_factory=list)
    appointments: rx.Field[list[LinkedAppointment]] = rx.field(default_factory=list)
    steps: rx.Field[list[str]] = rx.field(default_factory=list)
    error: str = ""
    enabled: bool = True  # off in production, except in demo clinics
    answering: bool = False  # a message is with the assistant

    @rx.var(cache=True)
    def phone_label(self) -> str:
        return phone_display(self.phone)

    @rx.var(cache=True)
    def suggestions(self) -> list[str]:
        return list(SUGGESTIONS)

    def _show(self, conversation_id: str, thread: Thread | None, steps: list[str]) -> None:
        """Sets only what changed: an unchanged thread is not sent to the browser again."""
        self.conversation_id = conversation_id
        if thread is None:
            self.bubbles, self.appointments, self.steps = [], [], []
            return
        if thread.bubbles != self.bubbles:
            self.bubbles = thread.bubbles
        if thread.appointments != self.appointments:
            self.appointments = thread.appointments
        if steps != self.steps:
            self.steps = steps

    def _load(self, viewer: Viewer) -> None:
        self.enabled = sandbox.available(viewer.tenant_id)
        if not self.phone:
            self.phone = new_sandbox_number()
        self._show(*read_thread(viewer, self.phone, self.conversation_id))

    def _live(self, viewer: Viewer) -> None:
        if not self.answering:  # the send shows its own outcome when the assistant is done
            self._load(viewer)

    @rx.event
    def open_page(self) -> Any:
        return self._run(None, self._load)

    @rx.event
    def new_client(self) -> Any:
        """Starts over as a client the clinic has never seen."""
        self.phone = new_sandbox_number()
        self.conversation_id = ""
        self.error = ""
        return self._run(None, self._load)

    @rx.event
    def use_phone(self, form: dict[str, Any]) -> Any:
        raw = str(form.get("phone", "")).strip()

        def run(viewer: Viewer) -> None:
            try:
                self.phone = sandbox.sandbox_number(raw, viewer.country)
            except ValidationFailed:
                self.error = (
                    "Usa un número de prueba (+1, 555 01xx, ej. +1 202 555 0147): "
                    "el sandbox nunca escribe como un cliente real."
                )
                return
            self.error = ""
            self.conversation_id = ""
            self._load(viewer)

        return self._run(None, run)

    @rx.event(background=True)
    async def send(self, form: dict[str, Any]) -> AsyncIterator[Any]:
        async for event in self._send(str(form.get("body", ""))):
            yield event

    @rx.event(background=True)
    async def send_suggestion(self, body: str) -> AsyncIterator[Any]:
        async for event in self._send(body):
            yield event

    async def _send(self, body: str) -> AsyncIterator[Any]:
        """Shows the message at once, lets the assistant answer it off the event loop
        (it may take seconds: an LLM, the booking rules), then shows the answer."""
        if not body.strip():
            return
        async with self:
            viewer, refusal = self._access(routes.ALL_STAFF)
            busy = self.answering
            if viewer is not None and not busy:
                phone = self.phone
                self.answering = True
                self.bubbles = [*self.bubbles, pending_bubble(body, viewer)]
        if viewer is None:
            yield refusal
            return
        if busy:
            yield rx.toast.info("Espera la respuesta del asistente antes de escribir otra vez.")
            return
        yield rx.scroll_to("sandbox-end")
        failure: DomainError | None = None
        shown: tuple[str, Thread | None, list[str]] | None = None
        try:
            conversation_id = await rx.run_in_thread(lambda: send_as_client(viewer, phone, body))
            shown = await rx.run_in_thread(lambda: read_thread(viewer, phone, conversation_id))
        except DomainError as exc:
            failure = exc
        finally:
            async with self:
                self.answering = False
                if self.phone == phone:  # not switched to another client meanwhile
                    if shown is not None:
                        self._show(*shown)
                    else:
                        self.bubbles = [b for b in self.bubbles if b.id != "pending"]
                events = self._explain(failure, viewer) if failure is not None else []
        for event in events:
            yield event
        yield rx.scroll_to("sandbox-end")
