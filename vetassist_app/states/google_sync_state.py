"""Settings → Google Calendar: connect or disconnect the clinic's Google account, each
doctor's calendar, the connection's health and what failed; retry all."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import reflex as rx

from backend.domain.errors import DomainError
from backend.services.calendar_sync import health, oauth
from backend.services.calendar_sync.oauth import CalendarInfo
from vetassist_app import routes
from vetassist_app.formatting import date_time, plural
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.messages import spanish
from vetassist_app.states.session_state import SessionState

STATUS_LABEL = {
    "none": "Sin conectar",
    "connected": "Conectado",
    "broken": "Conexión rota: hay que volver a conectar",
    "disconnected": "Desconectado",
}
STATUS_COLOR = {"none": "gray", "connected": "green", "broken": "red", "disconnected": "gray"}
NO_SYNC = "__no_sync__"
"""The select's value for "No sincronizar" (a select item cannot have an empty value)."""


@dataclass
class DoctorLine:
    doctor_id: str = ""
    name: str = ""
    calendar: str = ""
    choice: str = NO_SYNC
    busy_read: str = ""
    counts: str = ""
    has_failures: bool = False


@dataclass
class FailureLine:
    id: str = ""
    when: str = ""
    who: str = ""
    error: str = ""


@dataclass
class CalendarOption:
    id: str = ""
    label: str = ""


def doctor_lines(found: health.SyncHealth, tz: str) -> list[DoctorLine]:
    return [
        DoctorLine(
            doctor_id=str(d.doctor_id),
            name=d.doctor_name,
            calendar=d.calendar_id or "Sin calendario",
            choice=d.calendar_id or NO_SYNC,
            busy_read=date_time(d.busy_read_at, tz) if d.busy_read_at else "Nunca",
            counts=f"{plural(d.failed, 'fallida', 'fallidas')} · "
            f"{plural(d.pending, 'pendiente', 'pendientes')}",
            has_failures=d.failed > 0,
        )
        for d in found.doctors
    ]


def failure_lines(found: health.SyncHealth, tz: str) -> list[FailureLine]:
    return [
        FailureLine(
            id=str(f.appointment_id),
            when=date_time(f.start_at, tz),
            who=f"{f.client_name or 'Sin nombre'} · {f.doctor_name}",
            error=f.error,
        )
        for f in found.failures
    ]


def calendar_options(calendars: list[CalendarInfo], chosen: list[str]) -> list[CalendarOption]:
    """The account's writable calendars, plus any a doctor uses that the list lacks (set
    from the CLI, or since unshared), so each select shows the current choice."""
    options = [
        CalendarOption(id=c.id, label=f"{c.summary} (principal)" if c.primary else c.summary)
        for c in calendars
    ]
    listed = {c.id for c in calendars}
    options += [
        CalendarOption(id=c, label=c) for c in dict.fromkeys(chosen) if c and c not in listed
    ]
    return options


def outcome_message(params: dict[str, str]) -> tuple[str, bool]:
    """The callback's outcome (`?google=conectado|error&motivo=…`) in Spanish, and whether
    it went well; ("", True) when the page was opened otherwise."""
    result = params.get("google", "")
    if result == "conectado":
        return "Google Calendar quedó conectado: falta elegir el calendario de cada médico.", True
    if result == "error":
        reason = params.get("motivo", "")
        return oauth.MESSAGES.get(reason, oauth.MESSAGES["google"]), False
    return "", True


