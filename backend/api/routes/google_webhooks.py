"""Google Calendar's push notifications: "this doctor's calendar changed", with no body."""

from __future__ import annotations

import logging
import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from backend.api.errors import ErrorOut, error_response, error_responses
from backend.services.calendar_sync import push
from backend.services.calendar_sync.push import NotificationOutcome

log = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks/google", tags=["webhooks"])

HEADER_VALUE = re.compile(r"[\x21-\x7e]{1,300}")
"""Printable ASCII without spaces, bounded: channel ids, tokens, resource ids and states."""
MAX_MESSAGE_NUMBER = 2**63 - 1


def _header(request: Request, name: str) -> str:
    value = request.headers.get(name, "").strip()
    if not HEADER_VALUE.fullmatch(value):
        raise HTTPException(400, f"missing or invalid header {name}")
    return value


def _message_number(request: Request) -> int:
    value = _header(request, "X-Goog-Message-Number")
    if not value.isdigit() or int(value) > MAX_MESSAGE_NUMBER:
        raise HTTPException(400, "X-Goog-Message-Number must be a whole number")
    return int(value)


@router.post(
    "/calendar",
    summary="Calendar change notification (Google push)",
    status_code=200,
    response_class=Response,
    responses={
        **error_responses(403, 404),
        400: {"model": ErrorOut, "description": "A header Google sends is missing or garbled"},
    },
)
async def calendar_notification(request: Request) -> Response:
    """Checks the channel and its token and has the doctor's calendar read again; empty 200."""
    channel_id = _header(request, "X-Goog-Channel-ID")
    token = _header(request, "X-Goog-Channel-Token")
    resource_id = _header(request, "X-Goog-Resource-ID")
    state = _header(request, "X-Goog-Resource-State")
    number = _message_number(request)
    try:
        outcome = await run_in_threadpool(
            push.receive_notification,
            channel_id=channel_id,
            token=token,
            resource_id=resource_id,
            resource_state=state,
            message_number=number,
        )
    except Exception:  # Google retries a 503 with backoff; the safety-net poll covers the rest
        log.exception("calendar notification on channel %s failed", channel_id)
        return error_response(503, "unavailable", "try again later", headers={"Retry-After": "30"})
    if outcome is NotificationOutcome.UNKNOWN_CHANNEL:
        log.info("notification for unknown channel %s refused", channel_id)
        raise HTTPException(404, "unknown channel")
    if outcome is NotificationOutcome.REFUSED:
        log.warning("notification for channel %s with a wrong token", channel_id)
        raise HTTPException(403, "invalid channel token")
    return Response(status_code=200)
