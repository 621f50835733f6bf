"""Alerts to the clinic by WhatsApp, e-mail (SMTP) and a Slack-compatible webhook, with retries."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlmodel import col, select

from backend.core.clock import clock
from backend.core.config import settings
from backend.core.db import session_scope
from backend.integrations.alerts import MemoryTransport, SmtpWebhookTransport, set_alert_transport
from backend.integrations.whatsapp import SandboxChannel, set_channel
from backend.models import AlertDelivery, EscalationContact, Message, Tenant
from backend.services.alerting import alerts
from backend.workers import sweeps
from tests.workers.support import build_clinic

TEMPLATE = "HX0000000000000000000000000000test"


class FakeSmtp(socketserver.ThreadingTCPServer):
    """Just enough SMTP to accept mail; `refuse_next` answers 451 (try later) that many times."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SmtpHandler)
        self.mails: list[tuple[str, list[str], bytes]] = []
        self.refuse_next = 0


class SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        server: FakeSmtp = self.server  # type: ignore[assignment]
        sender, recipients = "", []
        self.reply("220 fake ESMTP")
        while True:
            line = self.rfile.readline().decode().strip()
            verb = line.split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 fake")
            elif verb == "MAIL":
                sender = line.split(":", 1)[1].strip(" <>")
            elif verb == "RCPT":
                recipients.append(line.split(":", 1)[1].strip(" <>"))
            elif verb == "DATA":
                if server.refuse_next:
                    server.refuse_next -= 1
                    self.reply("451 try again later")
                    continue
                self.reply("354 go ahead")
                data = b""
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    data += chunk
                server.mails.append((sender, recipients, data))
                self.reply("250 queued")
                continue
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            elif not line:
                return
            else:
                self.reply("250 ok")
                continue
            if verb in ("MAIL", "RCPT"):
                self.reply("250 ok")


class Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        server: HookServer = self.server  # type: ignore[assignment]
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = server.statuses.pop(0) if server.statuses else 200
        if status == 200:
            server.received.append(json.loads(body))
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


class HookServer(HTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Hook)
        self.received: list[dict] = []
        self.statuses: list[int] = []


