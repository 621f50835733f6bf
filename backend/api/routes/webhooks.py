"""Twilio's WhatsApp webhooks: inbound messages and delivery statuses."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from twilio.request_validator import RequestValidator

from backend.core.config import settings
from backend.core.db import is_postgres, session_scope
from backend.domain.errors import ValidationFailed
from backend.models import Tenant
from backend.services import messaging
from backend.services.assistant import InboundMessage, store_inbound
from backend.services.phones import to_e164
from backend.workers import dispatch

log = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks/whatsapp", tags=["webhooks"])

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_MEDIA = 10


def twiml() -> Response:
    return Response(content=EMPTY_TWIML, media_type="text/xml")


def signature_required() -> bool:
    """Only the sandbox channel may switch the check off (TWILIO_VALIDATE_SIGNATURE=false)."""
    return settings.TWILIO_VALIDATE_SIGNATURE or settings.WHATSAPP_CHANNEL != "sandbox"


def public_url(request: Request) -> str:
    """The URL Twilio signed: the clinic's public base URL plus this path (and query)."""
    url = settings.PUBLIC_BASE_URL.rstrip("/") + request.url.path
    return url + ("?" + request.url.query if request.url.query else "")


def check_signature(request: Request, form: FormData) -> None:
    if not signature_required():
        return
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("x-twilio-signature")
    if not token:
        log.error("TWILIO_AUTH_TOKEN is not set: webhook refused")
        raise HTTPException(403, "invalid signature")
    if not signature or not RequestValidator(token).validate(public_url(request), form, signature):
        log.warning("webhook %s with a missing or invalid signature refused", request.url.path)
        raise HTTPException(403, "invalid signature")


def _phone(raw: str, country: str = "CO") -> str:
    try:
        return to_e164(raw, country)
    except ValidationFailed:
        return raw.removeprefix("whatsapp:").strip()[:40]


def _tenant_for(session: Any, number: str) -> Tenant | None:
    """The clinic whose WhatsApp numbers include `number` (E.164)."""
    if is_postgres(session.get_bind()):
        condition = text("CAST(tenant.whatsapp_numbers AS jsonb) @> CAST(:numbers AS jsonb)")
        numbers = f'["{number}"]'
    else:
        condition = text("EXISTS (SELECT 1 FROM json_each(tenant.whatsapp_numbers) WHERE value = :numbers)")
        numbers = number
    return session.exec(select(Tenant).where(condition.bindparams(numbers=numbers)).limit(1)).first()


def _media(form: FormData) -> list[dict[str, str]]:
    try:
        count = min(int(str(form.get("NumMedia") or 0)), MAX_MEDIA)
    except ValueError:
        count = 0
    media = []
    for index in range(count):
        url = form.get(f"MediaUrl{index}")
        if url:
            media.append({"url": str(url), "content_type": str(form.get(f"MediaContentType{index}") or "")})
    return media


def _accept(form: FormData) -> uuid.UUID | None:
    """Stores the message; None for a duplicate MessageSid. Raises 404 for an unknown number."""
    to_raw = str(form.get("To") or "")
    to_number = _phone(to_raw)
    try:
        with session_scope(write=True) as session:
            tenant = _tenant_for(session, to_number)
            if tenant is None:
                log.warning("inbound WhatsApp message to unknown number %r ignored", to_raw)
                raise HTTPException(404, "unknown WhatsApp number")
            message = store_inbound(session, InboundMessage(
                tenant_id=tenant.id,
                from_phone=_phone(str(form.get("From") or ""), tenant.country),
                to_phone=to_number,
                body=str(form.get("Body") or ""),
                provider_sid=str(form.get("MessageSid") or form.get("SmsMessageSid") or "")[:64] or None,
                media=_media(form),
            ))
            session.flush()
            return message.id
    except IntegrityError:
        log.info("replayed MessageSid %s ignored", form.get("MessageSid"))
        return None


def _accept_and_answer(form: FormData) -> None:
    message_id = _accept(form)
    if message_id is None:
        return
    try:
        dispatch.submit_inbound(message_id)
    except Exception:  # stored is what counts; the resubmission sweep answers it later
        log.exception("could not hand inbound message %s to the assistant", message_id)


@router.post("", include_in_schema=True, summary="Inbound WhatsApp message (Twilio)")
async def inbound(request: Request) -> Response:
    """Checks the signature, stores the message, hands it to the assistant; answers empty TwiML."""
    form = await request.form()
    check_signature(request, form)
    if not form.get("MessageSid") and not form.get("SmsMessageSid"):
        raise HTTPException(400, "MessageSid missing")
    await run_in_threadpool(_accept_and_answer, form)
    return twiml()


@router.post("/status", summary="WhatsApp delivery status (Twilio)")
async def status(request: Request) -> Response:
    """Records queued/sent/delivered/read/undelivered/failed (with ErrorCode) on the outbound message."""
    form = await request.form()
    check_signature(request, form)
    sid = str(form.get("MessageSid") or form.get("SmsSid") or "")
    state = str(form.get("MessageStatus") or form.get("SmsStatus") or "")
    if not sid or not state:
        raise HTTPException(400, "MessageSid and MessageStatus are required")
    error = form.get("ErrorCode")
    known = await run_in_threadpool(messaging.record_status, sid, state, str(error) if error else None)
    if not known:
        log.info("status %s for unknown message %s", state, sid)
    return twiml()
