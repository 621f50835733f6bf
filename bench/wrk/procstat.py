"""CPU time of processes and of the whole machine, read from /proc.

Linux accounts user and system time per process in clock ticks
(`/proc/<pid>/stat`: utime, stime; cutime, cstime for children it has waited
for) and per machine (`/proc/stat`). CPU per operation is the difference of
these counters around a run divided by the operations completed in it; the
tick (10 ms) is small against the seconds a run accumulates.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICK_S = 1 / os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


@dataclass(frozen=True)
class ProcTimes:
    """One process's CPU seconds: its own, and those of its children it has reaped."""

    cpu: float
    reaped_children: float
    start_ticks: int
    system: float = 0.0  # the kernel's part of `cpu`


def read_times(pid: int) -> ProcTimes | None:
    """The process's CPU counters, or None when it has exited."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # fields[0] is field 3 (state) of proc(5)
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return ProcTimes(
        cpu=(utime + stime) * TICK_S,
        reaped_children=(cutime + cstime) * TICK_S,
        start_ticks=int(fields[19]),
        system=stime * TICK_S,
    )


def children_of(pid: int) -> list[int]:
    """Direct children of `pid` (every thread's list)."""
    found: list[int] = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (uvicorn with --workers N is a parent and N children)."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += children_of(current)
    return tree


@dataclass(frozen=True)
class TreeCpu:
    """CPU seconds of a process tree (live members plus what the root has reaped)."""

    total: float
    system: float  # of the live members: syscalls, futex waits for the GIL, page faults

    def minus(self, before: TreeCpu) -> TreeCpu:
        return TreeCpu(self.total - before.total, self.system - before.system)


def tree_cpu(pid: int) -> TreeCpu:
    total = system = 0.0
    for member in process_tree(pid):
        times = read_times(member)
        if times is not None:
            total += times.cpu + (times.reaped_children if member == pid else 0.0)
            system += times.system
    return TreeCpu(total, system)


@dataclass(frozen=True)
class MachineTimes:
    """CPU seconds of the whole machine since boot, busy and total (all cores)."""

    busy: float
    total: float


def machine_times() -> MachineTimes:
    first = (PROC / "stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(v) for v in first[:8]]  # user nice system idle iowait irq softirq steal
    idle = ticks[3] + ticks[4]
    return MachineTimes(busy=(sum(ticks) - idle) * TICK_S, total=sum(ticks) * TICK_S)


def own_cpu() -> float:
    """CPU seconds of this (bench) process, sampler thread included."""
    times = os.times()
    return times.user + times.system
