"""A real Celery worker (subprocess, prefork) on the real Redis, against the session's test database.

Every test session gets its own queue name, which is also the prefix of every
Redis key (kombu's `global_keyprefix`, our locks and counters), so parallel
runs on the shared Redis at 127.0.0.1:6379 never see each other's messages.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy.engine import Engine

from backend import wiring
from backend.core.config import PROJECT_ROOT, settings
from backend.workers import celery_app as celery_module

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TEMPLATE = "HX0000000000000000000000000000test"


def wait_for(
    predicate: Callable[[], object], *, timeout: float = 30.0, what: str = "condition"
) -> object:
    """Polls until `predicate()` is truthy; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


class WorkerProcess:
    """`celery -A tests.workers.worker_app worker` as a child process, with its log in a file."""

    def __init__(
        self, *, broker_url: str, database_url: str, queue: str, log: Path, concurrency: int = 2
    ) -> None:
        self.broker_url = broker_url
        self.database_url = database_url
        self.queue = queue
        self.log = log
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 60.0) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.broker_url,
            "CELERY_QUEUE": self.queue,
            "CELERY_VISIBILITY_TIMEOUT_S": "60",
            "WHATSAPP_CHANNEL": "sandbox",
            "WHATSAPP_TEMPLATE_CONTENT_SID": TEMPLATE,
        }
        start_at = self.log.stat().st_size if self.log.exists() else 0
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.workers.worker_app",
                "worker",
                "-Q",
                self.queue,
                "-c",
                str(self.concurrency),
                "-P",
                "prefork",
                "-n",
                f"{self.queue}@%h",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "-l",
                "INFO",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        wait_for(
            lambda: self._ready(start_at), timeout=timeout, what=f"worker ready (log {self.log})"
        )

    def _ready(self, offset: int) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"worker exited early:\n{self.log.read_text()[-3000:]}")
        with self.log.open("rb") as f:
            f.seek(offset)
            return b" ready." in f.read()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL the whole worker: the main process and its pool children at once."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="session")
def celery_queue() -> str:
    return f"vetassist-test-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="session")
def worker(
    engines: dict[str, Engine], celery_queue: str, tmp_path_factory
) -> Iterator[WorkerProcess]:
    database_url = engines["postgres"].url.render_as_string(hide_password=False)
    process = WorkerProcess(
        broker_url=REDIS_URL,
        database_url=database_url,
        queue=celery_queue,
        log=tmp_path_factory.mktemp("worker") / "worker.log",
    )
    process.start()
    yield process
    process.stop()
    _forget_keys(REDIS_URL, celery_queue)


def _forget_keys(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"{prefix}*", count=500):
        client.delete(key)


def use_broker(monkeypatch: pytest.MonkeyPatch, broker_url: str, queue: str) -> None:
    """This process publishes like a production web process: Celery mode, our queue."""
    monkeypatch.setattr(settings, "REDIS_URL", broker_url)
    monkeypatch.setattr(settings, "CELERY_QUEUE", queue)
    monkeypatch.setattr(settings, "WHATSAPP_TEMPLATE_CONTENT_SID", TEMPLATE)
    celery_module.configure(broker_url, queue=queue, visibility_timeout_s=60)
    from backend.workers import dispatch, locks

    locks.redis_client.cache_clear()
    monkeypatch.setattr(dispatch, "_broker_down_until", 0.0)
    wiring.install()


@pytest.fixture
def celery_mode(monkeypatch: pytest.MonkeyPatch, worker: WorkerProcess) -> Iterator[WorkerProcess]:
    use_broker(monkeypatch, worker.broker_url, worker.queue)
    yield worker
    celery_module.configure(celery_module.DEFAULT_BROKER_URL, queue="vetassist")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A private redis-server on a spare port, to stop and start at will."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                str(self.workdir),
                "--pidfile",
                str(self.workdir / "redis.pid"),
                "--logfile",
                str(self.workdir / "redis.log"),
            ],
            check=True,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        wait_for(lambda: _pings(client), timeout=10, what="private redis-server")

    def stop(self) -> None:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        try:
            client.shutdown(nosave=True)
        except redis.exceptions.ConnectionError:
            pass
        wait_for(lambda: not _pings(client), timeout=10, what="private redis-server to stop")


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.fail(
            "redis-server is needed for the broker outage test (apt-get install redis-server)"
        )
    server = RedisServer(tmp_path)
    server.start()
    yield server
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
