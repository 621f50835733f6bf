"""Redis flaps under traffic: the worker stays up and every inbound message is answered once.

A real prefork worker and beat run on a private redis-server that this test
kills (SIGKILL, as a crashed container) and starts again, empty, ten times,
while inbound WhatsApp messages keep arriving through the webhook's service
call. Whatever Redis held during an outage is gone: the database rows and
beat's resubmission sweep are what bring every message to an answer.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import col, select

from backend.core.config import settings
from backend.core.db import session_scope
from backend.core.jobs import Job
from backend.models import Message
from backend.services.assistant import inbound
from backend.workers import celery_app as celery_module
from backend.workers import dispatch
from tests.resilience.conftest import FlappingRedis
from tests.workers.conftest import BeatProcess, WorkerProcess, use_broker, wait_for
from tests.workers.support import build_clinic

FLAPS = 10
SEND_EVERY_S = 0.2
SETTLE_S = 30.0


def post(clinic_number: str, phone: str) -> uuid.UUID | None:
    """One inbound message as the webhook hands it over (stored, then submitted after commit)."""
    return inbound.accept_posted(
        inbound.PostedMessage(
            to=f"whatsapp:{clinic_number}",
            from_=f"whatsapp:{phone}",
            body="Hola, necesito una cita para Luna",
            provider_sid="SM" + uuid.uuid4().hex,
        )
    )


def answers_by_phone(phones: list[str]) -> tuple[dict[str, Message], Counter[str], int]:
    """Each phone's inbound message, its replies, and how many replies are not sent yet."""
    with session_scope(read_only=True) as session:
        inbound_rows = session.exec(
            select(Message).where(
                Message.direction == "inbound", col(Message.from_phone).in_(phones)
            )
        ).all()
        outbound_rows = session.exec(
            select(Message).where(
                Message.direction == "outbound", col(Message.to_phone).in_(phones)
            )
        ).all()
    replies = Counter(m.to_phone for m in outbound_rows)
    unsent = sum(1 for m in outbound_rows if m.status != "sent")
    return {m.from_phone: m for m in inbound_rows}, replies, unsent


def answered(phone: str) -> int:
    """How many replies the phone's message got, once it is processed and they are all sent."""
    rows, replies, unsent = answers_by_phone([phone])
    done = phone in rows and rows[phone].processed_at is not None and not unsent
    return replies[phone] if done else 0


def connections(worker: WorkerProcess) -> int:
    """How often the worker has (re)connected to the broker, from its log; fails if it exited."""
    log = worker.log_text()
    assert worker.process is not None
    if worker.process.poll() is not None:
        raise AssertionError(f"the worker exited ({worker.process.returncode}):\n{log[-4000:]}")
    return log.count("Connected to redis://")


class Traffic(threading.Thread):
    """Posts one inbound message from a new phone every `SEND_EVERY_S` until stopped."""

    def __init__(self, clinic_number: str) -> None:
        super().__init__(daemon=True)
        self.clinic_number = clinic_number
        self.phones: list[str] = []
        self.failed: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.halt.is_set():
            n += 1
            phone = f"+57311{n:07d}"
            self.phones.append(phone)
            try:
                if post(self.clinic_number, phone) is None:
                    self.failed.append(phone)
            except Exception:  # counted, and the test fails on it below
                self.failed.append(phone)
            self.halt.wait(SEND_EVERY_S)


