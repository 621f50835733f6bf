"""`CalendarGateway` on Google's own SDK (google-api-python-client, google-auth).

The discovery document ships inside the SDK (`static_discovery=True`), and the
API and token endpoints come from settings, so the same code talks to Google
or to the local fake (`fake_server`). SDK errors become `CalendarError`s.

`gateway_for` keeps one gateway per account and thread: its credentials keep
the access token until it expires, so a sync job costs its calendar call and
not also a token request (httplib2 is not thread-safe, hence per thread).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import google_auth_httplib2
import httplib2
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from backend.integrations.google_calendar.gateway import (
    AlreadyExists,
    CalendarError,
    CalendarInfo,
    Channel,
    ConnectionBroken,
    EventPage,
    SyncTokenExpired,
)

SCOPES = ["https://www.googleapis.com/auth/calendar"]
DEFAULT_TIMEOUT_S = 15.0
CACHED_ACCOUNTS = 64
"""Gateways one thread keeps (least recently used dropped): a worker serves many clinics."""
T = TypeVar("T")


def api_endpoint(base_url: str) -> str:
    """Calendar v3's root under `base_url` (https://www.googleapis.com for Google)."""
    return base_url.rstrip("/") + "/calendar/v3/"


def _reason(error: HttpError) -> tuple[str | None, str]:
    try:
        payload = json.loads(error.content.decode("utf-8", "replace"))
        body = payload.get("error", {})
        errors = body.get("errors") or [{}]
        return errors[0].get("reason") or body.get("status"), str(body.get("message", ""))
    except (ValueError, AttributeError):
        return None, str(error)


def _call(run: Callable[[], T], *, on_conflict: type[CalendarError] | None = None) -> T:
    """Runs one SDK request, translating its failures."""
    try:
        return run()
    except HttpError as exc:
        status = int(exc.resp.status)
        reason, message = _reason(exc)
        if status == 409 and on_conflict is AlreadyExists:
            raise AlreadyExists(status, reason, message=message) from exc
        if status == 410 and on_conflict is SyncTokenExpired:
            raise SyncTokenExpired(status, reason, message=message) from exc
        raise CalendarError(status, reason, message=message) from exc
    except RefreshError as exc:
        if "invalid_grant" in str(exc):
            raise ConnectionBroken(str(exc)[:300]) from exc
        retryable = bool(getattr(exc, "retryable", False))
        raise CalendarError(0 if retryable else 401, "refresh_failed", retryable, str(exc)) from exc
    except (TimeoutError, TransportError, OSError, httplib2.HttpLib2Error) as exc:
        raise CalendarError(0, "unreachable", True, repr(exc)) from exc


