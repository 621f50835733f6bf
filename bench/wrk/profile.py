"""Where the server's CPU goes: py-spy samples of a loaded server process.

`py-spy record --gil --format raw` writes collapsed stacks ("frame;frame;...
count") of the thread holding the GIL at each sample: with 40 pool threads
most of them are runnable but waiting (for the GIL or a core), and sampling
every non-idle thread would count that waiting; the GIL holder is the one
spending CPU on Python. Time in C without the GIL (libpq, the kernel) is not
sampled. Two views: self time by the package
of the innermost frame (the ORM, pydantic, the HTTP stack, the queue client...)
and by function, and inclusive time of the project's own functions (`backend/`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def py_spy() -> str | None:
    return shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))


def record(pid: int, seconds: int, out: Path) -> subprocess.Popen[bytes]:
    """Starts py-spy on `pid` for `seconds`: 100 samples/s of the thread holding the GIL
    (the one running Python), without pausing the process."""
    tool = py_spy()
    if tool is None:
        raise RuntimeError("py-spy is not installed (pip install py-spy)")
    argv = [
        tool,
        "record",
        "-p",
        str(pid),
        "-d",
        str(seconds),
        "-r",
        "100",
        "--gil",
        "--nonblocking",
    ]
    argv += ["--full-filenames", "-f", "raw", "-o", str(out)]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@dataclass(frozen=True)
class Profile:
    samples: int
    by_package: list[tuple[str, float]]  # self time by package of the innermost frame
    by_leaf: list[tuple[str, float]]  # self time by function
    by_backend: list[tuple[str, float]]  # inclusive time of the project's own functions


def summarise(collapsed: Path, top: int = 15) -> Profile:
    packages: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    backend: Counter[str] = Counter()
    samples = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if f and not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        samples += count
        packages[_package(frames[-1])] += count
        leaves[_function(frames[-1])] += count
        for name in {_function(f) for f in frames if "/backend/" in _file(f)}:
            backend[name] += count
    share = 1 / samples if samples else 0.0
    return Profile(
        samples=samples,
        by_package=[(p, n * share) for p, n in packages.most_common(top)],
        by_leaf=[(f, n * share) for f, n in leaves.most_common(top)],
        by_backend=[(f, n * share) for f, n in backend.most_common(top)],
    )


def _file(frame: str) -> str:
    match = FRAME.match(frame)
    return match.group("file") if match else ""


def _function(frame: str) -> str:
    match = FRAME.match(frame)
    if match is None:
        return frame
    return f"{match.group('function')} ({_module(match.group('file'))})"


def _module(path: str) -> str:
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].removesuffix(".py").replace("/", ".")
    for root in ("backend/", "bench/"):
        if root in path:
            return root + path.split(root, 1)[1].removesuffix(".py")
    return Path(path).stem


def _package(frame: str) -> str:
    """The package a frame's code belongs to: `sqlalchemy`, `backend.services`, `stdlib:json`."""
    path = _file(frame)
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    for root in ("backend/", "bench/"):
        if root in path:
            parts = path.split(root, 1)[1].split("/")
            return root.rstrip("/") + ("." + parts[0] if len(parts) > 1 else "")
    return "stdlib:" + Path(path).stem if path else frame
