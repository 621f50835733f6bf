"""One measured run: a server, a warm-up, a quiet settle, wrk, and the counters around it.

Per run: the server's CPU (its process tree, /proc), PostgreSQL's (`postgres`),
wrk's own and this process's, and the whole machine's (/proc/stat): what is
left is other processes' load, reported with the load average so a noisy run
can be recognised. The server is always stopped, whatever happens.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench.bench_webhook import start_server
from bench.wrk import procstat
from bench.wrk.data import Clinic
from bench.wrk.load import WrkResult, run_wrk
from bench.wrk.paths import PUBLIC_BASE, QUEUE_URL, TOKEN
from bench.wrk.postgres import (
    BackendSampler,
    DbCounters,
    PostgresCpu,
    libpq_url,
    new_sessions_elsewhere,
    read_counters,
    sessions_by_database,
)
from bench.wrk.statements import (
    StatementCount,
    count_since,
    log_offset,
    replay_one_by_one,
    statement_log,
)

SETTLE_S = 11.0
"""Quiet time after the warm-up: idle backends flush their statistics after 10 s."""


OWN_SESSIONS = 2
"""Sessions the measurement itself opens on the maintenance database during a window."""


@dataclass(frozen=True)
class Options:
    seconds: float
    warmup: float
    connections: int
    threads: int
    workers: int
    admin_url: str  # libpq URL of the server's maintenance database


@dataclass(frozen=True)
class Machine:
    """The machine during the measured window."""

    wall_s: float
    busy_s: float  # all cores
    other_s: float  # busy time not spent by the server, PostgreSQL, wrk or this process
    cores: int
    load_before: float
    load_after: float

    @property
    def busy_share(self) -> float:
        return self.busy_s / (self.wall_s * self.cores)

    @property
    def other_cores(self) -> float:
        return self.other_s / self.wall_s


@dataclass(frozen=True)
class RunResult:
    path: str
    app: str  # "ours", "floor" or "ceiling"
    repeat: int
    started: str
    code: str  # HEAD and `git status --short backend/` at the run
    wrk: WrkResult
    server_cpu_s: float
    server_system_s: float
    bench_cpu_s: float
    postgres: PostgresCpu
    counters: DbCounters
    other_db_sessions: int
    machine: Machine
    overlaps: int | None

    def per_op_ms(self, seconds: float) -> float:
        return 1000 * seconds / max(self.wrk.requests, 1)

    @property
    def server_ms(self) -> float:
        return self.per_op_ms(self.server_cpu_s)

    @property
    def postgres_ms(self) -> float:
        return self.per_op_ms(self.postgres.bench_backends)

    @property
    def sessions_per_1000(self) -> float:
        return 1000 * self.counters.sessions / max(self.wrk.requests, 1)

    @property
    def transactions_per_op(self) -> float:
        return self.counters.transactions / max(self.wrk.requests, 1)


def server_env(clinic: Clinic) -> dict[str, str]:
    """The environment of every server: production queue mode, signed webhooks."""
    env = {
        **os.environ,
        "DATABASE_URL": clinic.url,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "PUBLIC_BASE_URL": PUBLIC_BASE,
        "WHATSAPP_CHANNEL": "sandbox",
        "TWILIO_VALIDATE_SIGNATURE": "true",
        "DEMO_SEED": "false",
        "REDIS_URL": QUEUE_URL,
    }
    env.pop("ANTHROPIC_API_KEY", None)
    return env


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


class Server:
    """A uvicorn server for the length of a `with` block."""

    def __init__(self, target: str, clinic: Clinic, workers: int) -> None:
        self._target, self._clinic, self._workers = target, clinic, workers

    def __enter__(self) -> Server:
        self.process, self.base_url = start_server(
            self._target, server_env(self._clinic), self._workers
        )
        self.port = urlsplit(self.base_url).port or 80
        return self

    def __exit__(self, *_: object) -> None:
        stop(self.process)


def code_state() -> str:
    """`git rev-parse HEAD` and `git status --short backend/` (the code may change under us)."""
    root = Path(__file__).resolve().parents[2]
    head = _git(root, "rev-parse", "HEAD")
    if not head:
        return f"{root} (not a git checkout)"
    status = _git(root, "status", "--short", "backend/")
    return head + ("\n" + status if status else "\n(backend/ clean)")


def _git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    return result.stdout.strip()


@dataclass(frozen=True)
class Target:
    path: str
    app: str
    uvicorn: str
    measured: Path
    warm: Path


def measure(target: Target, clinic: Clinic, options: Options, repeat: int) -> RunResult:
    """Starts the server, warms it, settles, and measures one wrk run."""
    started = datetime.now(UTC).strftime("%H:%M:%S")
    code = code_state()
    with Server(target.uvicorn, clinic, options.workers) as server:
        _wrk(server, target.warm, options, options.warmup)
        time.sleep(SETTLE_S)
        before = read_counters(_libpq(clinic))
        sessions_before = sessions_by_database(options.admin_url)
        window = _Window(server.process.pid, options.admin_url, clinic.database)
        result = _wrk(server, target.measured, options, options.seconds)
        postgres, machine, server_cpu, bench_cpu = window.close(result)
    after = read_counters(_libpq(clinic))
    return RunResult(
        path=target.path,
        app=target.app,
        repeat=repeat,
        started=started,
        code=code,
        wrk=result,
        server_cpu_s=server_cpu.total,
        server_system_s=server_cpu.system,
        bench_cpu_s=bench_cpu,
        postgres=postgres,
        counters=after.minus(before),
        other_db_sessions=new_sessions_elsewhere(
            sessions_before, sessions_by_database(options.admin_url), clinic.database, OWN_SESSIONS
        ),
        machine=machine,
        overlaps=None,
    )


def _libpq(clinic: Clinic) -> str:
    return libpq_url(clinic.url)


def _wrk(server: Server, corpus: Path, options: Options, seconds: float) -> WrkResult:
    return run_wrk(
        server.base_url,
        corpus,
        seconds=seconds,
        connections=options.connections,
        threads=options.threads,
    )


class _Window:
    """The counters at the start of the measured window, closed when wrk has finished."""

    def __init__(self, server_pid: int, admin_url: str, database: str) -> None:
        self._server_pid = server_pid
        self._sampler = BackendSampler(admin_url, database)
        self._sampler.start()
        self._load = os.getloadavg()[0]
        self._machine = procstat.machine_times()
        self._own = procstat.own_cpu()
        self._server = procstat.tree_cpu(server_pid)
        self._began = time.monotonic()

    def close(self, result: WrkResult) -> tuple[PostgresCpu, Machine, procstat.TreeCpu, float]:
        server = procstat.tree_cpu(self._server_pid).minus(self._server)
        postgres = self._sampler.stop()
        wall = time.monotonic() - self._began
        machine = procstat.machine_times()
        own = procstat.own_cpu() - self._own
        busy = machine.busy - self._machine.busy
        ours = server.total + postgres.all_processes + result.cpu_s + own
        return (
            postgres,
            Machine(
                wall_s=wall,
                busy_s=busy,
                other_s=max(busy - ours, 0.0),
                cores=os.cpu_count() or 1,
                load_before=self._load,
                load_after=os.getloadavg()[0],
            ),
            server,
            own,
        )


def calibrate(
    uvicorn: str,
    clinic: Clinic,
    options: Options,
    warm: list[bytes],
    groups: dict[str, list[bytes]],
) -> dict[str, StatementCount]:
    """Statements per request of each kind, from the statement log, one request at a time."""
    counts: dict[str, StatementCount] = {}
    with statement_log(options.admin_url, clinic.database):
        with Server(uvicorn, clinic, 1) as server:
            replay_one_by_one(server.port, warm)
            for kind, raws in groups.items():
                offset = log_offset()
                statuses = replay_one_by_one(server.port, raws)
                counts[kind] = count_since(offset, clinic.database, len(raws))
                counts[kind].statuses = statuses
    return counts
