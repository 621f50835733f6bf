"""No double booking, ever: under random operation sequences and under concurrency."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from backend.api.main import app
from backend.core.db import session_scope
from backend.domain.errors import DomainError
from backend.services.actors import SYSTEM
from backend.services.scheduling import booking
from tests.factories import make_api_key, make_client, make_doctor, make_tenant, weekday_periods

DAY_START = datetime(2027, 2, 1, 13, 0, tzinfo=UTC)  # Monday 08:00 in Bogotá

OVERLAPS_SQL = text(
    """
    SELECT count(*) FROM appointment a JOIN appointment b
      ON a.doctor_id = b.doctor_id AND a.id < b.id
     AND a.start_at < b.end_at AND b.start_at < a.end_at
    WHERE a.priority = 'normal' AND b.priority = 'normal'
      AND a.status <> 'cancelled' AND b.status <> 'cancelled'
    """
)

operation = st.one_of(
    st.tuples(
        st.just("create"), st.integers(0, 1), st.integers(0, 40), st.sampled_from([15, 30, 45, 60])
    ),
    st.tuples(
        st.just("reschedule"), st.integers(0, 30), st.integers(0, 40), st.sampled_from([15, 30, 45])
    ),
    st.tuples(st.just("cancel"), st.integers(0, 30), st.just(0), st.just(0)),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(operation, min_size=1, max_size=25))
def test_random_operations_never_leave_overlaps(db, frozen_clock, ops):
    with session_scope(write=True) as session:
        tenant = make_tenant(
            session,
            slug=f"p{uuid.uuid4().hex[:8]}",
            whatsapp=f"+1415{uuid.uuid4().int % 10**7:07d}",
        )
        doctors = [
            make_doctor(
                session,
                tenant,
                name=f"Dr. {i}",
                email=f"{uuid.uuid4().hex}@x.co",
                periods=weekday_periods(),
                buffer_minutes=0,
            )
            for i in range(2)
        ]
        client = make_client(session, tenant)
    created: list[uuid.UUID] = []
    for kind, index, slot, minutes in ops:
        start = DAY_START + timedelta(minutes=15 * slot)
        try:
            with session_scope(write=True) as session:
                if kind == "create":
                    created.append(
                        booking.create(
                            session,
                            tenant=tenant,
                            actor=SYSTEM,
                            data=booking.NewAppointment(
                                doctor_id=doctors[index].id,
                                client_id=client.id,
                                start_at=start,
                                end_at=start + timedelta(minutes=minutes),
                            ),
                        ).id
                    )
                elif created:
                    target = created[index % len(created)]
                    if kind == "reschedule":
                        booking.reschedule(
                            session,
                            tenant=tenant,
                            actor=SYSTEM,
                            appointment_id=target,
                            start_at=start,
                            end_at=start + timedelta(minutes=minutes),
                            expected_version=None,
                        )
                    else:
                        booking.cancel(
                            session,
                            tenant=tenant,
                            actor=SYSTEM,
                            appointment_id=target,
                            expected_version=None,
                        )
        except DomainError:
            pass
        with session_scope() as session:
            assert session.exec(OVERLAPS_SQL).one()[0] == 0  # type: ignore[call-overload]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_api(pg):
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_fifty_parallel_requests_for_one_slot_give_one_201_on_postgres(live_api, frozen_clock):
    with session_scope(write=True) as session:
        tenant = make_tenant(session, slug="carrera")
        doctor = make_doctor(session, tenant, periods=weekday_periods())
        key = make_api_key(session, tenant)
        clients = [
            make_client(session, tenant, phone=f"+57300{n:07d}", name=f"C{n}").id for n in range(50)
        ]
    barrier = threading.Barrier(50)

    def attempt(client_id: uuid.UUID) -> int:
        with httpx.Client(base_url=live_api, timeout=60) as http:
            barrier.wait()
            return http.post(
                "/api/v1/appointments",
                headers={"Authorization": f"Bearer {key}"},
                json={
                    "doctorId": str(doctor.id),
                    "clientId": str(client_id),
                    "startAt": "2027-01-29T09:00:00-05:00",
                },
            ).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = list(pool.map(attempt, clients))
    assert sorted(codes) == [201] + [409] * 49
    with session_scope() as session:
        assert session.exec(OVERLAPS_SQL).one()[0] == 0  # type: ignore[call-overload]