@pytest.fixture
def smtp(monkeypatch) -> Iterator[FakeSmtp]:
    server = FakeSmtp()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(settings, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setattr(settings, "SMTP_PORT", server.server_address[1])
    monkeypatch.setattr(settings, "SMTP_USER", None)
    set_alert_transport(SmtpWebhookTransport.from_settings())
    yield server
    set_alert_transport(None)
    server.shutdown()
    server.server_close()


@pytest.fixture
def hook() -> Iterator[HookServer]:
    server = HookServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def clinic(db, frozen_clock, monkeypatch, smtp, hook):
    monkeypatch.setattr(settings, "WHATSAPP_TEMPLATE_CONTENT_SID", TEMPLATE)
    set_channel(SandboxChannel())
    url = f"http://127.0.0.1:{hook.server_address[1]}/hooks/abc"
    clinic = build_clinic(alert_slack_webhook_url=url)
    with session_scope(write=True) as session:
        session.add(
            EscalationContact(
                tenant_id=clinic.tenant.id,
                name="Dra. Ana",
                whatsapp_phone="+573209876543",
                email="ana@clinica.co",
                channels=["whatsapp", "email", "slack"],
            )
        )
    yield clinic
    set_channel(None)


def raise_one(
    clinic, title="🚨 EMERGENCIA: Intoxicación - Gato", body="Cliente +573001234567: comió veneno"
):
    with session_scope(write=True) as session:
        tenant = session.get(Tenant, clinic.tenant.id)
        return alerts.raise_alert(session, tenant=tenant, kind="emergency", title=title, body=body)


def deliveries():
    with session_scope() as session:
        return {
            d.channel: d
            for d in session.exec(select(AlertDelivery).order_by(col(AlertDelivery.channel)))
        }


def test_alert_goes_out_on_every_configured_channel(clinic, smtp, hook):
    # when
    alert = raise_one(clinic)
    # then: one delivery per channel, each recorded as sent
    rows = deliveries()
    assert {c: (d.status, d.attempts) for c, d in rows.items()} == {
        "email": ("sent", 1),
        "slack": ("sent", 1),
        "whatsapp": ("sent", 1),
    }
    assert all(d.alert_id == alert.id for d in rows.values())
    (sender, recipients, data) = smtp.mails[0]
    mail = message_from_bytes(data, policy=default_policy)
    assert (sender, recipients) == (settings.SMTP_FROM, ["ana@clinica.co"])
    assert mail["Subject"] == "🚨 EMERGENCIA: Intoxicación - Gato"
    assert "comió veneno" in mail.get_content()
    assert hook.received == [
        {"text": "*🚨 EMERGENCIA: Intoxicación - Gato*\nCliente +573001234567: comió veneno"}
    ]
    with session_scope() as session:
        message = session.exec(select(Message).where(Message.to_phone == "+573209876543")).one()
    assert rows["whatsapp"].message_id == message.id


def test_email_is_retried_after_a_temporary_refusal(clinic, smtp):
    smtp.refuse_next = 1
    raise_one(clinic)
    email = deliveries()["email"]
    assert (email.status, email.attempts) == ("pending", 1)
    assert "451" in email.error
    # when the retry sweep runs
    assert sweeps.retry_alert_deliveries() == 1
    email = deliveries()["email"]
    assert (email.status, email.attempts, email.error) == ("sent", 2, None)
    assert len(smtp.mails) == 1


def test_webhook_5xx_is_retried_and_4xx_is_not(clinic, hook):
    hook.statuses = [503]
    raise_one(clinic)
    assert deliveries()["slack"].status == "pending"
    sweeps.retry_alert_deliveries()
    assert deliveries()["slack"].status == "sent"
    hook.statuses = [404]
    raise_one(clinic, title="otra")
    with session_scope() as session:
        slack = session.exec(
            select(AlertDelivery)
            .where(AlertDelivery.channel == "slack")
            .order_by(col(AlertDelivery.sent_at).desc().nulls_first())
        ).first()
    assert (slack.status, slack.attempts) == ("failed", 1)
    assert "404" in slack.error
    assert sweeps.retry_alert_deliveries() == 0


def test_unreachable_smtp_gives_up_after_max_attempts(clinic, monkeypatch):
    monkeypatch.setattr(settings, "SMTP_PORT", 1)  # nothing listens there
    set_alert_transport(SmtpWebhookTransport.from_settings())
    raise_one(clinic)
    for _ in range(alerts.MAX_DELIVERY_ATTEMPTS):
        sweeps.retry_alert_deliveries()
    email = deliveries()["email"]
    assert (email.status, email.attempts) == ("failed", alerts.MAX_DELIVERY_ATTEMPTS)
    assert "unreachable" in email.error


def test_without_smtp_configured_email_fails_at_once(clinic, monkeypatch):
    monkeypatch.setattr(settings, "SMTP_HOST", None)
    set_alert_transport(SmtpWebhookTransport.from_settings())
    raise_one(clinic)
    email = deliveries()["email"]
    assert (email.status, email.attempts) == ("failed", 1)
    assert "SMTP_HOST" in email.error


def test_retry_sweep_twice_in_a_row_sends_nothing_twice(clinic, smtp, hook):
    raise_one(clinic)
    assert sweeps.retry_alert_deliveries() == 0
    assert sweeps.retry_alert_deliveries() == 0
    assert len(smtp.mails) == 1 and len(hook.received) == 1


def test_delivery_stuck_in_sending_is_picked_up_again(clinic, smtp):
    from datetime import timedelta

    raise_one(clinic)
    with session_scope(write=True) as session:
        email = session.exec(select(AlertDelivery).where(AlertDelivery.channel == "email")).one()
        email.status = "sending"  # its worker died mid-send
        session.add(email)
    clock.advance(alerts.STUCK_SENDING + timedelta(seconds=1))
    assert sweeps.retry_alert_deliveries() == 1
    assert deliveries()["email"].status == "sent"


def test_rolled_back_alert_sends_nothing(clinic, smtp, hook):
    with pytest.raises(RuntimeError), session_scope(write=True) as session:
        tenant = session.get(Tenant, clinic.tenant.id)
        alerts.raise_alert(session, tenant=tenant, kind="emergency", title="x", body="y")
        raise RuntimeError("the emergency was not stored after all")
    assert smtp.mails == [] and hook.received == []
    assert deliveries() == {}


@pytest.fixture
def transport() -> Iterator[MemoryTransport]:
    fake = MemoryTransport()
    set_alert_transport(fake)
    yield fake
    set_alert_transport(None)


def test_alert_hands_email_and_slack_to_the_transport(clinic, transport):
    # when
    raise_one(clinic, title="🚨 Urgencia", body="cuerpo")
    # then
    assert [(m.to, m.subject, m.body) for m in transport.emails] == [
        ("ana@clinica.co", "🚨 Urgencia", "cuerpo")
    ]
    assert [p.text for p in transport.posts] == ["*🚨 Urgencia*\ncuerpo"]
    assert {c: d.status for c, d in deliveries().items()} == {
        "email": "sent",
        "slack": "sent",
        "whatsapp": "sent",
    }


def test_retryable_transport_failure_waits_for_the_sweep(clinic, transport):
    # given
    transport.fail_next("server busy", retryable=True, times=2)
    # when
    raise_one(clinic)
    # then: both deliveries wait for a retry, and the sweep sends them
    rows = deliveries()
    assert {c: (rows[c].status, rows[c].error) for c in ("email", "slack")} == {
        "email": ("pending", "server busy"),
        "slack": ("pending", "server busy"),
    }
    assert sweeps.retry_alert_deliveries() == 2
    assert len(transport.emails) == 1 and len(transport.posts) == 1


def test_final_transport_failure_is_not_retried(clinic, transport):
    # given
    transport.fail_next("recipient refused", retryable=False)
    # when
    raise_one(clinic)
    # then
    failed = [d for d in deliveries().values() if d.status == "failed"]
    assert [(d.attempts, d.error) for d in failed] == [(1, "recipient refused")]
    assert sweeps.retry_alert_deliveries() == 0
