"""The app behind PgBouncer in transaction mode, as production scales out (README).

A private PgBouncer (Debian's, installed by `scripts/test.sh`) forwards to the
test database with two server connections for four client threads, so
consecutive transactions of one client land on different server connections.
With DB_PREPARED_STATEMENTS=false, bookings, webhook messages and chat
searches work there, and no two appointments overlap.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from backend.core import db as core_db
from backend.core.config import settings
from backend.core.db import session_scope
from backend.domain.errors import DomainError
from backend.services.actors import SYSTEM
from backend.services.assistant.inbound import PostedMessage, accept_posted
from backend.services.chats.conversations import search_conversations
from backend.services.scheduling import booking
from tests.factories import make_client, make_doctor, make_tenant, weekday_periods
from tests.services.test_no_double_booking import OVERLAPS_SQL

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
MONDAY = datetime(2027, 2, 1, 13, 0, tzinfo=UTC)  # 08:00 in Bogotá


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def bouncer(pg: Engine) -> Iterator[str]:
    """A PgBouncer in transaction mode in front of the test database; yields its URL."""
    target = make_url(str(pg.url))
    workdir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    workdir.chmod(0o777)
    port = _free_port()
    (workdir / "userlist.txt").write_text(f'"{target.username}" ""\n')
    (workdir / "pgbouncer.ini").write_text(
        f"[databases]\n{target.database} = host={target.host} port={target.port}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n"
        f"auth_type = trust\nauth_file = {workdir}/userlist.txt\n"
        "pool_mode = transaction\ndefault_pool_size = 2\nmax_client_conn = 50\n"
        f"logfile = {workdir}/pgbouncer.log\nunix_socket_dir =\n"
    )
    for path in workdir.iterdir():
        path.chmod(0o666)
    user = ["-u", "postgres"] if os.geteuid() == 0 else []
    process = subprocess.Popen([PGBOUNCER, *user, str(workdir / "pgbouncer.ini")])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, (workdir / "pgbouncer.log").read_text()
                assert time.monotonic() < deadline, "pgbouncer did not start"
                time.sleep(0.1)
        yield target.set(port=port).render_as_string(hide_password=False)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def test_the_app_works_behind_pgbouncer_without_prepared_statements(
    bouncer, frozen_clock, monkeypatch
):
    monkeypatch.setattr(settings, "DB_PREPARED_STATEMENTS", False)
    monkeypatch.setattr(settings, "DB_POOL_SIZE", 4)
    engine = core_db.make_engine(bouncer)
    core_db.set_engine(engine)
    with session_scope(write=True) as session:
        tenant = make_tenant(session, slug="bouncer", whatsapp="+14155550123")
        doctor = make_doctor(session, tenant, periods=weekday_periods())
        client = make_client(session, tenant)

    def book(slot: int) -> str:
        try:
            booking.book(
                tenant_id=tenant.id,
                actor=SYSTEM,
                data=booking.NewAppointment(
                    doctor_id=doctor.id,
                    client_id=client.id,
                    start_at=MONDAY + timedelta(minutes=20 * (slot % 24)),
                    end_at=MONDAY + timedelta(minutes=20 * (slot % 24) + 30),
                ),
            )
        except DomainError:
            return "refused"
        return "booked"

    def message(n: int) -> uuid.UUID | None:
        return accept_posted(
            PostedMessage(
                to="whatsapp:+14155550123",
                from_=f"whatsapp:+57300{n:07d}",
                body=f"Hola, mensaje número {n} sobre la vacunación",
                provider_sid="SM" + uuid.uuid4().hex,
            )
        )

    def pool_map(work, count):  # type: ignore[no-untyped-def]
        with ThreadPoolExecutor(4) as pool:
            return list(pool.map(work, range(count)))

    outcomes = pool_map(book, 48)
    stored = pool_map(message, 40)
    assert outcomes.count("booked") >= 8  # every other slot overlaps its neighbour
    assert all(stored)
    # each client connection runs the same statements past psycopg's prepare threshold,
    # its transactions landing on either server connection
    totals = list(pool_map(lambda _: search_conversations(tenant=tenant, q="vacuna").total, 48))
    assert totals == [40] * 48
    with engine.connect() as conn:
        assert conn.execute(OVERLAPS_SQL).scalar_one() == 0
        assert (
            conn.execute(
                text("SELECT count(*) FROM message WHERE direction = 'inbound'")
            ).scalar_one()
            == 40
        )
    engine.dispose()