class GoogleCalendarGateway:
    """One clinic's Google account: a refresh token and the API it is valid for."""

    def __init__(
        self,
        *,
        refresh_token: str,
        client_id: str,
        client_secret: str,
        base_url: str,
        token_uri: str,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.credentials = Credentials(
            token=None,
            refresh_token=refresh_token,
            client_id=client_id,
            client_secret=client_secret,
            token_uri=token_uri,
            scopes=SCOPES,
        )
        http = google_auth_httplib2.AuthorizedHttp(
            self.credentials, http=httplib2.Http(timeout=timeout_s)
        )
        self._service = build(
            "calendar",
            "v3",
            http=http,
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": api_endpoint(base_url)},
        )

    def _events(self) -> Any:
        return self._service.events()

    def insert_event(self, calendar_id: str, body: dict[str, Any]) -> dict[str, Any]:
        request = self._events().insert(calendarId=calendar_id, body=body, sendUpdates="none")
        return _call(request.execute, on_conflict=AlreadyExists)

    def patch_event(self, calendar_id: str, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        request = self._events().patch(
            calendarId=calendar_id, eventId=event_id, body=body, sendUpdates="none"
        )
        return _call(request.execute)

    def get_event(self, calendar_id: str, event_id: str) -> dict[str, Any]:
        return _call(self._events().get(calendarId=calendar_id, eventId=event_id).execute)

    def delete_event(self, calendar_id: str, event_id: str) -> None:
        request = self._events().delete(
            calendarId=calendar_id, eventId=event_id, sendUpdates="none"
        )
        _call(request.execute)

    def list_events(
        self,
        calendar_id: str,
        *,
        sync_token: str | None = None,
        page_token: str | None = None,
        time_min: str | None = None,
        show_deleted: bool = True,
        single_events: bool = True,
    ) -> EventPage:
        params: dict[str, Any] = {
            "calendarId": calendar_id,
            "showDeleted": show_deleted,
            "singleEvents": single_events,
        }
        if sync_token:
            params["syncToken"] = sync_token
        elif time_min:  # Google refuses timeMin together with a sync token
            params["timeMin"] = time_min
        if page_token:
            params["pageToken"] = page_token
        page = _call(self._events().list(**params).execute, on_conflict=SyncTokenExpired)
        return EventPage(
            items=list(page.get("items", [])),
            next_page_token=page.get("nextPageToken"),
            next_sync_token=page.get("nextSyncToken"),
        )

    def watch(
        self, calendar_id: str, *, channel_id: str, address: str, token: str, ttl_s: int
    ) -> Channel:
        body = {
            "id": channel_id,
            "type": "web_hook",
            "address": address,
            "token": token,
            "params": {"ttl": str(ttl_s)},
        }
        answer = _call(self._events().watch(calendarId=calendar_id, body=body).execute)
        expiration = answer.get("expiration")
        return Channel(
            id=answer["id"],
            resource_id=answer["resourceId"],
            expiration_ms=int(expiration) if expiration is not None else None,
        )

    def stop_channel(self, channel_id: str, resource_id: str) -> None:
        body = {"id": channel_id, "resourceId": resource_id}
        _call(self._service.channels().stop(body=body).execute)

    def free_busy(
        self, calendar_ids: list[str], *, time_min: str, time_max: str
    ) -> dict[str, list[dict[str, str]]]:
        body = {
            "timeMin": time_min,
            "timeMax": time_max,
            "items": [{"id": c} for c in calendar_ids],
        }
        answer = _call(self._service.freebusy().query(body=body).execute)
        return {
            calendar_id: list(info.get("busy", []))
            for calendar_id, info in answer.get("calendars", {}).items()
        }

    def list_calendars(self) -> list[CalendarInfo]:
        calendars: list[CalendarInfo] = []
        page_token: str | None = None
        while True:
            request = self._service.calendarList().list(pageToken=page_token, showHidden=False)
            page = _call(request.execute)
            calendars += [
                CalendarInfo(
                    id=str(item["id"]),
                    summary=str(item.get("summaryOverride") or item.get("summary") or item["id"]),
                    primary=bool(item.get("primary", False)),
                    access_role=str(item.get("accessRole", "")),
                )
                for item in page.get("items", [])
            ]
            page_token = page.get("nextPageToken")
            if not page_token:
                return calendars


_local = threading.local()


def gateway_for(
    *, refresh_token: str, client_id: str, client_secret: str, base_url: str, token_uri: str
) -> GoogleCalendarGateway:
    """This thread's gateway for the account, built once and reused while its access token lasts.

    The key covers everything the gateway was built from, so a reconnected
    clinic (another refresh token) or other settings get a new one.
    """
    secret = hashlib.sha256(f"{client_secret}\0{refresh_token}".encode()).hexdigest()
    key = (secret, client_id, base_url, token_uri)
    cache: OrderedDict[tuple[str, ...], GoogleCalendarGateway] | None = getattr(
        _local, "gateways", None
    )
    if cache is None:
        cache = _local.gateways = OrderedDict()
    gateway = cache.get(key)
    if gateway is None:
        gateway = GoogleCalendarGateway(
            refresh_token=refresh_token,
            client_id=client_id,
            client_secret=client_secret,
            base_url=base_url,
            token_uri=token_uri,
        )
        cache[key] = gateway
        while len(cache) > CACHED_ACCOUNTS:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return gateway
