"""A private Redis that can be killed and restarted, a real worker and beat on it.

Built on the helpers of `tests/workers` (`WorkerProcess`, `RedisServer`): the
worker is `celery -A tests.workers.worker_app worker` in a subprocess, beat the
same app's fast beat (every sweep each second), both against the session's
PostgreSQL database and a redis-server on a spare port that only this test uses.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from backend.core.config import PROJECT_ROOT
from tests.workers.conftest import RedisServer, wait_for


class FlappingRedis(RedisServer):
    """A private redis-server that dies like a crashed container: SIGKILL, no goodbye."""

    def kill(self) -> None:
        pid = int((self.workdir / "redis.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        wait_for(lambda: not _answers(client), timeout=10, what="redis-server to die")
        (self.workdir / "redis.pid").unlink(missing_ok=True)

    def running(self) -> bool:
        return _answers(redis.Redis.from_url(self.url, socket_connect_timeout=0.5))


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False


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


class BeatProcess:
    """`celery -A tests.workers.worker_app beat` (every sweep each second) as a child process."""

    def __init__(self, *, broker_url: str, database_url: str, queue: str, workdir: Path) -> None:
        self.workdir = workdir
        self.log = workdir / "beat.log"
        env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "DATABASE_URL": database_url,
            "REDIS_URL": broker_url,
            "CELERY_QUEUE": queue,
        }
        with self.log.open("ab") as handle:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "tests.workers.worker_app",
                    "beat",
                    "-l",
                    "INFO",
                    "-s",
                    str(workdir / "beat-schedule"),
                    "--max-interval",
                    "1",
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
