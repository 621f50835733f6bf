"""A local fake of Google Calendar v3 and Google's OAuth token endpoints, in memory.

For tests and for trying calendar sync without Google: the real SDK talks to
it through `GOOGLE_API_BASE_URL` and `GOOGLE_TOKEN_URI`. It implements what
the product uses (events insert/get/patch/delete/list with syncToken,
pageToken, showDeleted, singleEvents (daily and weekly rules) and maxResults; watch; channels.stop; freeBusy; token
refresh and revoke) with Google's status codes and error bodies, and can be
told to misbehave: the next calls answer an error, answer slowly, or every
access token expires. Faults are set with methods on `FakeGoogle`, or over
HTTP (`POST /_control/fault`, `/_control/expire-tokens`, `/_control/reset`;
`GET /_control/events`) when the fake runs in another process:

    python -m backend.integrations.google_calendar.fake_server --port 8089
"""

from __future__ import annotations

import argparse
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
from urllib.parse import parse_qs, unquote, urlsplit

EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
ACCESS_TOKEN_TTL_S = 3600
DEFAULT_PAGE_SIZE = 250
DEFAULT_REFRESH_TOKEN = "fake-refresh-token"
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
        self.channels: dict[str, dict[str, Any]] = {}
        self.faults: list[Fault] = []
        self.calls: list[tuple[str, str]] = []
        self.token_requests = 0
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
        with self.lock:
            self.revoked.add(token)

    def reset(self) -> None:
        with self.lock:
            self.calendars.clear()
            self.pages.clear()
            self.channels.clear()
            self.faults.clear()
            self.calls.clear()
            self.revoked.clear()

    def events(self, calendar_id: str, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        """A copy of the calendar's events (for assertions)."""
        with self.lock:
            return [
                json.loads(json.dumps(e))
                for e in self.calendars.get(calendar_id, {}).values()
                if include_deleted or e["status"] != "cancelled"
            ]

    # ---- OAuth ---------------------------------------------------------------------
    def token(self, form: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            self.token_requests += 1
            if form.get("grant_type") != "refresh_token":
                raise OAuthError("unsupported_grant_type")
            refresh = form.get("refresh_token", "")
            if refresh not in self.refresh_tokens or refresh in self.revoked:
                raise OAuthError("invalid_grant", "Token has been expired or revoked.")
            access = "ya29.fake-" + secrets.token_urlsafe(16)
            self.access_tokens[access] = time.time() + ACCESS_TOKEN_TTL_S
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
            return self._public(event)

    def delete(self, calendar_id: str, event_id: str) -> None:
        with self.lock:
            event = self._find(calendar_id, event_id)
            if event["status"] == "cancelled":
                raise ApiError(410, "deleted", "Resource has been deleted")
            event["status"] = "cancelled"
            self._touch(event)

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
            }
            self.channels[channel["id"]] = channel
            return {k: v for k, v in channel.items() if k != "address"}

    def stop(self, body: dict[str, Any]) -> None:
        with self.lock:
            channel = self.channels.get(body.get("id", ""))
            if channel is None or channel["resourceId"] != body.get("resourceId"):
                raise ApiError(404, "notFound", "Channel not found")
            del self.channels[channel["id"]]

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

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> FakeGoogle:
        """Starts serving in a daemon thread (port 0: any free port)."""
        handler = type("BoundHandler", (_Handler,), {"fake": self})
        self.httpd = _Server((host, port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def shutdown(self) -> None:
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
            elif path == "/token" and method == "POST":
                form = {k: v[-1] for k, v in parse_qs(self._body().decode()).items()}
                self._send(200, self.fake.token(form))
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
        elif path == "/_control/reset" and method == "POST":
            fake.reset()
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
    print(f"  refresh token it accepts: {DEFAULT_REFRESH_TOKEN}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.shutdown()


if __name__ == "__main__":
    main()
