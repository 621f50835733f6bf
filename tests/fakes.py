"""Tiny local HTTP servers standing in for Twilio's and Anthropic's APIs (real SDKs talk to them)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


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
