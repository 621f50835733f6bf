"""Every entry point wires the process the same way: outbox handlers, then the job runner."""

from __future__ import annotations

import threading
from datetime import timedelta

from fastapi.testclient import TestClient

from backend import wiring
from backend.core import jobs
from backend.core.config import settings
from backend.services import outbox
from backend.workers import dispatch, inprocess, sweeps


def test_install_registers_the_handlers_in_delivery_order_and_the_runner():
    # when
    wiring.install()
    # then
    assert list(outbox.handlers())[:3] == ["notifications", "reminders", "follow_ups"]
    assert jobs.installed_runner() is dispatch.run_job


def test_install_without_eager_relay_runs_every_other_job(monkeypatch):
    ran = []
    monkeypatch.setattr(dispatch, "run_job", lambda job, subject: ran.append(job))
    wiring.install(relay_outbox_after_commit=False)
    jobs.submit(jobs.Job.RELAY_OUTBOX)
    jobs.submit(jobs.Job.DELIVER_MESSAGE, "00000000-0000-0000-0000-000000000001")
    assert ran == [jobs.Job.DELIVER_MESSAGE]


def test_api_served_alone_wires_itself_and_runs_the_sweeps(db, monkeypatch):
    # given: no runner yet, and a probe in place of the sweeps
    from backend.api.main import create_app

    jobs.install_runner(None)
    monkeypatch.setattr(settings, "REDIS_URL", None)
    swept = threading.Event()
    probe = sweeps.Sweep("probe", timedelta(seconds=60), lambda: swept.set() or 0, "unused")
    monkeypatch.setattr(inprocess, "SWEEPS", (probe,))
    # when: uvicorn would start the app's lifespan
    with TestClient(create_app()) as http:
        assert http.get("/healthz").status_code == 200
        # then
        assert swept.wait(10)
        assert jobs.installed_runner() is dispatch.run_job
        assert "notifications" in outbox.handlers()
