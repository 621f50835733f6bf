"""Post-procedure follow-ups (spec 002 §6), one module per job.

`protocols`: each clinic's protocols (seeded from the spec's defaults);
`scheduling`: completing a visit schedules them (outbox handler);
`sending`: the due ones go out every 5 minutes in a COLLECT_STATUS conversation;
`answers`: the client's answer is filed, read and, on a warning sign, alerts the vet;
`records`: reads and cancelling for the API and the portal. Statuses and
defaults live in `rules`. This file only hands the public names on.
"""

from backend.services.outreach.followups.answers import FollowUpOutcome, record_follow_up_response
from backend.services.outreach.followups.protocols import (
    check_protocol,
    ensure_protocols,
    protocol_for,
    update_protocol,
)
from backend.services.outreach.followups.records import (
    FollowUpLine,
    FollowUpWithAnswers,
    cancel_follow_up,
    cancel_unsent,
    count_by_statuses,
    find_follow_ups,
    follow_up_lines,
    get_follow_up,
    list_follow_ups,
    read_follow_up,
    responses_of,
)
from backend.services.outreach.followups.rules import MAX_SEND_ATTEMPTS, FollowUpStatus
from backend.services.outreach.followups.scheduling import (
    HANDLER,
    cancel_pending_for_appointment,
    schedule_follow_ups,
)
from backend.services.outreach.followups.sending import send_due_follow_ups

__all__ = [
    "HANDLER",
    "MAX_SEND_ATTEMPTS",
    "FollowUpOutcome",
    "FollowUpLine",
    "FollowUpStatus",
    "FollowUpWithAnswers",
    "cancel_follow_up",
    "cancel_pending_for_appointment",
    "cancel_unsent",
    "check_protocol",
    "count_by_statuses",
    "ensure_protocols",
    "find_follow_ups",
    "follow_up_lines",
    "get_follow_up",
    "list_follow_ups",
    "protocol_for",
    "read_follow_up",
    "record_follow_up_response",
    "responses_of",
    "schedule_follow_ups",
    "send_due_follow_ups",
    "update_protocol",
]
