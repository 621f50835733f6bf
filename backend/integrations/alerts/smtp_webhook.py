"""The real transport: SMTP (smtplib) for e-mail and HTTP (httpx) for Slack-compatible webhooks."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import httpx

from backend.core.config import settings
from backend.integrations.alerts.transport import DeliveryFailed

SEND_TIMEOUT_S = 10.0


class SmtpWebhookTransport:
    """E-mail through one SMTP server (STARTTLS and login when a user is set); webhooks by POST.

    Without `smtp_host` every e-mail fails at once (not retryable), while
    webhooks still go out.
    """

    name = "smtp"

    def __init__(
        self,
        *,
        smtp_host: str | None,
        smtp_port: int = 25,
        smtp_user: str | None = None,
        smtp_password: str | None = None,
        mail_from: str,
    ) -> None:
        self.smtp_host = smtp_host
        self.smtp_port = smtp_port
        self.smtp_user = smtp_user
        self.smtp_password = smtp_password
        self.mail_from = mail_from

    @classmethod
    def from_settings(cls) -> SmtpWebhookTransport:
        return cls(
            smtp_host=settings.SMTP_HOST,
            smtp_port=settings.SMTP_PORT,
            smtp_user=settings.SMTP_USER,
            smtp_password=settings.SMTP_PASSWORD,
            mail_from=settings.SMTP_FROM,
        )

    def send_email(self, *, to: str, subject: str, body: str) -> None:
        if not self.smtp_host:
            raise DeliveryFailed("SMTP_HOST is not configured", retryable=False)
        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        try:
            with smtplib.SMTP(self.smtp_host, self.smtp_port, timeout=SEND_TIMEOUT_S) as smtp:
                if self.smtp_user:
                    smtp.starttls()
                    smtp.login(self.smtp_user, self.smtp_password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryFailed(f"recipient refused: {exc.recipients}", retryable=False) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryFailed(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", retryable=exc.smtp_code < 500
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"SMTP unreachable: {exc!r}", retryable=True) from exc

    def post_slack(self, *, url: str, text: str) -> None:
        try:
            response = httpx.post(url, json={"text": text}, timeout=SEND_TIMEOUT_S)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"webhook unreachable: {exc!r}", retryable=True) from exc
        if response.status_code >= 400:
            retryable = response.status_code >= 500 or response.status_code == 429
            raise DeliveryFailed(
                f"webhook answered {response.status_code}: {response.text[:200]}",
                retryable=retryable,
            )