class GoogleSyncState(SessionState):
    enabled: bool = False
    status_label: str = ""
    status_color: str = "gray"
    broken: bool = False
    connected: bool = False
    can_connect: bool = False
    account: str = ""
    reason: str = ""
    outcome: str = ""
    outcome_ok: bool = True
    doctors: rx.Field[list[DoctorLine]] = rx.field(default_factory=list)
    failures: rx.Field[list[FailureLine]] = rx.field(default_factory=list)
    calendars: rx.Field[list[CalendarOption]] = rx.field(default_factory=list)
    calendars_loading: bool = False
    calendars_error: str = ""
    confirm_disconnect: bool = False

    def _load(self, viewer: Viewer) -> Any:
        """Reads the clinic's sync; returns the read of its calendars from Google when
        connected (a background event), for the page's first load."""
        found = health.sync_health(viewer.tenant_id)
        self.enabled = found.enabled
        self.status_label = STATUS_LABEL.get(found.status, found.status)
        self.status_color = STATUS_COLOR.get(found.status, "gray")
        self.broken = found.status == "broken"
        self.connected = found.enabled and found.status == "connected"
        self.can_connect = found.enabled and not self.connected
        self.account = found.account_email or ""
        self.reason = found.broken_reason or ""
        self.doctors = doctor_lines(found, viewer.timezone)
        self.failures = failure_lines(found, viewer.timezone)
        if not self.connected:
            self.calendars = []
            self.calendars_error = ""
            return None
        return GoogleSyncState.load_calendars

    @rx.event
    def load(self) -> Any:
        self.outcome, self.outcome_ok = outcome_message(dict(self.router.url.query_parameters))
        return self._run(routes.MANAGEMENT, self._load)

    @rx.event(background=True)
    async def load_calendars(self) -> Any:
        """The account's calendars, read from Google off the event loop (one call)."""
        async with self:
            viewer, refusal = self._access(routes.MANAGEMENT)
            if viewer is None:
                return refusal
            self.calendars_loading = True
        try:
            found, error = await asyncio.to_thread(oauth.calendars_of, viewer.tenant_id), ""
        except oauth.GoogleConnectFailed as exc:
            found, error = [], exc.message
        except DomainError as exc:
            found, error = [], spanish(exc)
        async with self:
            chosen = [d.choice for d in self.doctors if d.choice != NO_SYNC]
            self.calendars = calendar_options(found, chosen)
            self.calendars_error = error
            self.calendars_loading = False
        return None

    @rx.event
    def connect(self) -> Any:
        """To Google's consent page; Google sends the browser back to /oauth/google/callback."""
        return self._run(
            routes.MANAGEMENT,
            lambda viewer: rx.redirect(oauth.authorization_url(viewer.tenant_id, viewer.user_id)),
        )

    @rx.event
    def set_confirm_disconnect(self, open_: bool) -> None:
        self.confirm_disconnect = open_

    @rx.event
    def disconnect(self) -> Any:
        def run(viewer: Viewer) -> Any:
            self.confirm_disconnect = False
            oauth.disconnect(viewer.tenant_id, viewer.actor)
            self.outcome = ""
            self._load(viewer)
            return rx.toast.success("Google Calendar quedó desconectado.")

        return self._run(routes.MANAGEMENT, run)

    @rx.event
    def save_calendar(self, form: dict[str, Any]) -> Any:
        def run(viewer: Viewer) -> Any:
            chosen = str(form.get("calendar_id") or NO_SYNC)
            oauth.choose_calendar(
                viewer.tenant_id,
                parse_id(form.get("doctor_id")),
                None if chosen == NO_SYNC else chosen,
            )
            self._load(viewer)  # the calendar list is still current: not read again
            message = (
                "El médico ya no se sincroniza con Google Calendar."
                if chosen == NO_SYNC
                else "Calendario guardado: sus próximas citas se escriben en él."
            )
            return rx.toast.success(message)

        return self._run(routes.MANAGEMENT, run)

    @rx.event
    def retry_all(self) -> Any:
        def run(viewer: Viewer) -> Any:
            count = health.retry_all_failed(viewer.tenant_id)
            self._load(viewer)
            if not count:
                return rx.toast.info("No hay citas fallidas que reintentar.")
            return rx.toast.success(
                plural(count, "cita enviada", "citas enviadas") + " de nuevo a Google Calendar."
            )

        return self._run(routes.MANAGEMENT, run)
