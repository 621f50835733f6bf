"""Moving or stretching an appointment by dragging it on the calendar.

The browser (the agenda script, calendar_editing.js in assets,) says what the pointer did; `propose`
reads the appointment again and asks for confirmation in words; `confirm`
makes the one `booking.edit` call with the version that was read, and the
"Avisar al cliente por WhatsApp" choice. Whatever the outcome, the dragged
block is put back where the server's calendar draws it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import reflex as rx

from backend.services.scheduling import booking, calendar_view
from vetassist_app import routes
from vetassist_app.calendar_moves import Drop, move_summary, moved_times, parse_drop
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.calendar_state import CalendarState
from vetassist_app.states.session_state import SessionState

SETTLE_BLOCKS = "window.vaCalendar && window.vaCalendar.settle()"


@dataclass(frozen=True)
class MoveProposal:
    """A move the user is asked to confirm, with the version it was computed from."""

    appointment_id: str
    version: int
    doctor_id: str
    start: datetime
    end: datetime
    summary: str


def propose_move(viewer: Viewer, drop: Drop) -> MoveProposal | None:
    """The move a drop means for an appointment of the viewer's clinic; None when it
    changes nothing (dropped where it was)."""
    view = calendar_view.appointment_record(viewer.tenant_id, parse_id(drop.appointment_id)).view
    names = {str(d.id): d.full_name for d in calendar_view.doctors(viewer.tenant_id)}
    doctor_id = drop.doctor_id if drop.doctor_id and not drop.resize else str(view.doctor_id)
    if doctor_id not in names:
        doctor_id = str(view.doctor_id)
    start, end = moved_times(view.start_at, view.end_at, viewer.timezone, drop)
    if (start, end, doctor_id) == (view.start_at, view.end_at, str(view.doctor_id)):
        return None
    summary = move_summary(
        pet=view.pet_name or "",
        client=view.client_name or view.client_phone,
        before=(view.start_at, view.end_at),
        after=(start, end),
        doctor=names.get(doctor_id, view.doctor_name),
        previous_doctor=view.doctor_name,
        tz_name=viewer.timezone,
        resize=drop.resize,
    )
    return MoveProposal(str(view.id), view.version, doctor_id, start, end, summary)


def apply_move(viewer: Viewer, proposal: MoveProposal, *, notify_client: bool) -> None:
    """The one service call: `booking.edit` with the version the proposal was read at."""
    booking.edit(
        tenant_id=viewer.tenant_id,
        actor=viewer.actor,
        appointment_id=parse_id(proposal.appointment_id),
        expected_version=proposal.version,
        change=booking.AppointmentChange(
            start_at=proposal.start,
            end_at=proposal.end,
            doctor_id=uuid.UUID(proposal.doctor_id),
            notify_client=notify_client,
        ),
    )


class CalendarMoveState(SessionState):
    """The confirmation asked after a block is dropped on the calendar."""

    dialog_open: bool = False
    summary: str = ""
    notify: bool = True
    _proposal: MoveProposal | None = None

    def _settled(self, result: Any) -> list[Any]:
        events = result if isinstance(result, list) else [result]
        return [*(e for e in events if e is not None), rx.call_script(SETTLE_BLOCKS)]

    @rx.event
    def propose(self, payload: str) -> Any:
        """A block was dropped: ask what will happen (nothing to ask if it did not move)."""

        def prepare(viewer: Viewer) -> Any:
            proposal = propose_move(viewer, parse_drop(str(payload or "")))
            self._proposal = proposal
            if proposal is None:
                return rx.call_script(SETTLE_BLOCKS)
            self.summary = proposal.summary
            self.notify = True
            self.dialog_open = True
            return None

        result = self._run(routes.CLINICAL, prepare)
        return result if self.dialog_open else self._settled(result)

    @rx.event
    def set_notify(self, value: bool) -> None:
        self.notify = bool(value)

    @rx.event
    def set_dialog_open(self, value: bool) -> Any:
        """Closing the confirmation (Esc, "Cancelar") puts the block back."""
        if value:
            return None
        self.dialog_open = False
        self._proposal = None
        return rx.call_script(SETTLE_BLOCKS)

    @rx.event
    def confirm(self) -> Any:
        proposal, notify = self._proposal, self.notify

        def run(viewer: Viewer) -> list[Any]:
            self.dialog_open = False
            self._proposal = None
            if proposal is None:
                return []
            apply_move(viewer, proposal, notify_client=notify)
            told = " Le avisaremos al cliente por WhatsApp." if notify else ""
            return [CalendarState.catch_up, rx.toast.success("Cita movida." + told)]

        def redraw(viewer: Viewer) -> Any:
            return CalendarState.reload

        return self._settled(self._run(routes.CLINICAL, run, on_conflict=redraw))
