"""Test helpers for the WhatsApp assistant: a clinic, and a client chatting with it.

`Chat.send` posts a message exactly as Twilio would (form fields, signed with
the twilio SDK's RequestValidator against PUBLIC_BASE_URL + path) and returns
the replies stored for that phone; `Chat.direct` skips HTTP and goes through
the same services the webhook calls.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import col, select
from twilio.request_validator import RequestValidator

from backend.core.config import settings
from backend.core.db import session_scope
from backend.models import Conversation, EscalationContact, Message, StaffUser, Tenant
from backend.services.assistant.inbound import InboundMessage, process_inbound_message
from backend.services.patients import clients
from tests.factories import make_api_key, make_doctor, make_tenant, receive, weekday_periods

AUTH_TOKEN = "test-auth-token-123"
PUBLIC_BASE = "https://vet.example.com"
CLINIC_NUMBER = "+14155550100"
VET_PHONE = "+573209876543"


def sign(path: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(PUBLIC_BASE + path, params)


@dataclass
class ClinicSetup:
    tenant: Tenant
    doctor: StaffUser
    key: str
    number: str = CLINIC_NUMBER


def make_clinic(
    *,
    slug: str = "patitas",
    number: str = CLINIC_NUMBER,
    periods: list[dict[str, Any]] | None = None,
    contacts: bool = True,
) -> ClinicSetup:
    with session_scope(write=True) as session:
        tenant = make_tenant(
            session,
            slug=slug,
            whatsapp=number,
            phone="+576014567890",
            address="Calle 85 # 15-20, Bogotá",
        )
        tenant.name = (
            "Clínica Veterinaria Patitas" if slug == "patitas" else f"Clínica {slug.title()}"
        )
        doctor = make_doctor(
            session,
            tenant,
            name="Dra. Ana Restrepo",
            email=f"ana@{slug}.example.com",
            periods=periods if periods is not None else weekday_periods(),
        )
        if contacts:
            session.add(
                EscalationContact(
                    tenant_id=tenant.id,
                    name="Dra. Ana Restrepo",
                    whatsapp_phone=VET_PHONE,
                    email=f"ana@{slug}.example.com",
                    channels=["whatsapp", "email"],
                )
            )
        key = make_api_key(session, tenant)
        session.flush()
    return ClinicSetup(tenant=tenant, doctor=doctor, key=key, number=number)


def add_client(
    tenant: Tenant, phone: str, name: str | None, pet: tuple[str, str] | None = None
) -> None:
    with session_scope(write=True) as session:
        client = clients.find_or_create(session, tenant, phone=phone, name=name)
        if pet:
            clients.add_pet(session, client, name=pet[0], species=pet[1])


@dataclass
class Chat:
    http: TestClient | None
    phone: str
    clinic_number: str = CLINIC_NUMBER
    seen: set[uuid.UUID] = field(default_factory=set)
    transcript: list[str] = field(default_factory=list)

    def post(
        self,
        body: str,
        *,
        sid: str | None = None,
        media: list[str] | None = None,
        signature: str | None = None,
        to: str | None = None,
        headers: dict[str, str] | None = None,
        profile_name: str | None = None,
        media_type: str = "image/jpeg",
    ):
        assert self.http is not None
        params = {
            "SmsMessageSid": sid or "SM" + uuid.uuid4().hex,
            "MessageSid": sid or "SM" + uuid.uuid4().hex,
            "From": f"whatsapp:{self.phone}",
            "To": f"whatsapp:{to or self.clinic_number}",
            "Body": body,
            "NumMedia": str(len(media or [])),
            "AccountSid": "AC" + "0" * 32,
        }
        params["SmsMessageSid"] = params["MessageSid"]
        if profile_name is not None:  # the sender's WhatsApp display name, when they set one
            params["ProfileName"] = profile_name
        for index, url in enumerate(media or []):
            params[f"MediaUrl{index}"] = url
            params[f"MediaContentType{index}"] = media_type
        sent_headers = dict(headers or {})
        if signature is None:
            sent_headers["X-Twilio-Signature"] = sign("/webhooks/whatsapp", params)
        elif signature:
            sent_headers["X-Twilio-Signature"] = signature
        return self.http.post("/webhooks/whatsapp", data=params, headers=sent_headers)

    def send(self, body: str, **kwargs: Any) -> list[str]:
        """Sends through the signed webhook; returns the new replies to this phone."""
        response = self.post(body, **kwargs)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/xml")
        return self._record(body)

    def direct(
        self, body: str, *, tenant_id: uuid.UUID, media: list[dict[str, str]] | None = None
    ) -> list[str]:
        """Same path as the webhook, without HTTP."""
        message_id = receive(
            InboundMessage(
                tenant_id=tenant_id,
                from_phone=self.phone,
                to_phone=self.clinic_number,
                body=body,
                provider_sid="SM" + uuid.uuid4().hex,
                media=media or [],
            )
        )
        assert message_id is not None
        process_inbound_message(message_id)
        return self._record(body)

    def _record(self, body: str) -> list[str]:
        self.transcript.append(f"CLIENTE: {body}")
        replies = self.new_replies()
        self.transcript += [f"SISTEMA: {r}" for r in replies]
        return replies

    def new_replies(self) -> list[str]:
        with session_scope(read_only=True) as session:
            rows = session.exec(
                select(Message)
                .where(Message.direction == "outbound", Message.to_phone == self.phone)
                .order_by(col(Message.created_at), col(Message.id))
            ).all()
        fresh = [m for m in rows if m.id not in self.seen]
        self.seen |= {m.id for m in fresh}
        return [m.body for m in fresh]

    def conversation(self) -> Conversation:
        with session_scope(read_only=True) as session:
            found = session.exec(
                select(Conversation)
                .where(Conversation.client_phone == self.phone)
                .order_by(col(Conversation.started_at).desc(), col(Conversation.is_open).desc())
            ).first()
            assert found is not None
            return found

    @property
    def state(self) -> str:
        return self.conversation().state


def configure_webhook(monkeypatch: Any) -> None:
    monkeypatch.setattr(settings, "TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setattr(settings, "PUBLIC_BASE_URL", PUBLIC_BASE)
    monkeypatch.setattr(settings, "TWILIO_VALIDATE_SIGNATURE", True)
    monkeypatch.setattr(settings, "WHATSAPP_CHANNEL", "sandbox")
    monkeypatch.setattr(settings, "ANTHROPIC_API_KEY", None)
