"""The README's first command, exactly as a newcomer runs it: `make run` in a clean clone.

The clone is a copy of the tracked and not-ignored files as they are now (the
same as a clean clone of main once committed) with its own git history, so the
test can tell whether `make run` modified a tracked file. Only `.venv` and
`.tools` are reused, as links, to skip the downloads; the frontend's packages,
the database and everything else are made by `make run` itself. No variable
is set: the embedded default on the documented port (another one only when
3000 is busy on this machine, through the documented PORT).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import (
    ARTIFACTS,
    ROOT,
    STARTUP_TIMEOUT_S,
    Portal,
    _free_port,
    _port_is_free,
    save_screenshot,
)
from tests.e2e.portal_helpers import (
    MANAGER,
    ZONE,
    booked_in,
    conversation_of,
    first_offer,
    log_in,
    say,
)

DOCUMENTED_PORT = 3000
READY = re.compile(
    r"VetAssist is ready at (http://localhost:\d+) · log in as (\S+) / (\S+) · press Ctrl\+C to stop"
)


@dataclass(frozen=True)
class MakeRun:
    clone: Path
    port: int
    log_path: Path
    proc: subprocess.Popen[bytes]

    @property
    def portal(self) -> Portal:
        url = f"http://localhost:{self.port}"
        database = self.clone / "data" / "vetassist.db"
        return Portal(
            base_url=url, api_url=url, database_url=f"sqlite:///{database}", log_path=self.log_path
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def _clean_clone(target: Path) -> None:
    """The working tree's tracked and not-ignored files, committed in a fresh repository."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=target, check=True)
    subprocess.run([*git, "add", "-A"], cwd=target, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "clean clone"], cwd=target, check=True)
    for reused in (".venv", ".tools"):
        (target / reused).symlink_to(ROOT / reused)
    (target / ".git" / "info" / "exclude").write_text("/.venv\n/.tools\n")


def _newcomer_env(port: int) -> dict[str, str]:
    """A shell with nothing of the project's configured (PORT only when 3000 is taken)."""
    env = {
        name: os.environ[name]
        for name in ("PATH", "HOME", "LANG", "USER", "TMPDIR")
        if name in os.environ
    }
    if port != DOCUMENTED_PORT:
        env["PORT"] = str(port)
    return env


def _wait_until_ready(run: MakeRun) -> re.Match[str]:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        ready = READY.search(run.output())
        if ready:
            return ready
        if run.proc.poll() is not None:
            pytest.fail(f"make run exited with {run.proc.returncode}:\n{run.output()[-4000:]}")
        time.sleep(1)
    pytest.fail(f"make run was not ready within {STARTUP_TIMEOUT_S:.0f} s:\n{run.output()[-4000:]}")


def _press_ctrl_c(proc: subprocess.Popen[bytes]) -> None:
    """What a terminal does on Ctrl+C: SIGINT to the whole foreground process group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        pytest.fail("make run did not stop on Ctrl+C within 30 s")


@pytest.fixture(scope="module")
def make_run() -> Iterator[MakeRun]:
    clone = Path(tempfile.mkdtemp(prefix="vetassist-clone-"))
    port = DOCUMENTED_PORT if _port_is_free(DOCUMENTED_PORT) else _free_port()
    log_path = clone.parent / f"{clone.name}-make-run.log"
    proc: subprocess.Popen[bytes] | None = None
    try:
        _clean_clone(clone)
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                ["make", "run"],
                cwd=clone,
                env=_newcomer_env(port),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        run = MakeRun(clone=clone, port=port, log_path=log_path, proc=proc)
        yield run
    finally:
        if proc is not None and proc.poll() is None:
            _press_ctrl_c(proc)
        (ARTIFACTS / "e2e").mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            shutil.copy(log_path, ARTIFACTS / "e2e" / "make-run.log")
        log_path.unlink(missing_ok=True)
        shutil.rmtree(clone, ignore_errors=True)


def test_make_run_serves_a_demo_clinic_a_newcomer_can_use(
    make_run: MakeRun, browser: Browser
) -> None:
    # given: the README's command in a clean clone, ready
    ready = _wait_until_ready(make_run)
    assert ready.group(1) == f"http://localhost:{make_run.port}"
    assert (ready.group(2), ready.group(3)) == (MANAGER, "demo1234")
    portal = make_run.portal
    first = httpx.get(portal.api("/healthz"), timeout=10)
    assert first.status_code == 200 and first.json()["status"] == "ok"

    # when: the manager logs in, opens the agenda and books through the sandbox WhatsApp
    context = browser.new_context(
        base_url=portal.base_url,
        locale="es-CO",
        timezone_id="America/Bogota",
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    log_in(page, portal, MANAGER)
    expect(page.locator("#calendar-grid")).to_be_visible()
    page.goto(portal.url("/sandbox"))
    expect(page.locator("#sandbox-phone")).not_to_have_text("")
    phone = "+" + re.sub(r"\D", "", page.locator("#sandbox-phone").inner_text())
    say(page, "Hola, soy Pedro Pérez, quiero agendar una cita para mi perro Firulais")
    say(page, "Vacunación anual")
    conversation = conversation_of(portal, phone)
    assert conversation is not None
    offer = first_offer(portal, conversation.id)
    assert offer is not None, page.locator("#sandbox-thread").inner_text()
    say(page, "1")
    say(page, "Sí, confirmo")
    appointment = booked_in(portal, conversation.id)
    assert appointment is not None, page.locator("#sandbox-thread").inner_text()

    # then: the appointment is on the calendar
    day = appointment.start_at.astimezone(ZONE).date()
    page.goto(portal.url(f"/agenda?vista=equipo&fecha={day.isoformat()}"))
    expect(page.locator(f'[data-appointment-id="{appointment.id}"]')).to_be_visible()
    save_screenshot(page, "make-run-agenda")

    # and an unknown address gets the Spanish page inside the portal
    page.goto(portal.url("/no-existe"))
    expect(page.get_by_text("No encontramos esta página")).to_be_visible()
    expect(page.locator("#logout")).to_be_visible()
    save_screenshot(page, "make-run-404")
    context.close()

    # and the backend never restarted; its output has no warnings
    last = httpx.get(portal.api("/healthz"), timeout=10)
    assert last.json()["started_at"] == first.json()["started_at"]
    output = make_run.output()
    assert output.count("VetAssist is ready at") == 1
    for noise in (
        "Warning",
        "Traceback",
        "no template configured",
        "uv run reflex run",
        "being redefined",
    ):
        assert noise not in output, f"{noise!r} in the output of make run:\n{output[-4000:]}"

    # and Ctrl+C stops everything it started, leaving every tracked file as it was
    _press_ctrl_c(make_run.proc)
    assert _port_is_free(make_run.port)
    changed = subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=make_run.clone,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert changed == "", f"make run changed or added files git does not ignore:\n{changed}"
