"""The fake Google's push notifications: what `events.watch` makes Google post.

Right after a watch the channel's address gets a "sync" message (number 1);
each later change to the watched calendar an "exists" one, numbered upwards
per channel, with the headers Google sends and an empty body. A single
background thread posts them in order, so the fake's API answers are not
delayed; stopped and expired channels post nothing. Tests can drop the next
notifications or post one again (a duplicate), and read what was posted and
what the address answered.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from email.utils import formatdate
from typing import Any

log = logging.getLogger(__name__)

POST_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Notification:
    """One post to a channel's address; `status` is what it answered (0: no answer)."""

    channel_id: str
    token: str | None
    address: str
    resource_id: str
    resource_uri: str
    expiration_ms: int
    state: str
    number: int
    status: int | None = None  # None: not posted (yet), or dropped
    dropped: bool = False
    replayed: bool = False

    def headers(self) -> dict[str, str]:
        headers = {
            "X-Goog-Channel-ID": self.channel_id,
            "X-Goog-Channel-Expiration": formatdate(self.expiration_ms / 1000, usegmt=True),
            "X-Goog-Resource-ID": self.resource_id,
            "X-Goog-Resource-URI": self.resource_uri,
            "X-Goog-Resource-State": self.state,
            "X-Goog-Message-Number": str(self.number),
        }
        if self.token is not None:
            headers["X-Goog-Channel-Token"] = self.token
        return headers

    def public(self) -> dict[str, Any]:
        return {
            "channel_id": self.channel_id,
            "state": self.state,
            "number": self.number,
            "status": self.status,
            "dropped": self.dropped,
            "replayed": self.replayed,
        }


class PushNotifier:
    """Queues and posts notifications; `FakeGoogle` calls `announce` under its own lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queue: queue.Queue[Notification] = queue.Queue()
        self.posted: list[Notification] = []
        self.to_drop = 0
        self.thread: threading.Thread | None = None

    def announce(self, channel: dict[str, Any], state: str) -> Notification | None:
        """Numbers and queues a notification on `channel`; nothing once it has expired."""
        expiration_ms = int(channel["expiration"])
        if not channel.get("address") or expiration_ms <= time.time() * 1000:
            return None
        channel["_number"] = channel.get("_number", 0) + 1
        notification = Notification(
            channel_id=channel["id"],
            token=channel.get("token"),
            address=channel["address"],
            resource_id=channel["resourceId"],
            resource_uri=channel["resourceUri"],
            expiration_ms=expiration_ms,
            state=state,
            number=channel["_number"],
        )
        with self.lock:
            if self.to_drop > 0:
                self.to_drop -= 1
                self.posted.append(replace(notification, dropped=True))
                return notification
        self._enqueue(notification)
        return notification

    def drop_next(self, count: int = 1) -> None:
        """The next `count` notifications are lost (never posted)."""
        with self.lock:
            self.to_drop += count

    def replay(self, channel_id: str | None = None, number: int | None = None) -> bool:
        """Posts an already posted notification again (the last one, or the one named)."""
        with self.lock:
            match = next(
                (
                    n
                    for n in reversed(self.posted)
                    if not n.dropped
                    and (channel_id is None or n.channel_id == channel_id)
                    and (number is None or n.number == number)
                ),
                None,
            )
        if match is None:
            return False
        self._enqueue(replace(match, status=None, replayed=True))
        return True

    def notifications(self, channel_id: str | None = None) -> list[Notification]:
        """What was posted (and dropped) so far, oldest first."""
        with self.lock:
            return [n for n in self.posted if channel_id is None or n.channel_id == channel_id]

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Waits until every queued notification has been posted; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    def reset(self) -> None:
        self.wait_idle(timeout=POST_TIMEOUT_S)
        with self.lock:
            self.posted.clear()
            self.to_drop = 0

    def _enqueue(self, notification: Notification) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name="fake-google-push", daemon=True
                )
                self.thread.start()
        self.queue.put(notification)

    def _run(self) -> None:
        while True:
            notification = self.queue.get()
            try:
                status = _post(notification)
                with self.lock:
                    self.posted.append(replace(notification, status=status))
            finally:
                self.queue.task_done()


def _post(notification: Notification) -> int:
    request = urllib.request.Request(
        notification.address, data=b"", method="POST", headers=notification.headers()
    )
    try:
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT_S) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError) as exc:
        log.info("notification to %s not delivered: %s", notification.address, exc)
        return 0
