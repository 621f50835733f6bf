"""The heartbeat of an open portal tab: emergency banner and sound, live pages.

One background task per browser tab wakes every few seconds, checks cheap
"did anything change" markers and refreshes only what changed: the emergency
banner on every page, and the page being looked at (calendar, emergency
board, chats, sandbox). It stops when the tab disconnects or logs out, and
sends the tab to the login page when the session ends (idle timeout, absolute
limit, revoked). The beat does not count as activity: it never postpones the
idle timeout.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex_base.registry import RegistrationContext

from vetassist_app import routes
from vetassist_app.formatting import phone_display
from vetassist_app.states.access import NotLoggedIn, Viewer
from vetassist_app.states.session_state import SessionState

log = logging.getLogger(__name__)

PULSE_SECONDS = 3.0
MAX_WATCH_SECONDS = 24 * 3600
ALERT_SCRIPT = (
    "window.__vaAlerts = (window.__vaAlerts || 0) + 1;"
    "try { const a = new Audio('/alerta.wav'); a.volume = 1.0; a.play().catch(() => {}); }"
    " catch (e) {}"
)

_watching: set[str] = set()  # client tokens with a live loop in this process


@dataclass
class EmergencySummary:
    open_count: int = 0
    alarm_count: int = 0
    newest_id: str = ""
    newest_text: str = ""
    newest_since: str = ""
    active_ids: tuple[str, ...] = ()


def emergency_summary(viewer: Viewer) -> EmergencySummary:
    """Open emergencies of the viewer's clinic; `alarm` ones nobody has taken yet."""
    from vetassist_app.states.emergency_state import list_board

    board = list_board(viewer)
    open_items = [e for e in board if e.status in ("active", "acknowledged")]
    active = [e for e in open_items if e.status == "active"]
    newest = max(active, key=lambda e: e.created_iso, default=None)
    text = ""
    if newest is not None:
        pet = f"{newest.pet} · " if newest.pet else ""
        text = f"{pet}{newest.description[:90]} · {phone_display(newest.phone)}"
    return EmergencySummary(
        open_count=len(open_items),
        alarm_count=len(active),
        newest_id=newest.id if newest else "",
        newest_text=text,
        newest_since=newest.since_label if newest else "",
        active_ids=tuple(e.id for e in active),
    )


def _connected(client_token: str) -> bool:
    try:
        namespace = RegistrationContext.get().app.event_namespace
    except Exception:  # no app (unit tests): keep going, bounded by MAX_WATCH_SECONDS
        return True
    return namespace is None or client_token in namespace.token_to_sid


class PulseState(SessionState):
    """Emergency banner (every page) and the live refresh of the open page."""

    open_count: int = 0
    alarm_count: int = 0
    alarm_id: str = ""
    alarm_text: str = ""
    alarm_since: str = ""
    _heard: list[str] = []

    def _beat_emergencies(self, viewer: Viewer) -> bool:
        """Updates the banner; True when an emergency appeared that this tab has not rung for."""
        summary = emergency_summary(viewer)
        values = {
            "open_count": summary.open_count,
            "alarm_count": summary.alarm_count,
            "alarm_id": summary.newest_id,
            "alarm_text": summary.newest_text,
            "alarm_since": summary.newest_since,
        }
        for name, value in values.items():  # unchanged values are not sent again
            if getattr(self, name) != value:
                setattr(self, name, value)
        fresh = [i for i in summary.active_ids if i not in self._heard]
        if fresh:
            self._heard = (self._heard + fresh)[-200:]
        return bool(fresh)

    async def _beat_page(self, viewer: Viewer) -> None:
        from vetassist_app.states.calendar_state import CalendarState
        from vetassist_app.states.chat_state import ChatState
        from vetassist_app.states.emergency_state import EmergencyState
        from vetassist_app.states.sandbox_state import SandboxState

        path = self.router.url.path.rstrip("/") or "/"
        live: dict[str, Any] = {
            routes.AGENDA: CalendarState,
            routes.EMERGENCIES: EmergencyState,
            routes.CHATS: ChatState,
            routes.SANDBOX: SandboxState,
        }
        state_cls = live.get(path)
        if state_cls is not None:
            page_state = await self.get_state(state_cls)
            page_state._live(viewer)

    @rx.event
    def first_beat(self) -> Any:
        """on_load: fills the banner at once (ringing for any emergency this tab has not rung for)."""
        try:
            viewer = self._viewer(touch=False)
        except NotLoggedIn:
            return None
        try:
            rang = self._beat_emergencies(viewer)
        except Exception:  # the page itself must still open
            log.exception("emergency summary failed")
            rang = False
        if rang:
            return [rx.call_script(ALERT_SCRIPT), PulseState.watch]
        return PulseState.watch

    @rx.event(background=True)
    async def watch(self) -> Any:
        client = self.router.session.client_token
        if client in _watching:
            return
        _watching.add(client)
        started = time.monotonic()
        ended = False
        try:
            while _connected(client) and time.monotonic() - started < MAX_WATCH_SECONDS:
                await asyncio.sleep(PULSE_SECONDS)
                rang = False
                async with self:
                    try:
                        viewer = self._viewer(touch=False)
                    except NotLoggedIn:
                        ended = True
                        self._forget()
                        break
                    try:
                        rang = self._beat_emergencies(viewer)
                        await self._beat_page(viewer)
                    except Exception:  # a failed beat must not end the tab's live updates
                        log.exception("portal pulse failed")
                if rang:
                    yield rx.call_script(ALERT_SCRIPT)
            if ended:
                yield rx.redirect(routes.LOGIN)
        finally:
            _watching.discard(client)
