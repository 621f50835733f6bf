"""Tiny local HTTP servers standing in for Twilio's and Anthropic's APIs (real SDKs talk to them)."""

from __future__ import annotations

import json
import operator
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def query(self) -> dict[str, str]:
        """A GET's query parameters (Twilio's list filters), decoded."""
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}


Responder = Callable[[Recorded], tuple[int, dict[str, Any]]]


@dataclass
class FakeServer:
    url: str
    requests: list[Recorded] = field(default_factory=list)
    responder: Responder | None = None
    delay_s: float = 0.0


@contextmanager
def fake_server(responder: Responder) -> Iterator[FakeServer]:
    """Serves `responder` on 127.0.0.1 (a free port) in a thread for the block's duration."""
    state = FakeServer(url="", responder=responder)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("content-length") or 0)
            headers = {k.lower(): v for k, v in self.headers.items()}
            recorded = Recorded("POST", self.path, headers, self.rfile.read(length))
            state.requests.append(recorded)
            if state.delay_s:
                time.sleep(state.delay_s)
            status, payload = state.responder(recorded)  # type: ignore[misc]
            body = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            headers = {k.lower(): v for k, v in self.headers.items()}
            recorded = Recorded("GET", self.path, headers, b"")
            state.requests.append(recorded)
            status, payload = state.responder(recorded)  # type: ignore[misc]
            body = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def twilio_message(recorded: Recorded, status: str = "queued") -> dict[str, Any]:
    form = recorded.form()
    return {
        "sid": "SM" + "a" * 32,
        "status": status,
        "to": form.get("To"),
        "from": form.get("From"),
        "body": form.get("Body"),
        "account_sid": "AC" + "0" * 32,
        "num_segments": "1",
    }


_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Messages\.json$")


@dataclass
class TwilioMessages:
    """Twilio's Messages resource (API 2010-04-01) kept in memory: create and list.

    Serve it with `fake_server(twilio.respond)`. A created message answers
    `queued` with no `date_sent`, as Twilio's does, and is sent at once: the
    list shows it `sent`, with `date_sent`, rendered (a template's
    `{{1}}`... replaced by its ContentVariables). The list filters by `To`,
    `From` and `DateSent` / `DateSent<` / `DateSent>` (a day, or a moment
    as the SDK sends it; `>` and `<` include the bound; a message not sent
    yet has no `date_sent` and is left out), newest first, paged by
    `PageSize` and `Page` with `next_page_uri`. `now` is the fake's clock:
    pass the app's (`clock.now`) when a test freezes time.
    """

    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    templates: dict[str, str] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def created(self) -> list[dict[str, Any]]:
        """Every message accepted so far, oldest first."""
        return sorted(self.messages, key=lambda m: m["_created"])

    def respond(self, recorded: Recorded) -> tuple[int, dict[str, Any]]:
        path = urlsplit(recorded.path).path
        match = _MESSAGES_PATH.match(path)
        if match is None:
            return 404, _twilio_error(20404, f"The requested resource {path} was not found", 404)
        if recorded.method == "POST":
            return self._create(match["account"], recorded.form())
        return self._list(path, recorded.query())

    def _create(self, account: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if not form.get("To") or not form.get("From"):
            return 400, _twilio_error(21604, "A 'To' and a 'From' phone number are required.", 400)
        if form.get("ContentSid"):
            variables = json.loads(form.get("ContentVariables") or "{}")
            body = self.templates.get(form["ContentSid"], "Mensaje de tu clínica: {{1}}")
            for name, value in variables.items():
                body = body.replace("{{" + str(name) + "}}", str(value))
        else:
            body = form.get("Body", "")
        now = self.now()
        sid = "SM" + uuid.uuid4().hex
        stored = {
            "_created": now,
            "account_sid": account,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": format_datetime(now),
            "date_sent": format_datetime(now),
            "date_updated": format_datetime(now),
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form["From"],
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "sent",
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{account}/Messages/{sid}/Media.json"
            },
            "to": form["To"],
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
        }
        self.messages.append(stored)
        answer = _public(stored) | {"status": "queued", "date_sent": None}
        return 201, answer

    def _list(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        rows = [
            m
            for m in self.messages
            if query.get("To", m["to"]) == m["to"] and query.get("From", m["from"]) == m["from"]
        ]
        for key, keep in (
            ("DateSent", operator.eq),
            ("DateSent>", operator.ge),
            ("DateSent<", operator.le),
        ):
            if key in query:
                bound = _date_filter(query[key])
                rows = [
                    m
                    for m in rows
                    if m["date_sent"] is not None and keep(_sent_as(m["_created"], bound), bound)
                ]
        rows.sort(key=lambda m: m["_created"], reverse=True)
        size = min(int(query.get("PageSize", 50)), 1000)
        page = int(query.get("Page", 0))
        chunk = rows[page * size : (page + 1) * size]
        filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def uri(number: int) -> str:
            return f"{path}?{urlencode({**filters, 'PageSize': size, 'Page': number})}"

        more = (page + 1) * size < len(rows)
        return 200, {
            "messages": [_public(m) for m in chunk],
            "end": page * size + max(len(chunk) - 1, 0),
            "first_page_uri": uri(0),
            "next_page_uri": uri(page + 1) if more else None,
            "page": page,
            "page_size": size,
            "previous_page_uri": uri(page - 1) if page > 0 else None,
            "start": page * size,
            "uri": uri(page),
        }


def _public(stored: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stored.items() if not k.startswith("_")}


def _date_filter(value: str) -> date | datetime:
    """A DateSent bound: a day (YYYY-MM-DD) or a moment (the SDK's YYYY-MM-DDTHH:MM:SSZ)."""
    if "T" not in value:
        return date.fromisoformat(value)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _sent_as(sent: datetime, bound: date | datetime) -> date | datetime:
    """The send time at the bound's precision (a day compares by day, a moment by second)."""
    return sent.replace(microsecond=0) if isinstance(bound, datetime) else sent.date()


def _twilio_error(code: int, message: str, status: int) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def claude_tool_use(name: str, data: dict[str, Any], tool_id: str = "toolu_01") -> dict[str, Any]:
    return {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-6",
        "content": [{"type": "tool_use", "id": tool_id, "name": name, "input": data}],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 10},
    }
