"""The manager's week at a glance: appointments, WhatsApp activity, emergencies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from backend.core.clock import utcnow
from backend.services.reports import clinic_stats
from vetassist_app import routes
from vetassist_app.calendar_layout import week_start
from vetassist_app.formatting import (
    APPOINTMENT_STATUS,
    EMERGENCY_STATUS,
    FOLLOW_UP_STATUS,
    SOURCE_LABEL,
    WEEKDAYS_SHORT,
    plural,
    week_range,
)
from vetassist_app.states.access import Viewer
from vetassist_app.states.session_state import SessionState

STATUS_BAR_COLOR = {
    "pending": "var(--amber-9)",
    "confirmed": "var(--teal-9)",
    "completed": "var(--blue-9)",
    "no_show": "var(--orange-9)",
    "cancelled": "var(--gray-8)",
}


EMERGENCY_BAR_COLOR = {
    "active": "var(--red-9)",
    "acknowledged": "var(--amber-9)",
    "resolved": "var(--green-9)",
    "false_alarm": "var(--gray-8)",
}
FOLLOW_UP_TABS = ("pending", "sent", "responded", "escalated")
FOLLOW_UP_BAR_COLOR = {
    "pending": "var(--gray-8)",
    "sent": "var(--blue-9)",
    "responded": "var(--green-9)",
    "escalated": "var(--red-9)",
}
WHATSAPP_LABEL = {
    "in": "Mensajes recibidos",
    "assistant": "Respuestas del asistente",
    "staff": "Respuestas del equipo",
    "taken": "Conversaciones tomadas por el equipo",
}


@dataclass
class Bar:
    label: str = ""
    value: int = 0
    width: str = "0%"
    color: str = "var(--accent-9)"


@dataclass
class Kpi:
    label: str = ""
    value: str = ""
    hint: str = ""
    icon: str = "activity"


@dataclass
class DayBar:
    label: str = ""
    value: int = 0
    height: str = "0px"


@dataclass
class Dashboard:
    title: str
    kpis: list[Kpi] = field(default_factory=list)
    by_status: list[Bar] = field(default_factory=list)
    by_source: list[Bar] = field(default_factory=list)
    by_day: list[DayBar] = field(default_factory=list)
    emergencies: list[Bar] = field(default_factory=list)
    whatsapp: list[Bar] = field(default_factory=list)
    follow_ups: list[Bar] = field(default_factory=list)


def _bars(
    counts: dict[str, int], labels: dict[str, str], colors: dict[str, str] | None = None
) -> list[Bar]:
    top = max(counts.values(), default=0) or 1
    return [
        Bar(
            label=labels.get(key, key),
            value=counts.get(key, 0),
            width=f"{round(100 * counts.get(key, 0) / top)}%",
            color=(colors or {}).get(key, "var(--accent-9)"),
        )
        for key in labels
        if key in counts or colors is not None
    ]


def no_show_kpi(by_status: dict[str, int]) -> Kpi:
    """The week's no-show rate: missed visits among those that were due."""
    rate = clinic_stats.no_show_rate(by_status)
    missed = by_status.get("no_show", 0)
    due = missed + by_status.get("completed", 0)
    return Kpi(
        "Tasa de inasistencia",
        "—" if rate is None else f"{round(100 * rate)}%",
        f"{plural(missed, 'inasistencia', 'inasistencias')} en {plural(due, 'cita', 'citas')}"
        if due
        else "sin citas completadas ni inasistencias",
        "user_x",
    )


