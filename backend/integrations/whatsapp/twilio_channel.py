"""Twilio's WhatsApp API through the official SDK.

`api_base_url` (setting TWILIO_API_BASE_URL) points the SDK somewhere other
than https://api.twilio.com: a regional edge, or a local fake in tests. The
SDK builds absolute URLs, so the HTTP client rewrites their origin.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from backend.core.config import settings
from backend.integrations.whatsapp.channel import ChannelError, SendResult

log = logging.getLogger(__name__)

SEND_TIMEOUT_S = 10.0
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
LOOKUP_LIMIT = 200  # messages read back per lookup: one recipient over minutes, a page or so


class _RebasedHttpClient(TwilioHttpClient):
    """Sends every SDK request to `base_url`, keeping path and query."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        parts = urlsplit(base_url.rstrip("/"))
        self._scheme, self._netloc, self._prefix = parts.scheme, parts.netloc, parts.path

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        parts = urlsplit(url)
        rebased = urlunsplit(
            (self._scheme, self._netloc, self._prefix + parts.path, parts.query, parts.fragment)
        )
        return super().request(method, rebased, *args, **kwargs)


def _whatsapp(phone: str) -> str:
    return phone if phone.startswith("whatsapp:") else f"whatsapp:{phone}"


class TwilioChannel:
    name = "twilio"

    def __init__(
        self, account_sid: str, auth_token: str, *, api_base_url: str | None = None
    ) -> None:
        http_client = (
            _RebasedHttpClient(api_base_url, timeout=SEND_TIMEOUT_S)
            if api_base_url
            else TwilioHttpClient(timeout=SEND_TIMEOUT_S)
        )
        self.client = Client(account_sid, auth_token, http_client=http_client)

    @classmethod
    def from_settings(cls) -> TwilioChannel:
        if not settings.TWILIO_ACCOUNT_SID or not settings.TWILIO_AUTH_TOKEN:
            raise RuntimeError(
                "WHATSAPP_CHANNEL=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
            )
        return cls(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            api_base_url=settings.TWILIO_API_BASE_URL,
        )

    def send(
        self,
        *,
        from_phone: str,
        to_phone: str,
        body: str | None = None,
        content_sid: str | None = None,
        content_variables: dict[str, Any] | None = None,
        status_callback: str | None = None,
    ) -> SendResult:
        kwargs: dict[str, Any] = {"from_": _whatsapp(from_phone), "to": _whatsapp(to_phone)}
        if content_sid:
            kwargs["content_sid"] = content_sid
            if content_variables:
                kwargs["content_variables"] = json.dumps(content_variables, ensure_ascii=False)
        else:
            kwargs["body"] = body or ""
        if status_callback:
            kwargs["status_callback"] = status_callback
        with _provider_errors():
            message = self.client.messages.create(**kwargs)
        return SendResult(provider_sid=str(message.sid), status=str(message.status or "queued"))

    def find_sent(
        self,
        *,
        from_phone: str,
        to_phone: str,
        sent_after: datetime,
        body: str | None = None,
        content_sid: str | None = None,
        content_variables: dict[str, Any] | None = None,
    ) -> list[SendResult]:
        """Reads back Twilio's Messages list (by sender, recipient and DateSent>) and
        keeps those with this content.

        Free text must equal the body Twilio stored. A template is stored
        rendered, so it matches when every variable's text appears in it.
        """
        with _provider_errors():
            listed = self.client.messages.list(
                to=_whatsapp(to_phone),
                from_=_whatsapp(from_phone),
                date_sent_after=sent_after,
                limit=LOOKUP_LIMIT,
            )
        found = [
            message
            for message in listed
            if (message.date_created is None or message.date_created >= sent_after)
            and _same_content(message.body or "", body, content_sid, content_variables)
        ]
        found.sort(key=lambda message: message.date_created or sent_after)
        return [
            SendResult(
                provider_sid=str(message.sid),
                status=str(message.status or "queued"),
                error_code=str(message.error_code) if message.error_code else None,
            )
            for message in found
        ]


def _same_content(
    stored: str,
    body: str | None,
    content_sid: str | None,
    content_variables: dict[str, Any] | None,
) -> bool:
    if not content_sid:
        return stored.strip() == (body or "").strip()
    return all(str(value).strip() in stored for value in (content_variables or {}).values())


@contextmanager
def _provider_errors() -> Iterator[None]:
    """Turns the SDK's and the network's errors into ChannelError (retryable or not)."""
    try:
        yield
    except TwilioRestException as exc:
        raise ChannelError(
            f"Twilio refused the request ({exc.status}): {exc.msg}",
            code=str(exc.code or exc.status),
            retryable=exc.status in RETRYABLE_STATUS,
        ) from exc
    except TwilioException as exc:
        raise ChannelError(f"Twilio error: {exc}", code="twilio_error", retryable=True) from exc
    except OSError as exc:  # requests' connection errors and timeouts derive from OSError
        raise ChannelError(
            f"Twilio unreachable: {exc}", code="unreachable", retryable=True
        ) from exc
