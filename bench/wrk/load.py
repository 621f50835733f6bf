"""Driving a server with wrk, and reading back what it measured.

wrk costs a few microseconds of CPU per request where a Python client costs
about a millisecond, so on a shared two-core machine the server, not the
client, sets the pace. `replay.lua` replays pre-built requests and reports
completed requests, p50/p99 latency, status counts and wraps as one JSON line;
wrk's own CPU is taken from the kernel's accounting when it exits.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

WRK = os.environ.get("WRK", "/usr/bin/wrk")
SCRIPT = Path(__file__).with_name("replay.lua")
MARK = "WRK_RESULT "


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]
    socket_errors: int
    timeouts: int
    wraps: int
    cpu_s: float  # wrk's own CPU
    output: str

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def non_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)


def command(
    base_url: str, corpus: Path, *, seconds: float, connections: int, threads: int
) -> list[str]:
    return [
        WRK,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(SCRIPT),
        base_url,
        "--",
        str(corpus),
    ]


def run_wrk(
    base_url: str, corpus: Path, *, seconds: float, connections: int, threads: int
) -> WrkResult:
    """Runs wrk to completion and parses its result line."""
    argv = command(base_url, corpus, seconds=seconds, connections=connections, threads=threads)
    with tempfile.TemporaryFile(mode="w+") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    if process.returncode != 0 or MARK not in output:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{output}")
    return _parse(output, usage.ru_utime + usage.ru_stime)


def _parse(output: str, cpu_s: float) -> WrkResult:
    line = next(line for line in output.splitlines() if line.startswith(MARK))
    data = json.loads(line[len(MARK) :])
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        statuses={int(k): v for k, v in data["statuses"].items()},
        socket_errors=data["socket_errors"],
        timeouts=data["timeouts"],
        wraps=data["wraps"],
        cpu_s=cpu_s,
        output=output,
    )
