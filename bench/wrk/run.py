"""Each production path against its floor and ceiling, driven by wrk: the figures of issue 12.

Run: .venv/bin/python -m bench.wrk.run [--path webhook|booking|storm|all]
     [--seconds 15] [--connections 16] [--repeats 3] [--workers 1] [--notes FILE]

For each path, on a fresh migrated database with one clinic: builds and signs
every request beforehand (`corpus`), calibrates statements and round trips per
request from PostgreSQL's statement log (`statements`), then runs ours, the
floor (`floors`) and the ceiling in turn `--repeats` times (ours, floor,
ceiling, ours...), each run from the same database state after a warm-up and a
settle (`measure`), and prints medians, ratios, every run with the machine's
load, and (webhook and booking) a py-spy profile of ours. Servers are stopped
and the bench databases dropped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import redis
from sqlalchemy.engine import Engine

from bench.setup_data import ADMIN_URL
from bench.wrk import data, report
from bench.wrk.load import run_wrk
from bench.wrk.measure import (
    Options,
    RunResult,
    Server,
    Target,
    calibrate,
    code_state,
    measure,
)
from bench.wrk.paths import PATHS, QUEUE_URL, Corpora, PathSpec, Sizes
from bench.wrk.postgres import libpq_url
from bench.wrk.profile import Profile, py_spy, record, summarise
from bench.wrk.statements import StatementCount, log_readable

PROFILED = ("webhook", "booking")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", choices=[*PATHS, "all"], default="all")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--max-rate", type=int, help="requests/s the corpora are sized for (default: per path)"
    )
    parser.add_argument("--calibrate", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--profile", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--profile-seconds", type=int, default=15)
    parser.add_argument("--notes", type=Path, help="also append the report to this file")
    parser.add_argument(
        "--keep-profiles", type=Path, help="copy py-spy's collapsed stacks into this folder"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    names = list(PATHS) if args.path == "all" else [args.path]
    began = datetime.now(UTC)
    options = Options(
        seconds=args.seconds,
        warmup=args.warmup,
        connections=args.connections,
        threads=args.threads,
        workers=args.workers,
        admin_url=libpq_url(ADMIN_URL, "postgres"),
    )
    sections = [header(began)]
    try:
        for name in names:
            sections.append(run_path(PATHS[name], args, options))
    finally:
        redis.Redis.from_url(QUEUE_URL).flushdb()  # the enqueued tasks were for no worker
    sections.append(f"Finished {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC.\n")
    text = "\n".join(sections)
    print(text)
    if args.notes:
        with args.notes.open("a") as notes:
            notes.write("\n" + text)


def header(began: datetime) -> str:
    command = "python -m bench.wrk.run " + shlex.join(sys.argv[1:])
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return (
        f"## `{command}`\n\nStarted {began:%Y-%m-%d %H:%M:%S} UTC on {platform.node()}:"
        f" {os.cpu_count()} cores, load average {load}; Python {platform.python_version()},"
        f" {wrk.splitlines()[0] if wrk else 'wrk'}.\n\nCode at start: `{code_state()}`\n"
    )


def run_path(spec: PathSpec, args: argparse.Namespace, options: Options) -> str:
    rate = args.max_rate or spec.max_rate
    sizes = Sizes(
        measured=math.ceil(args.seconds * rate),
        warm=math.ceil(args.warmup * rate),
        threads=args.threads,
    )
    engine, clinic = data.prepare(spec.database, spec.doctors)
    folder = Path(tempfile.mkdtemp(prefix=f"vetassist-wrk-{spec.name}-"))
    try:
        corpora = spec.build(clinic, sizes, folder)
        calibration = _calibrate(spec, args, options, engine, clinic, corpora)
        runs = _repeats(spec, args, options, engine, clinic, corpora)
        profile = None
        if args.profile and spec.name in PROFILED and py_spy():
            data.reset(engine, clinic, corpora.existing)
            profile = _profile(spec.ours, clinic, options, corpora, args.profile_seconds, folder)
            if args.keep_profiles:
                args.keep_profiles.mkdir(parents=True, exist_ok=True)
                shutil.copy(folder / "profile.txt", args.keep_profiles / f"{spec.name}-ours.txt")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        data.drop(engine, spec.database)
    return _section(spec, sizes, args.repeats, runs, calibration, profile)


def _calibrate(
    spec: PathSpec,
    args: argparse.Namespace,
    options: Options,
    engine: Engine,
    clinic: data.Clinic,
    corpora: Corpora,
) -> dict[str, dict[str, StatementCount]]:
    if not args.calibrate or not log_readable():
        return {}
    result = {}
    for app, target in spec.apps():
        data.reset(engine, clinic, corpora.existing)
        result[app] = calibrate(
            target, clinic, options, corpora.calibration_warm, corpora.calibration
        )
        _progress(f"{spec.name} calibration {app}: done")
    return result


def _repeats(
    spec: PathSpec,
    args: argparse.Namespace,
    options: Options,
    engine: Engine,
    clinic: data.Clinic,
    corpora: Corpora,
) -> list[RunResult]:
    runs = []
    for repeat in range(args.repeats):
        for app, uvicorn in spec.apps():
            data.reset(engine, clinic, corpora.existing)
            target = Target(spec.name, app, uvicorn, corpora.measured, corpora.warm)
            run = measure(target, clinic, options, repeat)
            if spec.checks_overlaps:
                run = replace(run, overlaps=data.overlapping_pairs(engine))
            runs.append(run)
            _progress(
                f"{spec.name} #{repeat + 1} {app}: {run.wrk.per_second:,.0f} ops/s,"
                f" server {run.server_ms:.2f} ms/op, PostgreSQL {run.postgres_ms:.2f} ms/op,"
                f" statuses {dict(sorted(run.wrk.statuses.items()))}"
            )
    return runs


def _profile(
    uvicorn: str,
    clinic: data.Clinic,
    options: Options,
    corpora: Corpora,
    seconds: int,
    folder: Path,
) -> Profile:
    """py-spy on a loaded server (a separate run: sampling costs the server some CPU)."""
    out = folder / "profile.txt"
    with Server(uvicorn, clinic, 1) as server:
        run_wrk(
            server.base_url,
            corpora.warm,
            seconds=options.warmup,
            connections=options.connections,
            threads=options.threads,
        )
        spy = record(server.process.pid, seconds, out)
        run_wrk(
            server.base_url,
            corpora.measured,
            seconds=seconds + 2,
            connections=options.connections,
            threads=options.threads,
        )
        spy.wait(timeout=60)
    return summarise(out)


def _section(
    spec: PathSpec,
    sizes: Sizes,
    repeats: int,
    runs: list[RunResult],
    calibration: dict[str, dict[str, StatementCount]],
    profile: Profile | None,
) -> str:
    parts = [
        f"### {spec.name}: {spec.title}\n",
        f"Medians of {repeats} interleaved runs;"
        f" corpora of {sizes.measured:,} requests (warm-up {sizes.warm:,}), wrk threads"
        f" {sizes.threads}.\n",
        report.summary_table(spec, runs, calibration),
        "Every run. PG ms/op = client backends of the bench database as sampled 10 times a"
        " second, plus CPU the postmaster reaped that no sample saw (start-up and last moments of"
        " short-lived backends; an upper bound, see 'other-db sessions'); 'PG sampled' = the"
        " samples alone (a lower bound); autovacuum on the bench tables is apart; 'all procs'"
        " adds WAL writer, checkpointer, autovacuum and other databases' backends; 'other procs'"
        " = machine busy time not spent by the server, PostgreSQL, wrk or the bench process"
        " (cores):\n",
        report.runs_table(runs),
        "Statement calibration (PostgreSQL statement log, requests one at a time):\n",
        report.calibration_table(calibration),
    ]
    if profile is not None:
        parts.append(report.profile_section("ours", profile))
    parts.append("Code during the runs:\n\n" + report.code_states(runs) + "\n")
    return "\n".join(parts)


def _progress(line: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {line}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
