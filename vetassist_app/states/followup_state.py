"""Follow-ups after procedures: pending, sent, responded, escalated; cancel one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from backend.services.outreach import followups
from backend.services.outreach.notifications import safe_format
from vetassist_app import routes
from vetassist_app.formatting import (
    FOLLOW_UP_COLOR,
    FOLLOW_UP_STATUS,
    PROCEDURE_LABEL,
    date_time,
    pet_label,
    phone_display,
)
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.session_state import SessionState

TABS = ("pending", "sent", "responded", "escalated")
TAB_STATUSES = {
    "pending": ("pending", "failed"),
    "sent": ("sent",),
    "responded": ("responded",),
    "escalated": ("escalated",),
    "all": (),
}


@dataclass
class FollowUpRow:
    id: str = ""
    pet: str = ""
    client: str = ""
    phone: str = ""
    procedure: str = ""
    step: str = ""
    scheduled: str = ""
    sent: str = ""
    status: str = ""
    status_label: str = ""
    status_color: str = "gray"
    message: str = ""
    response: str = ""
    response_when: str = ""
    keywords: list[str] = field(default_factory=list)
    error: str = ""
    appointment_id: str = ""
    conversation_id: str = ""
    can_cancel: bool = False


@dataclass
class TabCount:
    key: str = ""
    label: str = ""
    count: int = 0


def tab_counts(viewer: Viewer) -> list[TabCount]:
    labels = {
        "pending": "Programados",
        "sent": "Enviados",
        "responded": "Respondidos",
        "escalated": "Escalados",
        "all": "Todos",
    }
    totals = followups.count_by_statuses(tenant_id=viewer.tenant_id, groups=TAB_STATUSES)
    return [TabCount(key=key, label=labels[key], count=totals[key]) for key in TAB_STATUSES]


def list_rows(viewer: Viewer, tab: str) -> list[FollowUpRow]:
    """The clinic's follow-ups in one tab, soonest scheduled first (the latest for closed tabs)."""
    statuses = TAB_STATUSES.get(tab, ())
    tz = viewer.timezone
    lines = followups.follow_up_lines(tenant_id=viewer.tenant_id, statuses=statuses, limit=200)
    if tab in ("responded", "escalated", "sent"):
        lines.sort(
            key=lambda line: line.follow_up.sent_at or line.follow_up.scheduled_at, reverse=True
        )
    rows = []
    for line in lines:
        item = line.follow_up
        last = line.responses[-1] if line.responses else None
        rows.append(
            FollowUpRow(
                id=str(item.id),
                pet=pet_label(line.pet_name, line.pet_species) or "Mascota",
                client=line.client_name,
                phone=phone_display(line.client_phone),
                procedure=PROCEDURE_LABEL.get(item.procedure_type, item.procedure_type),
                step=f"n.º {item.sequence_number}",
                scheduled=date_time(item.scheduled_at, tz),
                sent=date_time(item.sent_at, tz),
                status=item.status,
                status_label=FOLLOW_UP_STATUS.get(item.status, item.status),
                status_color=FOLLOW_UP_COLOR.get(item.status, "gray"),
                message=safe_format(
                    item.message_template,
                    pet_name=line.pet_name or "tu mascota",
                    client_name=line.client_name.split(" ")[0],
                    clinic_name=viewer.tenant_name,
                ),
                response=last.response_text if last else "",
                response_when=date_time(last.created_at, tz) if last else "",
                keywords=list((last.analysis or {}).get("matched_keywords", [])) if last else [],
                error=item.error or "",
                appointment_id=str(item.appointment_id),
                conversation_id=str(item.conversation_id or ""),
                can_cancel=item.status in ("pending", "failed"),
            )
        )
    return rows


def cancel(viewer: Viewer, follow_up_id: str) -> None:
    followups.cancel_unsent(tenant_id=viewer.tenant_id, follow_up_id=parse_id(follow_up_id))


PAGE_SIZE = 60


class FollowUpState(SessionState):
    tab: str = "pending"
    rows: rx.Field[list[FollowUpRow]] = rx.field(default_factory=list)
    hidden_count: int = 0
    counts: list[TabCount] = []
    loaded: bool = False

    @rx.var(cache=True)
    def can_cancel(self) -> bool:
        return self.user_role in routes.CLINICAL

    def _load(self, viewer: Viewer) -> None:
        self.counts = tab_counts(viewer)
        rows = list_rows(viewer, self.tab)
        self.rows = rows[:PAGE_SIZE]
        self.hidden_count = max(0, len(rows) - PAGE_SIZE)
        self.loaded = True

    @rx.event
    def open_page(self) -> Any:
        return self._run(None, self._load)

    @rx.event
    def set_tab(self, tab: str | list[str]) -> Any:
        chosen = tab[0] if isinstance(tab, list) and tab else tab
        self.tab = chosen if isinstance(chosen, str) and chosen in TAB_STATUSES else "pending"
        return self._run(None, self._load)

    @rx.event
    def cancel(self, follow_up_id: str) -> Any:
        def run(viewer: Viewer) -> Any:
            cancel(viewer, follow_up_id)
            self._load(viewer)
            return rx.toast.success("Seguimiento cancelado.")

        return self._run(routes.CLINICAL, run, on_conflict=self._load)
