"""Statements, transactions and round trips per operation, from PostgreSQL's log.

`pg_stat_statements` needs a server restart; instead the calibration switches
`log_statement = 'all'` on for the bench database only (`ALTER DATABASE ... SET`,
which new sessions pick up, so the server under test is started after it),
replays a few hundred requests one at a time, and reads the entries its
sessions wrote to the server log. Every logged entry is one exchange the
client waited for (a simple query, or one extended-protocol execute), so
entries = round trips; BEGIN, COMMIT, ROLLBACK and the pool's pre-ping (an
empty query, `;`) are told apart from the statements doing the work, and
transactions are counted as PostgreSQL counts them (`xact_commit`): each
BEGIN...COMMIT block, and each statement or ping sent outside one.

Limits: the log is the server's stderr file (`BENCH_PG_LOG`, Debian's path by
default) and must be readable; its line prefix must carry `[pid]` and
`user@database` (Debian's default); a statement psycopg prepares costs one
extra exchange the first time (not logged), negligible after warm-up; the
logging itself costs CPU, so these runs are not timed.
"""

from __future__ import annotations

import os
import re
import socket
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPResponse
from pathlib import Path

import psycopg

PG_LOG = Path(os.environ.get("BENCH_PG_LOG", "/var/log/postgresql/postgresql-15-main.log"))
CONTROL = {"BEGIN", "COMMIT", "ROLLBACK"}
PINGS = {";", "SELECT 1"}  # SQLAlchemy's pre-ping on psycopg sends an empty query
PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")  # a new log line, not a continuation


def entry_pattern(database: str) -> re.Pattern[str]:
    return re.compile(
        rf"\[(\d+)\] \S*@{re.escape(database)} LOG:  (?:statement|execute [^:]*): (.*)"
    )


@contextmanager
def statement_log(admin_url: str, database: str) -> Iterator[None]:
    """`log_statement = 'all'` for sessions opened on `database` meanwhile."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE \"{database}\" SET log_statement = 'all'")
    try:
        yield
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{database}" RESET log_statement')


def replay_one_by_one(port: int, raws: Sequence[bytes]) -> Counter[int]:
    """Sends each request on one keep-alive connection after the previous answer."""
    statuses: Counter[int] = Counter()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        for raw in raws:
            sock.sendall(raw)
            response = HTTPResponse(sock)
            response.begin()
            response.read()
            statuses[response.status] += 1
    return statuses


@dataclass
class StatementCount:
    """What one group of requests cost PostgreSQL, per request."""

    requests: int
    round_trips: float = 0.0
    statements: float = 0.0
    transactions: float = 0.0
    pings: float = 0.0
    texts: Counter[str] = field(default_factory=Counter)  # statement -> occurrences per request
    statuses: Counter[int] = field(default_factory=Counter)


def log_offset() -> int:
    return PG_LOG.stat().st_size


def count_since(offset: int, database: str, requests: int) -> StatementCount:
    """Reads the bench database's entries written after `offset`, per request."""
    time.sleep(0.3)  # let the server write its last lines
    with PG_LOG.open("rb") as log:
        log.seek(offset)
        text = log.read().decode(errors="replace")
    in_transaction: set[str] = set()
    totals: Counter[str] = Counter()
    texts: Counter[str] = Counter()
    for pid, statement in entries(text, database):
        totals["round_trips"] += 1
        word = statement.split(" ", 1)[0].upper().rstrip(";")
        if word in CONTROL:
            if word == "BEGIN":
                in_transaction.add(pid)
                totals["transactions"] += 1
            else:
                in_transaction.discard(pid)
            continue
        if pid not in in_transaction:
            totals["transactions"] += 1  # as PostgreSQL counts it: a statement on its own
        if statement in PINGS:
            totals["pings"] += 1
            continue
        totals["statements"] += 1
        texts[statement[:90]] += 1
    return StatementCount(
        requests=requests,
        round_trips=totals["round_trips"] / requests,
        statements=totals["statements"] / requests,
        transactions=totals["transactions"] / requests,
        pings=totals["pings"] / requests,
        texts=Counter({t: n / requests for t, n in texts.items()}),
    )


def entries(text: str, database: str) -> Iterator[tuple[str, str]]:
    """(pid, statement) of each entry of `database`; a statement may span several lines."""
    pattern = entry_pattern(database)
    current: tuple[str, list[str]] | None = None
    for line in text.splitlines():
        if PREFIX.match(line):
            if current is not None:
                yield current[0], " ".join(" ".join(current[1]).split())
            match = pattern.search(line)
            current = (match.group(1), [match.group(2)]) if match else None
        elif current is not None:
            current[1].append(line)
    if current is not None:
        yield current[0], " ".join(" ".join(current[1]).split())


def log_readable() -> bool:
    return PG_LOG.is_file() and os.access(PG_LOG, os.R_OK)
