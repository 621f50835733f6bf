"""The demo clinic's follow-ups: its protocols and the follow-ups of its latest visits."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from backend.core.clock import utcnow
from backend.domain.appointment_rules import Status as AppointmentStatus
from backend.domain.language.follow_up_analysis import analyze_follow_up_response
from backend.models import Appointment, FollowUp, FollowUpResponse, Tenant
from backend.services.outreach.followups import (
    FollowUpStatus,
    ensure_protocols,
    schedule_follow_ups,
)

DEMO_ANSWERS = (
    "Bien, está comiendo normal pero se queja cuando camina",
    None,
    "Ya está mucho mejor, gracias",
)
"""The demo's first answers; None stands for a worrying one (below, by procedure)."""
DEMO_WORRIES = {
    "surgery": "Tiene un poco de sangrado en la herida y está decaído",
    "vaccination": "Le dio diarrea desde anoche y está decaída",
    "consultation": "Sigue igual, no mejora con el tratamiento",
}


def seed_follow_ups(session: Session, tenant: Tenant) -> None:
    """Demo data: the clinic's protocols and the follow-ups of its latest completed visits.

    Follow-ups already due are shown as sent, and the first ones answered
    (a normal answer, an escalation, a calm one), as the processor and the
    assistant would have left them; no message is sent while seeding.
    """
    ensure_protocols(session, tenant.id)
    now = utcnow()
    completed = (
        select(Appointment)
        .where(
            Appointment.tenant_id == tenant.id,
            Appointment.status == AppointmentStatus.COMPLETED,
            col(Appointment.procedure_type).is_not(None),
        )
        .order_by(col(Appointment.end_at).desc())
    )
    earlier = session.exec(
        completed.where(col(Appointment.end_at) <= now - timedelta(hours=24)).limit(4)
    ).all()
    latest = session.exec(completed.limit(2)).all()
    visits = list({visit.id: visit for visit in [*earlier, *latest]}.values())
    answers = iter(DEMO_ANSWERS)
    for visit in visits:
        for follow_up in schedule_follow_ups(session, visit, now=visit.end_at):
            if follow_up.scheduled_at > now:
                continue
            follow_up.status, follow_up.sent_at, follow_up.attempts = (
                FollowUpStatus.SENT,
                follow_up.scheduled_at,
                1,
            )
            answer = next(answers, "")
            if answer is None:
                answer = DEMO_WORRIES.get(follow_up.procedure_type, DEMO_WORRIES["consultation"])
            if answer:
                _seed_answer(session, follow_up, answer)
            session.add(follow_up)
    session.flush()


def _seed_answer(session: Session, follow_up: FollowUp, text: str) -> None:
    analysis = analyze_follow_up_response(text, follow_up.escalation_keywords)
    answered_at = follow_up.scheduled_at + timedelta(minutes=40)
    session.add(
        FollowUpResponse(
            follow_up_id=follow_up.id,
            response_text=text,
            requires_escalation=analysis.requires_escalation,
            analysis={
                "status": analysis.status,
                "recommendation": analysis.recommendation,
                "requires_escalation": analysis.requires_escalation,
                "matched_keywords": list(analysis.matched_keywords),
            },
            escalated_at=answered_at if analysis.requires_escalation else None,
            created_at=answered_at,
        )
    )
    follow_up.status = (
        FollowUpStatus.ESCALATED if analysis.requires_escalation else FollowUpStatus.RESPONDED
    )
