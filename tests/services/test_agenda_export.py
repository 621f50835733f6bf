"""The agenda printed and exported: a doctor's day as staff read it, a range as CSV that
Excel opens with accents and never runs a formula a client typed."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.domain.appointment_rules import Source
from backend.domain.errors import ValidationFailed
from backend.services.actors import Actor
from backend.services.patients import clients
from backend.services.scheduling import agenda_export, booking
from tests.factories import make_client, make_doctor, make_tenant, weekday_periods

ACTOR = Actor(type="user", id="u1", label="Recepción")


@pytest.fixture
def santiago(db):
    """A clinic in Santiago de Chile, where clocks go back on Sunday 4 April 2027."""
    clock.freeze(datetime(2027, 3, 20, 12, 0, tzinfo=UTC))
    with session_scope(write=True) as session:
        tenant = make_tenant(session, timezone="America/Santiago")
        ana = make_doctor(session, tenant, name="Dra. Ana Soto", periods=weekday_periods())
        luis = make_doctor(session, tenant, name="Dr. Luis Paz", periods=weekday_periods())
        client = make_client(session, tenant, phone="+56912345678", name="María Núñez")
        pet = clients.add_pet(session, client, name="Canela", species="perro")
    yield tenant, ana, luis, client, pet
    clock.unfreeze()


def _book(tenant, doctor, client, start, **extra):
    with session_scope(write=True) as session:
        return booking.create(
            session,
            tenant=tenant,
            actor=ACTOR,
            data=booking.NewAppointment(
                doctor_id=doctor.id, client_id=client.id, start_at=start, **extra
            ),
        )


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_lists_the_range_in_the_clinics_time_across_a_dst_change(santiago):
    tenant, ana, luis, client, pet = santiago
    # 09:00 local both days: UTC-3 on Friday 2 April, UTC-4 on Monday 5 April
    _book(
        tenant,
        ana,
        client,
        datetime(2027, 4, 2, 12, 0, tzinfo=UTC),
        pet_id=pet.id,
        reason="Vacunación anual",
        source=Source.PORTAL,
    )
    _book(tenant, luis, client, datetime(2027, 4, 5, 13, 0, tzinfo=UTC), reason="Control")
    _book(tenant, ana, client, datetime(2027, 4, 9, 13, 0, tzinfo=UTC), reason="fuera")

    rows = _rows(
        agenda_export.agenda_csv(tenant_id=tenant.id, first=date(2027, 4, 1), last=date(2027, 4, 7))
    )

    assert [(r["Fecha"], r["Inicio"], r["Fin"], r["Veterinario"]) for r in rows] == [
        ("2027-04-02", "09:00", "09:30", "Dra. Ana Soto"),
        ("2027-04-05", "09:00", "09:30", "Dr. Luis Paz"),
    ]
    first = rows[0]
    assert (first["Cliente"], first["Teléfono"], first["Mascota"], first["Especie"]) == (
        "María Núñez",
        "+56912345678",
        "Canela",
        "perro",
    )
    assert (first["Motivo"], first["Estado"], first["Prioridad"], first["Origen"]) == (
        "Vacunación anual",
        "Pendiente",
        "Normal",
        "Portal",
    )


def test_csv_of_one_doctor_and_without_cancelled_appointments(santiago):
    tenant, ana, luis, client, _ = santiago
    kept = _book(tenant, ana, client, datetime(2027, 4, 2, 12, 0, tzinfo=UTC))
    gone = _book(tenant, ana, client, datetime(2027, 4, 2, 14, 0, tzinfo=UTC))
    _book(tenant, luis, client, datetime(2027, 4, 2, 12, 0, tzinfo=UTC))
    with session_scope(write=True) as session:
        booking.cancel(
            session,
            tenant=tenant,
            actor=ACTOR,
            appointment_id=gone.id,
            expected_version=gone.version,
            reason="viaje",
        )
    day = date(2027, 4, 2)
    only_ana = _rows(
        agenda_export.agenda_csv(tenant_id=tenant.id, first=day, last=day, doctor_id=ana.id)
    )
    assert [r["Inicio"] for r in only_ana] == ["09:00"]
    assert kept.id  # the cancelled one is out unless asked for
    with_cancelled = _rows(
        agenda_export.agenda_csv(
            tenant_id=tenant.id, first=day, last=day, doctor_id=ana.id, include_cancelled=True
        )
    )
    assert [r["Estado"] for r in with_cancelled] == ["Pendiente", "Cancelada"]


def test_text_a_client_wrote_never_becomes_a_spreadsheet_formula(santiago):
    tenant, ana, _, client, _ = santiago
    _book(
        tenant,
        ana,
        client,
        datetime(2027, 4, 2, 12, 0, tzinfo=UTC),
        reason='=HYPERLINK("http://x.example","clic")',
    )
    [row] = _rows(
        agenda_export.agenda_csv(tenant_id=tenant.id, first=date(2027, 4, 2), last=date(2027, 4, 2))
    )
    assert row["Motivo"] == '\'=HYPERLINK("http://x.example","clic")'


def test_an_export_range_is_bounded_and_ordered(santiago):
    tenant, *_ = santiago
    with pytest.raises(ValidationFailed):
        agenda_export.agenda_csv(tenant_id=tenant.id, first=date(2027, 4, 2), last=date(2027, 4, 1))
    with pytest.raises(ValidationFailed):
        agenda_export.agenda_csv(
            tenant_id=tenant.id, first=date(2027, 1, 1), last=date(2027, 4, 30)
        )


def test_the_printed_day_has_one_sheet_per_doctor_in_local_time(santiago):
    tenant, ana, luis, client, pet = santiago
    _book(
        tenant,
        ana,
        client,
        datetime(2027, 4, 5, 14, 30, tzinfo=UTC),
        pet_id=pet.id,
        reason="Cojea de la pata trasera",
    )
    [sheet] = agenda_export.day_sheets(tenant_id=tenant.id, day=date(2027, 4, 5), doctor_id=ana.id)
    assert sheet.doctor == "Dra. Ana Soto"
    assert sheet.day_label == "Lunes 5 de abril de 2027"
    [row] = sheet.rows
    assert (row.time, row.client, row.phone, row.pet, row.reason) == (
        "10:30 – 11:00",
        "María Núñez",
        "+56912345678",
        "Canela (perro)",
        "Cojea de la pata trasera",
    )
    team = agenda_export.day_sheets(tenant_id=tenant.id, day=date(2027, 4, 5), whole_team=True)
    assert [(s.doctor, len(s.rows)) for s in team] == [("Dr. Luis Paz", 0), ("Dra. Ana Soto", 1)]
