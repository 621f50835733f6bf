"""The alert transport: built from settings; webhooks through httpx against a local fake server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.core.config import settings
from backend.integrations.alerts import (
    DeliveryFailed,
    MemoryTransport,
    SentEmail,
    SmtpWebhookTransport,
    get_alert_transport,
    set_alert_transport,
)
from tests.fakes import fake_server


@pytest.fixture
def rebuilt() -> Iterator[None]:
    set_alert_transport(None)
    yield
    set_alert_transport(None)


def test_get_alert_transport_builds_smtp_from_settings(monkeypatch, rebuilt):
    # given
    monkeypatch.setattr(settings, "SMTP_HOST", "smtp.example.com")
    monkeypatch.setattr(settings, "SMTP_PORT", 587)
    # when
    transport = get_alert_transport()
    # then
    assert isinstance(transport, SmtpWebhookTransport)
    assert (transport.smtp_host, transport.smtp_port, transport.mail_from) == (
        "smtp.example.com",
        587,
        settings.SMTP_FROM,
    )
    assert get_alert_transport() is transport


def test_set_alert_transport_swaps_it(rebuilt):
    fake = MemoryTransport()
    set_alert_transport(fake)
    assert get_alert_transport() is fake


def test_post_slack_sends_the_text_as_json():
    with fake_server(lambda r: (200, {})) as hook:
        SmtpWebhookTransport(smtp_host=None, mail_from="x@y.co").post_slack(
            url=f"{hook.url}/hooks/abc", text="hola"
        )
    [request] = hook.requests
    assert (request.path, request.json()) == ("/hooks/abc", {"text": "hola"})


@pytest.mark.parametrize(
    ("status", "retryable"), [(429, True), (503, True), (400, False), (404, False)]
)
def test_webhook_refusal_says_whether_to_retry(status, retryable):
    with fake_server(lambda r: (status, {})) as hook, pytest.raises(DeliveryFailed) as caught:
        SmtpWebhookTransport(smtp_host=None, mail_from="x@y.co").post_slack(
            url=hook.url, text="hola"
        )
    assert caught.value.retryable is retryable
    assert str(status) in str(caught.value)


def test_email_without_smtp_host_fails_for_good():
    with pytest.raises(DeliveryFailed) as caught:
        SmtpWebhookTransport(smtp_host=None, mail_from="x@y.co").send_email(
            to="a@b.co", subject="s", body="b"
        )
    assert caught.value.retryable is False


def test_memory_transport_records_and_fails_when_told():
    fake = MemoryTransport()
    fake.fail_next(retryable=False)
    with pytest.raises(DeliveryFailed) as caught:
        fake.send_email(to="a@b.co", subject="s", body="b")
    assert caught.value.retryable is False
    fake.send_email(to="a@b.co", subject="s", body="b")
    assert fake.emails == [SentEmail(to="a@b.co", subject="s", body="b")]
