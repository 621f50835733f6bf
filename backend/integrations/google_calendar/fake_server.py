"""A local fake of Google Calendar v3 and Google's OAuth token endpoints, in memory.

For tests and for trying calendar sync without Google: the real SDK talks to
it through `GOOGLE_API_BASE_URL` and `GOOGLE_TOKEN_URI`. It implements what
the product uses (events insert/get/patch/delete/list with syncToken,
pageToken, showDeleted, singleEvents (daily and weekly rules) and maxResults; watch; channels.stop; freeBusy;
calendarList; the OAuth consent page, authorization-code and refresh grants, and revoke)
with Google's status codes and error bodies, and can be told to misbehave: the next
calls answer an error, answer slowly, or every access token expires. Faults are set
with methods on `FakeGoogle`, or over HTTP (`POST /_control/fault`,
`/_control/expire-tokens`, `/_control/deny-consent`, `/_control/withhold-refresh-token`,
`/_control/reset`; `GET /_control/events`, `GET /_control/stats`) when the fake runs in another process:

    python -m backend.integrations.google_calendar.fake_server --port 8089

A watched calendar posts Google's push notifications to the channel's address
(`fake_push`); tests drop or replay them with `fake.push`, or over HTTP
(`POST /_control/notifications/drop`, `/_control/notifications/replay`;
`GET /_control/notifications`).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from backend.integrations.google_calendar.fake_push import PushNotifier

EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
ACCESS_TOKEN_TTL_S = 3600
DEFAULT_PAGE_SIZE = 250
DEFAULT_REFRESH_TOKEN = "fake-refresh-token"
CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
ACCOUNT_EMAIL = "clinica@example.com"
"""The fake account's address: also its primary calendar's id, as in Google."""
SEEDED_CALENDARS = (
    {"id": ACCOUNT_EMAIL, "summary": ACCOUNT_EMAIL, "primary": True, "accessRole": "owner"},
    {"id": "c_consultas@group.calendar.google.com", "summary": "Consultas", "accessRole": "owner"},
    {
        "id": "es.co#holiday@group.v.calendar.google.com",
        "summary": "Festivos en Colombia",
        "accessRole": "reader",
    },
)
CALENDAR_LIST_PAGE_SIZE = 100
DEFAULT_REASONS = {
    400: "badRequest",
    401: "authError",
    403: "rateLimitExceeded",
    404: "notFound",
    409: "duplicate",
    410: "fullSyncRequired",
    429: "rateLimitExceeded",
    500: "backendError",
    503: "backendError",
}


class ApiError(Exception):
    def __init__(self, status: int, reason: str | None = None, message: str = "") -> None:
        self.status = status
        self.reason = reason or DEFAULT_REASONS.get(status, "error")
        self.message = message or self.reason
        super().__init__(f"{status} {self.reason}")

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.status,
                "message": self.message,
                "errors": [{"domain": "calendar", "reason": self.reason, "message": self.message}],
            }
        }


@dataclass
class Fault:
    status: int | None  # None: no error, only the delay
    reason: str | None
    count: int
    delay_s: float = 0.0


def _now() -> datetime:
    return datetime.now(UTC)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _moment(value: dict[str, Any] | None) -> datetime | None:
    if not value:
        return None
    if "dateTime" in value:
        return datetime.fromisoformat(value["dateTime"].replace("Z", "+00:00")).astimezone(UTC)
    if "date" in value:
        return datetime.fromisoformat(value["date"]).replace(tzinfo=UTC)
    return None


RRULE_STEPS = {"DAILY": timedelta(days=1), "WEEKLY": timedelta(weeks=1)}
MAX_INSTANCES = 500


def _instances(event: dict[str, Any]) -> list[dict[str, Any]]:
    """A timed recurring event as `singleEvents` lists it: one event per occurrence.

    Only what tests need: `RRULE:FREQ=DAILY|WEEKLY` with INTERVAL and COUNT,
    stepped in UTC (Google keeps the local time across DST); any other event is
    returned as it is. Occurrences share the series' status, so deleting the
    series cancels them all.
    """
    rule = next((r for r in event.get("recurrence", []) if r.startswith("RRULE:")), None)
    start, end = _moment(event.get("start")), _moment(event.get("end"))
    if rule is None or start is None or end is None or "dateTime" not in event["start"]:
        return [event]
    parts = dict(p.split("=", 1) for p in rule.removeprefix("RRULE:").split(";") if "=" in p)
    step = RRULE_STEPS.get(parts.get("FREQ", ""))
    if step is None or "COUNT" not in parts:
        return [event]
    step *= int(parts.get("INTERVAL", "1"))
    instances = []
    for n in range(min(int(parts["COUNT"]), MAX_INSTANCES)):
        begins = start + n * step
        instance = {k: v for k, v in event.items() if k != "recurrence"}
        instance.update(
            id=f"{event['id']}_{begins:%Y%m%dT%H%M%SZ}",
            recurringEventId=event["id"],
            originalStartTime={"dateTime": _rfc3339(begins)},
            start={"dateTime": _rfc3339(begins)},
            end={"dateTime": _rfc3339(begins + (end - start))},
        )
        instances.append(instance)
    return instances


class FakeGoogle:
    """The fake's state and behaviour; `serve()` puts it behind an HTTP server."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.calendars: dict[str, dict[str, dict[str, Any]]] = {}
        self.seq = 0
        self.sync_floor = 0  # sync tokens issued before this sequence answer 410
        self.pages: dict[str, tuple[list[dict[str, Any]], str]] = {}
        self.refresh_tokens: set[str] = {DEFAULT_REFRESH_TOKEN}
        self.revoked: set[str] = set()
        self.access_tokens: dict[str, float] = {}
        self.access_owner: dict[str, str] = {}  # access token -> the refresh token it came from
        self.channels: dict[str, dict[str, Any]] = {}
        self.push = PushNotifier()
        self.faults: list[Fault] = []
        self.calls: list[tuple[str, str]] = []
        self.token_requests = 0
        self.client_id: str | None = None  # when set, the consent page and token grant check it
        self.codes: dict[str, dict[str, str]] = {}
        self.denials = 0  # consents still to answer error=access_denied
        self.withhold_refresh = 0  # code exchanges still to answer without a refresh token
        self.calendar_list: list[dict[str, Any]] = [dict(c) for c in SEEDED_CALENDARS]
        self.httpd: _Server | None = None
        self.thread: threading.Thread | None = None

    # ---- control -------------------------------------------------------------------
    def fail_next(self, status: int, count: int = 1, *, reason: str | None = None) -> None:
        """The next `count` calendar calls answer `status` (with Google's `reason`)."""
        with self.lock:
            self.faults.append(Fault(status, reason or DEFAULT_REASONS.get(status), count))

    def delay_next(self, seconds: float, count: int = 1) -> None:
        """The next `count` calendar calls answer only after `seconds`."""
        with self.lock:
            self.faults.append(Fault(None, None, count, seconds))

    def expire_access_tokens(self) -> None:
        """Every access token handed out so far is refused (401) from now on."""
        with self.lock:
            self.access_tokens.clear()

    def expire_sync_tokens(self) -> None:
        """Every sync token handed out so far answers 410 from now on."""
        with self.lock:
            self.sync_floor = self.seq + 1

    def grant_refresh_token(self, token: str | None = None) -> str:
        with self.lock:
            token = token or "1//fake-" + secrets.token_urlsafe(16)
            self.refresh_tokens.add(token)
            self.revoked.discard(token)
            return token

    def revoke(self, token: str) -> None:
        """Revokes a refresh token and, as Google does, the access tokens it issued."""
        with self.lock:
            self.revoked.add(token)
            for access, owner in list(self.access_owner.items()):
                if owner == token:
                    self.access_tokens.pop(access, None)
                    del self.access_owner[access]

    def deny_next_consent(self, count: int = 1) -> None:
        """The next `count` consents answer `error=access_denied` (the user clicked Cancel)."""
        with self.lock:
            self.denials += count

    def withhold_next_refresh_token(self, count: int = 1) -> None:
        """The next `count` code exchanges return no refresh token (an earlier grant kept)."""
        with self.lock:
            self.withhold_refresh += count

    def add_calendar(self, calendar_id: str, summary: str, access_role: str = "owner") -> None:
        with self.lock:
            self.calendar_list.append(
                {"id": calendar_id, "summary": summary, "accessRole": access_role}
            )

    def reset(self) -> None:
        with self.lock:
            self.channels.clear()
        self.push.reset()  # unlocked: a notification being posted may call back into the fake
        with self.lock:
            self.calendars.clear()
            self.pages.clear()
            self.faults.clear()
            self.calls.clear()
            self.revoked.clear()
            self.codes.clear()
            self.denials = self.withhold_refresh = 0
            self.calendar_list = [dict(c) for c in SEEDED_CALENDARS]

    def stats(self) -> dict[str, Any]:
        """Calendar calls by method, and token requests, since the start (for benchmarks)."""
        with self.lock:
            by_method: dict[str, int] = {}
            for method, _path in self.calls:
                by_method[method] = by_method.get(method, 0) + 1
            return {"calls": by_method, "token_requests": self.token_requests}

    def events(self, calendar_id: str, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        """A copy of the calendar's events (for assertions)."""
        with self.lock:
            return [
                json.loads(json.dumps(e))
                for e in self.calendars.get(calendar_id, {}).values()
                if include_deleted or e["status"] != "cancelled"
            ]

    # ---- OAuth ---------------------------------------------------------------------
    def authorize(self, query: dict[str, str]) -> str:
        """The consent page, consented at once: where it sends the browser back to."""
        redirect_uri = query.get("redirect_uri", "")
        if not redirect_uri.startswith(("http://", "https://")):
            raise OAuthError("redirect_uri_mismatch", "Missing or invalid redirect_uri.")
        if not query.get("client_id") or self.client_id not in (None, query["client_id"]):
            raise OAuthError("invalid_client", "The OAuth client was not found.")
        if query.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", "response_type must be code.")
        if not query.get("state"):
            raise OAuthError("invalid_request", "Missing state.")
        back: dict[str, str] = {"state": query["state"]}
        with self.lock:
            if self.denials:
                self.denials -= 1
                back["error"] = "access_denied"
            else:
                code = "4/fake-" + secrets.token_urlsafe(16)
                self.codes[code] = {
                    "client_id": query["client_id"],
                    "redirect_uri": redirect_uri,
                    "challenge": query.get("code_challenge", ""),
                    "method": query.get("code_challenge_method", "plain"),
                    "scope": query.get("scope", ""),
                }
                back.update(code=code, scope=query.get("scope", ""))
        return redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(back)

    def _exchange_code(self, form: dict[str, str], client_id: str) -> dict[str, Any]:
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None:
            raise OAuthError("invalid_grant", "Malformed auth code.")
        if grant["client_id"] != client_id:
            raise OAuthError("invalid_client", "Unauthorized")
        if grant["redirect_uri"] != form.get("redirect_uri"):
            raise OAuthError("redirect_uri_mismatch", "Bad Request")
        if grant["challenge"]:
            verifier = form.get("code_verifier", "")
            if grant["method"] == "S256":
                digest = hashlib.sha256(verifier.encode()).digest()
                verifier = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            if not form.get("code_verifier") or verifier != grant["challenge"]:
                raise OAuthError("invalid_grant", "Invalid code verifier.")
        access = "ya29.fake-" + secrets.token_urlsafe(16)
        self.access_tokens[access] = time.time() + ACCESS_TOKEN_TTL_S
        answer: dict[str, Any] = {
            "access_token": access,
            "expires_in": ACCESS_TOKEN_TTL_S,
            "token_type": "Bearer",
            "scope": grant["scope"] or CALENDAR_SCOPE,
        }
        if self.withhold_refresh:
            self.withhold_refresh -= 1
        else:
            refresh = "1//fake-" + secrets.token_urlsafe(16)
            self.refresh_tokens.add(refresh)
            self.access_owner[access] = refresh
            answer["refresh_token"] = refresh
        return answer

    def token(self, form: dict[str, str], client_id: str | None = None) -> dict[str, Any]:
        """The token endpoint; `client_id` from HTTP Basic auth, if the client sent it so."""
        with self.lock:
            self.token_requests += 1
            client_id = client_id or form.get("client_id", "")
            if form.get("grant_type") == "authorization_code":
                if not client_id or self.client_id not in (None, client_id):
                    raise OAuthError("invalid_client", "The OAuth client was not found.")
                return self._exchange_code(form, client_id)
            if form.get("grant_type") != "refresh_token":
                raise OAuthError("unsupported_grant_type")
            refresh = form.get("refresh_token", "")
            if refresh not in self.refresh_tokens or refresh in self.revoked:
                raise OAuthError("invalid_grant", "Token has been expired or revoked.")
            access = "ya29.fake-" + secrets.token_urlsafe(16)
            self.access_tokens[access] = time.time() + ACCESS_TOKEN_TTL_S
            self.access_owner[access] = refresh
            return {
                "access_token": access,
                "expires_in": ACCESS_TOKEN_TTL_S,
                "token_type": "Bearer",
                "scope": "https://www.googleapis.com/auth/calendar",
            }

    def authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        with self.lock:
            expiry = self.access_tokens.get(header.removeprefix("Bearer "))
            return expiry is not None and expiry > time.time()

    def take_fault(self) -> Fault | None:
        with self.lock:
            if not self.faults:
                return None
            fault = self.faults[0]
            fault.count -= 1
            if fault.count <= 0:
                self.faults.pop(0)
            return fault

    # ---- Calendar v3 ---------------------------------------------------------------
    def _touch(self, event: dict[str, Any]) -> None:
        self.seq += 1
        event["_seq"] = self.seq
        event["updated"] = _rfc3339(_now())
        event["etag"] = f'"{self.seq}"'
        event["sequence"] = event.get("sequence", -1) + 1

    @staticmethod
    def _public(event: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in event.items() if not k.startswith("_")}

    def insert(self, calendar_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            calendar = self.calendars.setdefault(calendar_id, {})
            event_id = body.get("id") or uuid.uuid4().hex
            if not EVENT_ID.match(event_id):
                raise ApiError(400, "invalid", "Invalid resource id value.")
            if event_id in calendar:
                raise ApiError(409, "duplicate", "The requested identifier already exists.")
            if _moment(body.get("start")) is None or _moment(body.get("end")) is None:
                raise ApiError(400, "required", "Missing start or end time.")
            event = {
                **body,
                "kind": "calendar#event",
                "id": event_id,
                "status": body.get("status", "confirmed"),
                "created": _rfc3339(_now()),
                "iCalUID": f"{event_id}@google.com",
                "htmlLink": f"https://calendar.google.com/event?eid={event_id}",
            }
            self._touch(event)
            calendar[event_id] = event
            self._changed(calendar_id)
            return self._public(event)

    def _find(self, calendar_id: str, event_id: str) -> dict[str, Any]:
        event = self.calendars.get(calendar_id, {}).get(event_id)
        if event is None:
            raise ApiError(404, "notFound", "Not Found")
        return event

    def get(self, calendar_id: str, event_id: str) -> dict[str, Any]:
        with self.lock:
            return self._public(self._find(calendar_id, event_id))

    def patch(self, calendar_id: str, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            event = self._find(calendar_id, event_id)
            for key, value in body.items():
                if key in ("id", "kind", "created", "iCalUID"):
                    continue
                if key == "extendedProperties" and isinstance(value, dict):
                    merged = event.setdefault("extendedProperties", {})
                    for scope, props in value.items():
                        merged.setdefault(scope, {}).update(props)
                else:
                    event[key] = value
            self._touch(event)
            self._changed(calendar_id)
            return self._public(event)

    def delete(self, calendar_id: str, event_id: str) -> None:
        with self.lock:
            event = self._find(calendar_id, event_id)
            if event["status"] == "cancelled":
                raise ApiError(410, "deleted", "Resource has been deleted")
            event["status"] = "cancelled"
            self._touch(event)
            self._changed(calendar_id)

    def _changed(self, calendar_id: str) -> None:
        """Each live channel watching the calendar posts an "exists" notification."""
        for channel in list(self.channels.values()):
            if channel["_calendar"] == calendar_id:
                self.push.announce(channel, "exists")

    def list_page(self, calendar_id: str, query: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            page_token = query.get("pageToken")
            if page_token:
                if page_token not in self.pages:
                    raise ApiError(400, "invalid", "Invalid page token")
                remaining, sync_token = self.pages.pop(page_token)
            else:
                remaining, sync_token = self._select(calendar_id, query)
            size = int(query.get("maxResults", DEFAULT_PAGE_SIZE))
            answer: dict[str, Any] = {
                "kind": "calendar#events",
                "summary": calendar_id,
                "items": [self._public(e) for e in remaining[:size]],
            }
            if len(remaining) > size:
                token = secrets.token_urlsafe(12)
                self.pages[token] = (remaining[size:], sync_token)
                answer["nextPageToken"] = token
            else:
                answer["nextSyncToken"] = sync_token
            return answer

    def _select(self, calendar_id: str, query: dict[str, str]) -> tuple[list[dict[str, Any]], str]:
        events = sorted(self.calendars.get(calendar_id, {}).values(), key=lambda e: e["_seq"])
        sync = query.get("syncToken")
        if sync:
            if "timeMin" in query or "timeMax" in query:
                raise ApiError(400, "invalid", "syncToken cannot be combined with timeMin")
            since = int(sync.removeprefix("s")) if re.fullmatch(r"s\d+", sync) else -1
            if since < self.sync_floor or since > self.seq:
                raise ApiError(410, "fullSyncRequired", "Sync token is no longer valid")
            chosen = [e for e in events if e["_seq"] > since]  # deleted ones included
        else:
            show_deleted = query.get("showDeleted", "false") == "true"
            time_min = query.get("timeMin")
            floor = datetime.fromisoformat(time_min.replace("Z", "+00:00")) if time_min else None
            chosen = [
                e
                for e in events
                if (show_deleted or e["status"] != "cancelled")
                and (floor is None or (_moment(e.get("end")) or floor) > floor)
            ]
        if query.get("singleEvents") == "true":
            chosen = [instance for e in chosen for instance in _instances(e)]
        return [json.loads(json.dumps(e)) for e in chosen], f"s{self.seq}"

    def watch(self, calendar_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            ttl = int(body.get("params", {}).get("ttl", 604800))
            channel = {
                "kind": "api#channel",
                "id": body["id"],
                "resourceId": "res-" + secrets.token_hex(8),
                "resourceUri": f"/calendar/v3/calendars/{calendar_id}/events",
                "token": body.get("token"),
                "expiration": str(int((time.time() + ttl) * 1000)),
                "address": body.get("address"),
                "_calendar": calendar_id,
            }
            self.channels[channel["id"]] = channel
            self.push.announce(channel, "sync")
            return {k: v for k, v in channel.items() if k != "address" and not k.startswith("_")}

    def stop(self, body: dict[str, Any]) -> None:
        with self.lock:
            channel = self.channels.get(body.get("id", ""))
            if channel is None or channel["resourceId"] != body.get("resourceId"):
                raise ApiError(404, "notFound", "Channel not found")
            del self.channels[channel["id"]]

    def calendar_list_page(self, query: dict[str, str]) -> dict[str, Any]:
        """The seeded calendars plus any calendar written to, in pages (`p<offset>` tokens)."""
        with self.lock:
            listed = [dict(c) for c in self.calendar_list]
            known = {c["id"] for c in listed}
            listed += [
                {"id": c, "summary": c, "accessRole": "owner"}
                for c in self.calendars
                if c not in known
            ]
        start = int(query.get("pageToken", "p0").removeprefix("p") or 0)
        size = int(query.get("maxResults", CALENDAR_LIST_PAGE_SIZE))
        answer: dict[str, Any] = {
            "kind": "calendar#calendarList",
            "items": [{"kind": "calendar#calendarListEntry", **c} for c in listed[start:][:size]],
        }
        if start + size < len(listed):
            answer["nextPageToken"] = f"p{start + size}"
        return answer

    def free_busy(self, body: dict[str, Any]) -> dict[str, Any]:
        start = datetime.fromisoformat(body["timeMin"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(body["timeMax"].replace("Z", "+00:00"))
        calendars: dict[str, Any] = {}
        with self.lock:
            for item in body.get("items", []):
                busy = []
                for e in self.calendars.get(item["id"], {}).values():
                    e_start, e_end = _moment(e.get("start")), _moment(e.get("end"))
                    if e["status"] == "cancelled" or e.get("transparency") == "transparent":
                        continue
                    if e_start and e_end and e_start < end and e_end > start:
                        busy.append({"start": _rfc3339(e_start), "end": _rfc3339(e_end)})
                calendars[item["id"]] = {"busy": sorted(busy, key=lambda b: b["start"])}
        return {
            "kind": "calendar#freeBusy",
            "timeMin": body["timeMin"],
            "timeMax": body["timeMax"],
            "calendars": calendars,
        }

    # ---- HTTP ----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if self.httpd is None:
            raise RuntimeError("the fake is not serving")
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    @property
    def auth_uri(self) -> str:
        return f"{self.base_url}/o/oauth2/auth"

    @property
    def revoke_uri(self) -> str:
        return f"{self.base_url}/revoke"

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> FakeGoogle:
        """Starts serving in a daemon thread (port 0: any free port)."""
        handler = type("BoundHandler", (_Handler,), {"fake": self})
        self.httpd = _Server((host, port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def shutdown(self) -> None:
        self.push.wait_idle(timeout=1.0)
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout test) leaves a broken pipe: not worth a traceback."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class OAuthError(Exception):
    def __init__(self, error: str, description: str = "") -> None:
        self.error = error
        self.description = description
        super().__init__(error)


_EVENTS = re.compile(r"^/calendar/v3/calendars/([^/]+)/events(?:/([^/]+))?$")


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGoogle
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _send(self, status: int, body: dict[str, Any] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _basic_client_id(self) -> str | None:
        scheme, _, value = (self.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            return base64.b64decode(value).decode().partition(":")[0] or None
        except ValueError:
            return None

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json(self) -> dict[str, Any]:
        raw = self._body()
        return json.loads(raw) if raw else {}

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        path = url.path
        try:
            if path.startswith("/_control/"):
                self._control(method, path, query)
            elif path == "/o/oauth2/auth" and method == "GET":
                self._redirect(self.fake.authorize(query))
            elif path == "/token" and method == "POST":
                form = {k: v[-1] for k, v in parse_qs(self._body().decode()).items()}
                self._send(200, self.fake.token(form, self._basic_client_id()))
            elif path == "/revoke" and method == "POST":
                form = {k: v[-1] for k, v in parse_qs(self._body().decode()).items()}
                self.fake.revoke(query.get("token") or form.get("token", ""))
                self._send(200, {})
            elif path.startswith("/calendar/v3/"):
                self._calendar(method, path, query)
            else:
                raise ApiError(404, "notFound", f"no route {method} {path}")
        except OAuthError as exc:
            self._send(400, {"error": exc.error, "error_description": exc.description})
        except ApiError as exc:
            self._send(exc.status, exc.body())
        except (KeyError, ValueError) as exc:
            self._send(400, ApiError(400, "badRequest", repr(exc)).body())

    def _calendar(self, method: str, path: str, query: dict[str, str]) -> None:
        fake = self.fake
        body = self._json() if method in ("POST", "PATCH", "PUT") else {}
        if not fake.authorized(self.headers.get("Authorization")):
            raise ApiError(401, "authError", "Invalid Credentials")
        fault = fake.take_fault()
        if fault is not None:
            if fault.delay_s:
                time.sleep(fault.delay_s)
            if fault.status is not None:
                raise ApiError(fault.status, fault.reason)
        fake.calls.append((method, path))
        if path == "/calendar/v3/freeBusy" and method == "POST":
            return self._send(200, fake.free_busy(body))
        if path == "/calendar/v3/channels/stop" and method == "POST":
            fake.stop(body)
            return self._send(204)
        if path == "/calendar/v3/users/me/calendarList" and method == "GET":
            return self._send(200, fake.calendar_list_page(query))
        match = _EVENTS.match(path)
        if match is None:
            raise ApiError(404, "notFound", f"no route {method} {path}")
        calendar_id, event_id = unquote(match.group(1)), match.group(2)
        if event_id == "watch" and method == "POST":
            return self._send(200, fake.watch(calendar_id, body))
        if event_id is None:
            if method == "POST":
                return self._send(200, fake.insert(calendar_id, body))
            if method == "GET":
                return self._send(200, fake.list_page(calendar_id, query))
        else:
            event_id = unquote(event_id)
            if method == "GET":
                return self._send(200, fake.get(calendar_id, event_id))
            if method in ("PATCH", "PUT"):
                return self._send(200, fake.patch(calendar_id, event_id, body))
            if method == "DELETE":
                fake.delete(calendar_id, event_id)
                return self._send(204)
        raise ApiError(405, "methodNotAllowed", f"{method} {path}")

    def _control(self, method: str, path: str, query: dict[str, str]) -> None:
        fake = self.fake
        if path == "/_control/stats" and method == "GET":
            return self._send(200, fake.stats())
        if path == "/_control/notifications" and method == "GET":
            items = fake.push.notifications(query.get("channel"))
            return self._send(200, {"items": [n.public() for n in items]})
        if path == "/_control/events" and method == "GET":
            deleted = query.get("deleted") == "true"
            return self._send(
                200, {"items": fake.events(query["calendar"], include_deleted=deleted)}
            )
        body = self._json()
        if path == "/_control/fault" and method == "POST":
            if body.get("status") is not None:
                fake.fail_next(
                    int(body["status"]), int(body.get("count", 1)), reason=body.get("reason")
                )
            if body.get("delay_s"):
                fake.delay_next(float(body["delay_s"]), int(body.get("count", 1)))
        elif path == "/_control/expire-tokens" and method == "POST":
            fake.expire_access_tokens()
        elif path == "/_control/expire-sync-tokens" and method == "POST":
            fake.expire_sync_tokens()
        elif path == "/_control/refresh-token" and method == "POST":
            return self._send(200, {"refresh_token": fake.grant_refresh_token(body.get("token"))})
        elif path == "/_control/deny-consent" and method == "POST":
            fake.deny_next_consent(int(body.get("count", 1)))
        elif path == "/_control/withhold-refresh-token" and method == "POST":
            fake.withhold_next_refresh_token(int(body.get("count", 1)))
        elif path == "/_control/reset" and method == "POST":
            fake.reset()
        elif path == "/_control/notifications/drop" and method == "POST":
            fake.push.drop_next(int(body.get("count", 1)))
        elif path == "/_control/notifications/replay" and method == "POST":
            number = body.get("message_number")
            replayed = fake.push.replay(
                body.get("channel_id"), int(number) if number is not None else None
            )
            if not replayed:
                raise ApiError(404, "notFound", "no such notification to replay")
        else:
            raise ApiError(404, "notFound", f"no control {method} {path}")
        self._send(200, {"ok": True})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local fake of Google Calendar v3 and OAuth")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089)
    args = parser.parse_args(argv)
    fake = FakeGoogle().serve(args.host, args.port)
    print(f"fake Google Calendar at {fake.base_url}", flush=True)
    print(f"  GOOGLE_API_BASE_URL={fake.base_url}", flush=True)
    print(f"  GOOGLE_TOKEN_URI={fake.token_uri}", flush=True)
    print(f"  GOOGLE_AUTH_URI={fake.auth_uri}", flush=True)
    print(f"  GOOGLE_REVOKE_URI={fake.revoke_uri}", flush=True)
    print(f"  refresh token it accepts: {DEFAULT_REFRESH_TOKEN}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.shutdown()


if __name__ == "__main__":
    main()
