"""Settings → Google Calendar: the connection, each doctor's calendar, what failed; retry all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from backend.services.calendar_sync import health
from vetassist_app import routes
from vetassist_app.formatting import date_time, plural
from vetassist_app.states.access import Viewer
from vetassist_app.states.session_state import SessionState

STATUS_LABEL = {
    "none": "Sin conectar",
    "connected": "Conectado",
    "broken": "Conexión rota: hay que volver a conectar",
    "disconnected": "Desconectado",
}
STATUS_COLOR = {"none": "gray", "connected": "green", "broken": "red", "disconnected": "gray"}


@dataclass
class DoctorLine:
    name: str = ""
    calendar: str = ""
    busy_read: str = ""
    counts: str = ""
    has_failures: bool = False


@dataclass
class FailureLine:
    id: str = ""
    when: str = ""
    who: str = ""
    error: str = ""


def doctor_lines(found: health.SyncHealth, tz: str) -> list[DoctorLine]:
    return [
        DoctorLine(
            name=d.doctor_name,
            calendar=d.calendar_id or "Sin calendario",
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


class GoogleSyncState(SessionState):
    enabled: bool = False
    status_label: str = ""
    status_color: str = "gray"
    broken: bool = False
    account: str = ""
    reason: str = ""
    doctors: rx.Field[list[DoctorLine]] = rx.field(default_factory=list)
    failures: rx.Field[list[FailureLine]] = rx.field(default_factory=list)

    def _load(self, viewer: Viewer) -> None:
        found = health.sync_health(viewer.tenant_id)
        self.enabled = found.enabled
        self.status_label = STATUS_LABEL.get(found.status, found.status)
        self.status_color = STATUS_COLOR.get(found.status, "gray")
        self.broken = found.status == "broken"
        self.account = found.account_email or ""
        self.reason = found.broken_reason or ""
        self.doctors = doctor_lines(found, viewer.timezone)
        self.failures = failure_lines(found, viewer.timezone)

    @rx.event
    def load(self) -> Any:
        return self._run(routes.MANAGEMENT, self._load)

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
