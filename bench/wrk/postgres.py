"""PostgreSQL's side of a run: its counters and the CPU of its processes.

Counters (`pg_stat_database`, `pg_stat_user_tables`) give transactions, new
sessions, rows written and table scans per operation. Backends flush them at
most once a second under load and after 10 s when idle, and at exit: the run
reads them after a quiet settle before it and after the server (hence its
backends) has stopped.

CPU: the postmaster's children are sampled ten times a second (/proc), and
the bench database's client backends and autovacuum workers told apart by
`pg_stat_activity` (read from a connection to another database, so the
sampling is not counted). Summed as last seen, the bench backends give a lower
bound; a backend that exits between samples (an overflow connection closed
after a request or two) is reaped by the postmaster, whose children counters
then hold its whole CPU, and what they hold beyond the samples is added for
the upper bound (it may also hold other databases' short sessions:
`new_sessions_elsewhere` says whether there were any).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from bench.wrk.procstat import TICK_S, ProcTimes, children_of, read_times


def libpq_url(sqlalchemy_url: str, database: str | None = None) -> str:
    """A libpq URL for psycopg from an SQLAlchemy one, optionally for another database."""
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


@dataclass(frozen=True)
class DbCounters:
    """Cumulative statistics of one database."""

    transactions: int
    rollbacks: int
    sessions: int
    rows_written: int
    scans: int

    def minus(self, before: DbCounters) -> DbCounters:
        return DbCounters(
            **{f.name: getattr(self, f.name) - getattr(before, f.name) for f in fields(self)}
        )


COUNTERS_SQL = """
SELECT d.xact_commit + d.xact_rollback, d.xact_rollback, d.sessions,
       t.rows_written, t.scans
FROM pg_stat_database d,
     (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint AS rows_written,
             coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)::bigint AS scans
      FROM pg_stat_user_tables) t
WHERE d.datname = current_database()
"""


def read_counters(bench_url: str) -> DbCounters:
    """The bench database's counters (its tables are only visible from inside it)."""
    with psycopg.connect(bench_url, autocommit=True) as conn:
        row = conn.execute(COUNTERS_SQL).fetchone()
    assert row is not None
    return DbCounters(*(int(v) for v in row))


def sessions_by_database(admin_url: str) -> dict[str, int]:
    """Sessions ever opened per database of the server."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname, sessions FROM pg_stat_database WHERE datname IS NOT NULL"
        ).fetchall()
    return {name: int(sessions) for name, sessions in rows}


def new_sessions_elsewhere(
    before: dict[str, int], after: dict[str, int], database: str, own: int
) -> int:
    """Sessions opened meanwhile on other databases than `database` (a neighbour's work),
    less the `own` ones of the measurement; databases dropped meanwhile are not known."""
    opened = sum(n - before.get(name, 0) for name, n in after.items() if name != database)
    return opened - own


def uptime_ticks() -> int:
    return int(float(Path("/proc/uptime").read_text().split()[0]) / TICK_S)


@dataclass(frozen=True)
class PostgresCpu:
    """CPU seconds PostgreSQL spent during a window."""

    bench_backends: float  # bench_sampled + unattributed: an upper bound
    bench_sampled: float  # client backends of the bench database as last sampled: a lower bound
    unattributed: float  # exited processes' CPU after their last sample, or never sampled
    autovacuum: float  # autovacuum workers on the bench database, as sampled
    all_processes: float  # every PostgreSQL process (WAL writer, checkpointer, other databases)
    backends_seen: int


class BackendSampler:
    """Samples the PostgreSQL processes during a run, in a thread, `interval` apart.

    For each child of the postmaster: its CPU when first seen (0 if born during
    the window) and when last seen. What the postmaster reaped during the
    window, less what was sampled of the exited children, is CPU no sample saw:
    mostly the start-up of short-lived backends (fork, authentication, catalog
    caches) when the bench database is the only one opening sessions.
    """

    def __init__(self, admin_url: str, database: str, interval: float = 0.1) -> None:
        self._admin_url = admin_url
        self._database = database
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="pg-sampler", daemon=True)
        self._kinds: dict[int, str] = {}  # pid -> backend_type, for the bench database
        self._first: dict[int, ProcTimes] = {}
        self._last: dict[int, float] = {}

    def start(self) -> None:
        self._conn = psycopg.connect(self._admin_url, autocommit=True)
        own = self._conn.execute("SELECT pg_backend_pid()").fetchone()
        assert own is not None
        self._own_pid = int(own[0])
        if read_times(self._own_pid) is None:
            raise RuntimeError("PostgreSQL runs on another machine: its CPU cannot be read here")
        self._postmaster = _parent(self._own_pid)
        self._window_start = uptime_ticks()
        self._postmaster_before = _times(self._postmaster)
        self._sample()
        self._thread.start()

    def stop(self) -> PostgresCpu:
        self._stop.set()
        self._thread.join()
        self._sample()
        alive = set(children_of(self._postmaster))
        postmaster_after = _times(self._postmaster)
        self._conn.close()
        reaped = postmaster_after.reaped_children - self._postmaster_before.reaped_children
        exited = set(self._last) - alive
        unattributed = max(reaped - sum(self._last[pid] for pid in exited), 0.0)
        used = {
            pid: last - self._first[pid].cpu
            for pid, last in self._last.items()
            if pid != self._own_pid
        }
        bench = sum(cpu for pid, cpu in used.items() if self._kinds.get(pid) == "client backend")
        autovacuum = sum(
            cpu for pid, cpu in used.items() if self._kinds.get(pid) == "autovacuum worker"
        )
        own = postmaster_after.cpu - self._postmaster_before.cpu
        return PostgresCpu(
            bench_backends=bench + unattributed,
            bench_sampled=bench,
            unattributed=unattributed,
            autovacuum=autovacuum,
            all_processes=sum(used.values()) + unattributed + own,
            backends_seen=sum(1 for kind in self._kinds.values() if kind == "client backend"),
        )

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def _sample(self) -> None:
        rows = self._conn.execute(
            "SELECT pid, backend_type FROM pg_stat_activity WHERE datname = %s",
            (self._database,),
        ).fetchall()
        self._kinds.update({int(pid): str(kind) for pid, kind in rows})
        for pid in children_of(self._postmaster):
            times = read_times(pid)
            if times is None:
                continue
            self._last[pid] = times.cpu
            if pid not in self._first:
                born_in_window = times.start_ticks >= self._window_start
                self._first[pid] = ProcTimes(0.0, 0.0, 0) if born_in_window else times


def _parent(pid: int) -> int:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return int(raw[raw.rindex(")") + 2 :].split()[1])


def _times(pid: int) -> ProcTimes:
    times = read_times(pid)
    if times is None:
        raise RuntimeError(f"process {pid} is gone")
    return times
