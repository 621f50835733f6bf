"""Markdown tables of a path's runs: medians of the interleaved repeats, ratios of ours
to the ceiling and to the floor, and of the floor to the ceiling (per pair of runs of
the same repeat, then their median), every run with the machine's load, the
calibration's statements, and the CPU profile."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence

from bench.wrk.measure import RunResult
from bench.wrk.paths import PathSpec
from bench.wrk.profile import Profile
from bench.wrk.statements import StatementCount

APPS = ("ours", "floor", "ceiling")


def _median(runs: Sequence[RunResult], value: Callable[[RunResult], float]) -> float:
    return statistics.median(value(r) for r in runs) if runs else float("nan")


def _weighted(counts: dict[str, StatementCount], attribute: str) -> float:
    total = sum(c.requests for c in counts.values())
    return sum(getattr(c, attribute) * c.requests for c in counts.values()) / max(total, 1)


def _statuses(runs: Sequence[RunResult]) -> str:
    total: Counter[int] = Counter()
    for run in runs:
        total.update(run.wrk.statuses)
    return ", ".join(f"{status}: {n}" for status, n in sorted(total.items()))


def _cpu_ms(run: RunResult) -> float:
    return run.server_ms + run.postgres_ms


def summary_table(
    spec: PathSpec,
    runs: Sequence[RunResult],
    calibration: dict[str, dict[str, StatementCount]],
) -> str:
    head = (
        "| | ops/s | p50 ms | p99 ms | server CPU ms/op | PostgreSQL CPU ms/op | transactions/op"
        " | statements/op | round trips/op | new sessions /1k req | rows written/op"
        " | table scans/op | non-2xx/run | statuses (all runs) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    targets = dict(spec.apps())
    for app in APPS:
        if app not in targets:
            continue
        mine = [r for r in runs if r.app == app]
        counts = calibration.get(app, {})
        target = targets[app]
        statements = f"{_weighted(counts, 'statements'):.2f}" if counts else "n/a"
        trips = f"{_weighted(counts, 'round_trips'):.2f}" if counts else "n/a"
        rows.append(
            f"| {app} (`{target}`) | {_median(mine, lambda r: r.wrk.per_second):,.0f}"
            f" | {_median(mine, lambda r: r.wrk.p50_ms):.1f}"
            f" | {_median(mine, lambda r: r.wrk.p99_ms):.1f}"
            f" | {_median(mine, lambda r: r.server_ms):.2f}"
            f" | {_median(mine, lambda r: r.postgres_ms):.2f}"
            f" | {_median(mine, lambda r: r.transactions_per_op):.2f}"
            f" | {statements} | {trips}"
            f" | {_median(mine, lambda r: r.sessions_per_1000):.1f}"
            f" | {_median(mine, lambda r: r.counters.rows_written / max(r.wrk.requests, 1)):.2f}"
            f" | {_median(mine, lambda r: r.counters.scans / max(r.wrk.requests, 1)):.2f}"
            f" | {_median(mine, lambda r: r.wrk.non_2xx):.0f} | {_statuses(mine)} |"
        )
    return head + "\n".join(rows) + "\n\n" + ratio_lines(runs) + "\n"


RATIOS = (("ours", "ceiling"), ("ours", "floor"), ("floor", "ceiling"))
"""Ours / ceiling is the whole gap; ours / floor the part our code makes, floor / ceiling
the part of the stack (FastAPI, the thread pool, the Session, Celery)."""


def ratio_lines(runs: Sequence[RunResult]) -> str:
    """Each ratio of `RATIOS` whose two apps ran, one paragraph each."""
    return "\n\n".join(line for top, bottom in RATIOS if (line := ratio_line(runs, top, bottom)))


def ratio_line(runs: Sequence[RunResult], top: str = "ours", bottom: str = "ceiling") -> str:
    """`top` against `bottom`, per repeat (runs of the same round), then the median."""
    pairs = [
        (o, c)
        for o in runs
        if o.app == top
        for c in runs
        if c.app == bottom and c.repeat == o.repeat
    ]
    if not pairs:
        return ""
    speed = [o.wrk.per_second / c.wrk.per_second for o, c in pairs]
    cpu = [_cpu_ms(o) / _cpu_ms(c) for o, c in pairs]
    server = [o.server_ms / c.server_ms for o, c in pairs]
    return (
        f"**{top.capitalize()} / {bottom}: throughput {statistics.median(speed):.2f}"
        f" (runs {', '.join(f'{s:.2f}' for s in speed)});"
        f" CPU per op (server + PostgreSQL) {statistics.median(cpu):.1f}x"
        f" (runs {', '.join(f'{c:.1f}' for c in cpu)}); server CPU alone"
        f" {statistics.median(server):.1f}x.**"
    )


def runs_table(runs: Sequence[RunResult]) -> str:
    head = (
        "| # | start (UTC) | app | ops/s | p50 ms | p99 ms | server ms/op | PG ms/op"
        " | PG sampled ms/op | autovacuum ms/op | server kernel share | PG all procs ms/op"
        " | wrk µs/op"
        " | load 1m before→after"
        " | machine busy | other procs (cores) | other-db sessions | wraps | backends"
        " | overlaps |\n|" + "---|" * 20 + "\n"
    )
    lines = []
    for run in runs:
        m = run.machine
        lines.append(
            f"| {run.repeat + 1} | {run.started} | {run.app} | {run.wrk.per_second:,.0f}"
            f" | {run.wrk.p50_ms:.1f} | {run.wrk.p99_ms:.1f} | {run.server_ms:.2f}"
            f" | {run.postgres_ms:.2f} | {run.per_op_ms(run.postgres.bench_sampled):.2f}"
            f" | {run.per_op_ms(run.postgres.autovacuum):.2f}"
            f" | {100 * run.server_system_s / max(run.server_cpu_s, 1e-9):.0f}%"
            f" | {run.per_op_ms(run.postgres.all_processes):.2f}"
            f" | {1e6 * run.wrk.cpu_s / max(run.wrk.requests, 1):.0f}"
            f" | {m.load_before:.2f}→{m.load_after:.2f} | {100 * m.busy_share:.0f}%"
            f" | {m.other_cores:.2f} | {run.other_db_sessions} | {run.wrk.wraps}"
            f" | {run.postgres.backends_seen}"
            f" | {'' if run.overlaps is None else run.overlaps} |"
        )
    return head + "\n".join(lines) + "\n"


def calibration_table(calibration: dict[str, dict[str, StatementCount]]) -> str:
    if not calibration:
        return "Statement calibration unavailable (PostgreSQL log not readable).\n"
    lines = [
        "| app | request | n | round trips | statements | transactions | pool pings | statuses |",
        "|---|---|---|---|---|---|---|---|",
    ]
    texts = []
    for app, kinds in calibration.items():
        for kind, count in kinds.items():
            statuses = ", ".join(f"{s}: {n}" for s, n in sorted(count.statuses.items()))
            lines.append(
                f"| {app} | {kind} | {count.requests} | {count.round_trips:.2f}"
                f" | {count.statements:.2f} | {count.transactions:.2f} | {count.pings:.2f}"
                f" | {statuses} |"
            )
            for text, per in count.texts.most_common(12):
                texts.append(f"- {app} {kind}: {per:.2f} × `{text}`")
    return (
        "\n".join(lines)
        + "\n\nStatements per request (first 90 characters):\n\n"
        + "\n".join(texts)
        + "\n"
    )


def profile_section(app: str, profile: Profile) -> str:
    def table(title: str, rows: list[tuple[str, float]]) -> str:
        lines = "\n".join(f"| `{name}` | {100 * share:.1f}% |" for name, share in rows)
        return f"| {title} | share |\n|---|---|\n{lines}\n"

    return (
        f"py-spy, {app}: {profile.samples} samples (100/s, the thread holding the GIL).\n\n"
        + table("self time by package", profile.by_package)
        + "\n"
        + table("self time by function", profile.by_leaf)
        + "\n"
        + table("project function (inclusive)", profile.by_backend)
    )


def code_states(runs: Sequence[RunResult]) -> str:
    """Each distinct code state (HEAD, changed files in backend/) and the runs it covers."""
    seen: dict[str, list[str]] = {}
    for run in runs:
        seen.setdefault(run.code, []).append(f"{run.app} #{run.repeat + 1} {run.started}")
    return "\n".join(
        f"- runs {', '.join(names)}:\n\n```\n{state}\n```" for state, names in seen.items()
    )