@pytest.mark.timeout(90)
def test_worker_survives_redis_flapping_under_traffic(
    pg, engines, flapping_redis: FlappingRedis, monkeypatch, tmp_path: Path, capsys
):
    # given: a worker and beat on a private Redis, this process publishing to it
    queue = f"flap-{uuid.uuid4().hex[:6]}"
    database_url = engines["postgres"].url.render_as_string(hide_password=False)
    worker = WorkerProcess(
        broker_url=flapping_redis.url,
        database_url=database_url,
        queue=queue,
        log=tmp_path / "worker.log",
    )
    worker.start()
    beat = BeatProcess(
        broker_url=flapping_redis.url, database_url=database_url, queue=queue, workdir=tmp_path
    )
    deferred: list[str] = []
    enqueue = dispatch._enqueue
    default_queue = settings.CELERY_QUEUE

    def counting_enqueue(job: Job, subject_id: str | None) -> bool:
        published = enqueue(job, subject_id)
        if not published:
            deferred.append(f"{job}:{subject_id}")
        return published

    traffic: Traffic | None = None
    try:
        use_broker(monkeypatch, flapping_redis.url, queue)
        monkeypatch.setattr(dispatch, "_enqueue", counting_enqueue)
        # publish again soon after a failure, so most messages reach the worker directly and it
        # holds unacknowledged tasks when Redis drops (production's web processes wait 5 s)
        monkeypatch.setattr(dispatch, "BROKER_BACKOFF_S", 0.5)
        clinic = build_clinic()
        number = clinic.tenant.whatsapp_numbers[0]
        # a first message, before any outage, sets how many replies one message gets
        post(number, "+573110000000")
        replies_per_message = int(
            wait_for(lambda: answered("+573110000000"), what="the first message answered")
        )

        # when: Redis is killed and started again (empty) ten times under traffic
        traffic = Traffic(number)
        traffic.start()
        began = time.monotonic()
        schedule = random.Random(11)
        for _ in range(FLAPS):
            # each outage hits a worker that is connected and busy
            time.sleep(schedule.uniform(0.5, 1.0))
            connected = connections(worker)
            flapping_redis.kill()
            time.sleep(schedule.uniform(1.0, 2.5))
            flapping_redis.start()
            wait_for(
                lambda before=connected: connections(worker) > before,
                timeout=15,
                what="the worker to connect again",
            )
        traffic.halt.set()
        traffic.join(timeout=10)
        flapped_s = time.monotonic() - began

        # then: the worker is still there and consumes a message sent after the last flap
        connections(worker)
        post(number, "+573119999999")
        phones = [*traffic.phones, "+573119999999"]

        def settled() -> bool:
            rows, replies, unsent = answers_by_phone(phones)
            return (
                len(rows) == len(phones)
                and all(m.processed_at is not None for m in rows.values())
                and all(replies[p] >= replies_per_message for p in phones)
                and unsent == 0
            )

        settle_began = time.monotonic()
        while time.monotonic() < settle_began + SETTLE_S and not settled():
            time.sleep(0.5)
        settled_s = time.monotonic() - settle_began
        rows, replies, unsent = answers_by_phone(phones)
        tried = len(phones)
        failed = len(traffic.failed)
        lost = sum(
            1
            for p in phones
            if p not in rows or rows[p].processed_at is None or replies[p] < replies_per_message
        )
        doubled = sum(1 for p in phones if replies[p] > replies_per_message)
        errors = sum(1 for m in rows.values() if m.status == "error")
        log = worker.log_text()
        worker_alive = worker.process is not None and worker.process.poll() is None
        with capsys.disabled():
            print(
                f"\n[resilience] {FLAPS} Redis flaps: tried={tried} failed={failed} lost={lost} "
                f"doubled={doubled} errors={errors} unsent_replies={unsent} "
                f"left_for_sweeps={len(deferred)} "
                f"worker_reconnects={log.count('Connected to redis://') - 1} "
                f"worker_alive={worker_alive} beat_alive={beat.alive()} "
                f"(flapping {flapped_s:.0f} s, settled in {settled_s:.0f} s)"
            )
        assert "Unrecoverable error" not in log, log[-4000:]
        assert worker_alive, log[-4000:]
        assert beat.alive(), beat.log.read_text()[-3000:]
        assert (failed, lost, doubled, errors, unsent) == (0, 0, 0, 0, 0)
        assert rows["+573119999999"].processed_at is not None
    finally:
        if traffic is not None:
            traffic.halt.set()
        beat.stop()
        worker.stop()
        celery_module.configure(celery_module.DEFAULT_BROKER_URL, queue=default_queue)