def week_dashboard(viewer: Viewer, monday: date | None = None) -> Dashboard:
    """Counts for the clinic's week (Monday to Sunday in its zone)."""
    zone = ZoneInfo(viewer.timezone)
    today = utcnow().astimezone(zone).date()
    monday = monday or week_start(today)
    start = datetime.combine(monday, time(0), zone)
    end = start + timedelta(days=7)
    stats = clinic_stats.clinic_stats(viewer.tenant_id, start, end, tz_name=viewer.timezone)
    booked = sum(v for k, v in stats.appointments_by_status.items() if k != "cancelled")
    by_assistant = stats.appointments_by_source.get("whatsapp", 0)
    open_emergencies = stats.emergencies_by_status.get(
        "active", 0
    ) + stats.emergencies_by_status.get("acknowledged", 0)
    wait = stats.minutes_to_acknowledge
    kpis = [
        Kpi(
            "Citas de la semana",
            str(booked),
            f"{stats.appointments_by_status.get('cancelled', 0)} canceladas",
            "calendar_days",
        ),
        Kpi(
            "Agendadas por WhatsApp",
            str(by_assistant),
            f"{round(100 * by_assistant / booked) if booked else 0}% del total",
            "bot",
        ),
        Kpi(
            "Mensajes de clientes",
            str(stats.messages_in),
            f"{stats.conversations_started} conversaciones nuevas",
            "messages_square",
        ),
        Kpi(
            "Emergencias",
            str(sum(stats.emergencies_by_status.values())),
            (
                f"{open_emergencies} abierta{'s' if open_emergencies != 1 else ''} · "
                if open_emergencies
                else ""
            )
            + (
                f"atención en {wait:.0f} min promedio"
                if wait is not None
                else "sin tiempos de atención"
            ),
            "siren",
        ),
        no_show_kpi(stats.appointments_by_status),
    ]
    top_day = max(stats.appointments_by_day.values(), default=0) or 1
    by_day = [
        DayBar(
            label=f"{WEEKDAYS_SHORT[date.fromisoformat(day).weekday()]} {date.fromisoformat(day).day}",
            value=count,
            height=f"{round(140 * count / top_day)}px",
        )
        for day, count in sorted(stats.appointments_by_day.items())
    ]
    whatsapp = {
        "in": stats.messages_in,
        "assistant": stats.messages_out_assistant,
        "staff": stats.messages_out_staff,
        "taken": stats.conversations_taken_over,
    }
    return Dashboard(
        title=week_range(monday),
        kpis=kpis,
        by_status=_bars(stats.appointments_by_status, APPOINTMENT_STATUS, STATUS_BAR_COLOR),
        by_source=_bars(
            stats.appointments_by_source,
            SOURCE_LABEL,
            dict.fromkeys(SOURCE_LABEL, "var(--accent-9)"),
        ),
        by_day=by_day,
        emergencies=_bars(
            {**dict.fromkeys(EMERGENCY_STATUS, 0), **stats.emergencies_by_status},
            EMERGENCY_STATUS,
            EMERGENCY_BAR_COLOR,
        ),
        whatsapp=_bars(whatsapp, WHATSAPP_LABEL, dict.fromkeys(WHATSAPP_LABEL, "var(--green-9)")),
        follow_ups=_bars(
            {**dict.fromkeys(FOLLOW_UP_TABS, 0), **stats.follow_ups_by_status},
            {k: FOLLOW_UP_STATUS[k] for k in FOLLOW_UP_TABS},
            FOLLOW_UP_BAR_COLOR,
        ),
    )


class AnalyticsState(SessionState):
    title: str = ""
    anchor: str = ""
    kpis: list[Kpi] = []
    by_status: rx.Field[list[Bar]] = rx.field(default_factory=list)
    by_source: rx.Field[list[Bar]] = rx.field(default_factory=list)
    by_day: list[DayBar] = []
    emergencies: rx.Field[list[Bar]] = rx.field(default_factory=list)
    whatsapp: rx.Field[list[Bar]] = rx.field(default_factory=list)
    follow_ups: rx.Field[list[Bar]] = rx.field(default_factory=list)
    loaded: bool = False

    def _load(self, viewer: Viewer) -> None:
        monday = date.fromisoformat(self.anchor) if self.anchor else None
        data = week_dashboard(viewer, monday)
        self.title = data.title
        self.kpis = data.kpis
        self.by_status = data.by_status
        self.by_source = data.by_source
        self.by_day = data.by_day
        self.emergencies = data.emergencies
        self.whatsapp = data.whatsapp
        self.follow_ups = data.follow_ups
        self.loaded = True

    @rx.event
    def open_page(self) -> Any:
        self.anchor = ""
        return self._run(routes.MANAGEMENT, self._load)

    def _shift(self, viewer: Viewer, weeks: int) -> None:
        zone = ZoneInfo(viewer.timezone)
        current = (
            date.fromisoformat(self.anchor)
            if self.anchor
            else week_start(utcnow().astimezone(zone).date())
        )
        self.anchor = (current + timedelta(days=7 * weeks)).isoformat()
        self._load(viewer)

    @rx.event
    def previous_week(self) -> Any:
        return self._run(routes.MANAGEMENT, lambda v: self._shift(v, -1))

    @rx.event
    def next_week(self) -> Any:
        return self._run(routes.MANAGEMENT, lambda v: self._shift(v, 1))
