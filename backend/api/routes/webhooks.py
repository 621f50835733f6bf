"""Twilio's WhatsApp webhooks: inbound messages and delivery statuses."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from twilio.request_validator import RequestValidator

from backend.api.errors import error_responses
from backend.core.config import settings
from backend.domain.errors import ValidationFailed
from backend.services.assistant.inbound import (
    TWILIO_SID,
    MalformedMessage,
    PostedMessage,
    UnknownNumber,
    accept_posted,
)
from backend.services.chats import messaging
from backend.services.clinics import twilio_accounts

log = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks/whatsapp", tags=["webhooks"])

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_MEDIA = 10
ERROR_CODE = re.compile(r"[A-Za-z0-9]{1,16}")


def twiml() -> Response:
    return Response(content=EMPTY_TWIML, media_type="text/xml")


def signature_required() -> bool:
    """Only the sandbox channel may switch the check off (TWILIO_VALIDATE_SIGNATURE=false)."""
    return settings.TWILIO_VALIDATE_SIGNATURE or settings.WHATSAPP_CHANNEL != "sandbox"


def public_url(request: Request) -> str:
    """The URL Twilio signed: the clinic's public base URL plus this path (and query)."""
    url = settings.PUBLIC_BASE_URL.rstrip("/") + request.url.path
    return url + ("?" + request.url.query if request.url.query else "")


FORM = "application/x-www-form-urlencoded"


async def read_form(request: Request) -> FormData:
    """The posted fields. Twilio posts these webhooks as a form; any other body (a JSON one,
    whose signature covers only the URL and its `bodySHA256`, or a file part) is refused
    before signing, so no unsigned content is ever read."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM:
        raise HTTPException(415, "only application/x-www-form-urlencoded posts are accepted")
    return await request.form()


_E164 = re.compile(r"\+[1-9]\d{6,14}")


async def _clinic_tokens(address: str) -> list[str]:
    """The own Twilio token of the clinic behind `whatsapp:+…`, when it has one."""
    number = address.removeprefix("whatsapp:")
    if not _E164.fullmatch(number):
        return []
    return await run_in_threadpool(twilio_accounts.webhook_tokens, number)


def _signed(request: Request, form: FormData, tokens: Sequence[str]) -> bool:
    signature = request.headers.get("x-twilio-signature")
    url = public_url(request)
    return bool(signature) and any(
        RequestValidator(token).validate(url, form, signature) for token in tokens
    )


async def check_signature(request: Request, form: FormData, clinic_number: str) -> None:
    """Twilio's signature with the install's auth token (or its secondary one while it is
    rotated, TWILIO_AUTH_TOKEN_SECONDARY), else with the own token of the clinic whose number
    the webhook is about (its subaccount): that lookup costs a query only when the install's
    tokens do not sign it."""
    if not signature_required():
        return
    install = [t for t in (settings.TWILIO_AUTH_TOKEN, settings.TWILIO_AUTH_TOKEN_SECONDARY) if t]
    if _signed(request, form, install):
        return
    clinic_tokens = await _clinic_tokens(clinic_number)
    if not install and not clinic_tokens:
        log.error("TWILIO_AUTH_TOKEN is not set: webhook refused")
        raise HTTPException(403, "invalid signature")
    if not _signed(request, form, clinic_tokens):
        log.warning("webhook %s with a missing or invalid signature refused", request.url.path)
        raise HTTPException(403, "invalid signature")


def _media(form: FormData) -> list[dict[str, str]]:
    try:
        count = min(int(str(form.get("NumMedia") or 0)), MAX_MEDIA)
    except ValueError:
        count = 0
    media = []
    for index in range(count):
        url = form.get(f"MediaUrl{index}")
        if url:
            media.append(
                {"url": str(url), "content_type": str(form.get(f"MediaContentType{index}") or "")}
            )
    return media


def _posted(form: FormData) -> PostedMessage:
    return PostedMessage(
        to=str(form.get("To") or ""),
        from_=str(form.get("From") or ""),
        body=str(form.get("Body") or ""),
        provider_sid=str(form.get("MessageSid") or form.get("SmsMessageSid") or "") or None,
        media=_media(form),
        profile_name=str(form.get("ProfileName") or "") or None,
    )


@router.post(
    "",
    include_in_schema=True,
    summary="Inbound WhatsApp message (Twilio)",
    responses=error_responses(403, 404, 415, 422),
)
async def inbound(request: Request) -> Response:
    """Checks the signature, stores the message, hands it to the assistant; answers empty TwiML.

    A signed message whose `From`, `To`, `MessageSid` or media are malformed is
    answered 422 and not stored: Twilio does not retry a 4xx and shows it in its
    debugger, where a 200 would hide it.
    """
    form = await read_form(request)
    await check_signature(request, form, str(form.get("To") or ""))
    try:
        await run_in_threadpool(accept_posted, _posted(form))
    except UnknownNumber:
        raise HTTPException(404, "unknown WhatsApp number") from None
    except MalformedMessage as exc:
        log.warning("malformed inbound webhook refused: %s", exc.message)
        raise
    return twiml()


@router.post(
    "/status",
    summary="WhatsApp delivery status (Twilio)",
    responses=error_responses(403, 415, 422),
)
async def status(request: Request) -> Response:
    """Records queued/sent/delivered/read/undelivered/failed (with ErrorCode) on the outbound message."""
    form = await read_form(request)
    await check_signature(request, form, str(form.get("From") or ""))  # the clinic's number
    sid = str(form.get("MessageSid") or form.get("SmsSid") or "")
    state = str(form.get("MessageStatus") or form.get("SmsStatus") or "")
    if not TWILIO_SID.fullmatch(sid):
        raise ValidationFailed("MessageSid must be a Twilio message id", field="MessageSid")
    if not state:
        raise ValidationFailed("MessageStatus is required", field="MessageStatus")
    error = form.get("ErrorCode")
    if error and not ERROR_CODE.fullmatch(str(error)):
        raise ValidationFailed("ErrorCode must be a Twilio error code", field="ErrorCode")
    known = await run_in_threadpool(
        messaging.record_status, sid, state, str(error) if error else None
    )
    if not known:
        log.info("status %s for unknown message %s", state, sid)
    return twiml()
