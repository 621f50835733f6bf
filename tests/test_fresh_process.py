"""A booking in a brand-new process, the way the first request of a fresh server runs.

Background work used to import services inside the after-commit listeners, so
the first in-process relay of a process imported `alerts` while SQLAlchemy was
iterating its listeners ("deque mutated during iteration") and the caller saw
an error for a change that had committed. Everything is imported and wired at
start-up now; this runs the first booking of a fresh interpreter to prove it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from backend.core.config import PROJECT_ROOT

SCRIPT = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from backend import wiring
    from backend.core.db import session_scope
    from backend.models import OutboxEvent
    from backend.services import migrations
    from backend.services.actors import SYSTEM
    from backend.services.clinics import clinic_setup
    from backend.services.scheduling import booking
    from sqlmodel import select

    migrations.upgrade()
    wiring.install()
    with session_scope(write=True) as session:
        clinic = clinic_setup.create_clinic(
            session, slug="fresca", name="Clínica Fresca", timezone="America/Bogota",
            country="CO", whatsapp_numbers=["+14155550199"],
        )
        doctor = clinic_setup.add_doctor(
            session, tenant=clinic, email="vet@fresca.co", full_name="Dra. Fresca", password="tamal azul 7",
        )
    monday = datetime.now(ZoneInfo("America/Bogota")).date() + timedelta(days=7)
    monday -= timedelta(days=monday.weekday())
    start = datetime.combine(monday, datetime.min.time(), ZoneInfo("America/Bogota")) + timedelta(hours=9)
    appointment = booking.book(
        tenant_id=clinic.id,
        actor=SYSTEM,
        client=booking.NewClient(phone="+573001112233", name="Ana"),
        pet=booking.NewPet(name="Toby", species="perro"),
        data=booking.NewAppointment(doctor_id=doctor.id, start_at=start),
    )
    print("booked", appointment.id)
    with session_scope(read_only=True) as session:
        undelivered = session.exec(select(OutboxEvent).where(OutboxEvent.dispatched_at == None)).all()  # noqa: E711
    print("undelivered", len(undelivered))
    """
)


def test_first_booking_of_a_fresh_process_relays_without_errors(tmp_path: Path) -> None:
    # given: a new interpreter and an empty database
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    # when
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then
    assert result.returncode == 0, result.stderr
    assert "booked" in result.stdout
    assert "undelivered 0" in result.stdout  # the relay ran right after the commit, in this process
    assert "Traceback" not in result.stderr and "mutated" not in result.stderr, result.stderr
