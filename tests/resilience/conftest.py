"""A private Redis that can be killed and restarted, a real worker and beat on it.

Built on the helpers of `tests/workers` (`WorkerProcess`, `BeatProcess`, `RedisServer`): the
worker is `celery -A tests.workers.worker_app worker` in a subprocess, beat the
same app's fast beat (every sweep each second), both against the session's
PostgreSQL database and a redis-server on a spare port that only this test uses.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.workers.conftest import RedisServer, _pings, wait_for


class FlappingRedis(RedisServer):
    """A private redis-server that dies like a crashed container: SIGKILL, no goodbye."""

    def kill(self) -> None:
        pid = int((self.workdir / "redis.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        wait_for(lambda: not _pings(client), timeout=10, what="redis-server to die")
        (self.workdir / "redis.pid").unlink(missing_ok=True)

    def running(self) -> bool:
        return _pings(redis.Redis.from_url(self.url, socket_connect_timeout=0.5))


@pytest.fixture
def flapping_redis(tmp_path: Path) -> Iterator[FlappingRedis]:
    if shutil.which("redis-server") is None:
        pytest.fail(
            "redis-server is needed for the broker outage tests (apt-get install redis-server)"
        )
    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = FlappingRedis(workdir)
    server.start()
    yield server
    if server.running():
        server.stop()
