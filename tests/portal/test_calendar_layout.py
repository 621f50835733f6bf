"""The calendar's layout on its own: plain data in, positioned blocks out (no database)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from backend.domain.availability import Slot
from backend.domain.intervals import Interval
from backend.services.scheduling.calendar_view import AppointmentView, CalendarPeriod, DoctorCard
from vetassist_app.calendar_layout import days_shown, grid_hours, lanes, lay_out, now_line

BOGOTA = ZoneInfo("America/Bogota")
THURSDAY = date(2027, 1, 28)
FRIDAY = date(2027, 1, 29)
NOW = datetime(2027, 1, 28, 15, 0, tzinfo=UTC)  # Thursday 10:00 in Bogotá
ANA = DoctorCard(
    id=uuid.UUID(int=1),
    full_name="Dra. Ana Ruiz",
    color="#7c3aed",
    speciality="Felinos",
    active_for_ai_booking=True,
)
BETO = DoctorCard(
    id=uuid.UUID(int=2),
    full_name="Dr. Beto Mejía",
    color=None,
    speciality=None,
    active_for_ai_booking=False,
)


def _at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), BOGOTA)


def _appointment(
    start: datetime, minutes: int = 30, doctor: DoctorCard = ANA, **changes: object
) -> AppointmentView:
    view = AppointmentView(
        id=uuid.uuid4(),
        version=1,
        doctor_id=doctor.id,
        doctor_name=doctor.full_name,
        doctor_color=doctor.color,
        client_id=uuid.uuid4(),
        client_name="Camila Rodríguez",
        client_phone="+573001112233",
        pet_id=None,
        pet_name="Luna",
        pet_species="gato",
        start_at=start,
        end_at=start + timedelta(minutes=minutes),
        reason="Vacunación anual",
        notes=None,
        status="pending",
        priority="normal",
        source="whatsapp",
        calendar_sync_ok=None,
        calendar_sync_error=None,
        conversation_id=None,
        emergency_id=None,
        procedure_type=None,
        cancel_reason=None,
        created_by=None,
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(view, **changes)  # type: ignore[arg-type]


def _period(days: list[date], **changes: object) -> CalendarPeriod:
    period = CalendarPeriod(
        timezone="America/Bogota",
        days=tuple(days),
        doctors=[BETO, ANA],
        doctor_id=ANA.id,
        shown=[ANA.id],
        hours=(8, 18),
        window=(_at(days[0], 0), _at(days[-1] + timedelta(days=1), 0)),
        appointments=[],
        free_slots=[],
        working={(ANA.id, d): [Interval(_at(d, 8), _at(d, 18))] for d in days},
        time_off={},
        marker=7,
    )
    return replace(period, **changes)  # type: ignore[arg-type]


def test_days_shown_week_starts_on_monday_and_day_is_alone() -> None:
    assert days_shown("semana", THURSDAY)[0] == date(2027, 1, 25)
    assert len(days_shown("semana", THURSDAY)) == 7
    assert days_shown("dia", THURSDAY) == [THURSDAY]
    assert days_shown("equipo", THURSDAY) == [THURSDAY]


def test_lay_out_week_puts_each_appointment_in_its_day_at_its_time() -> None:
    # given: Friday 09:00-09:30 on a grid from 08:00 (1.5 px a minute)
    friday_nine = _appointment(_at(FRIDAY, 9))
    period = _period(days_shown("semana", THURSDAY), appointments=[friday_nine])

    # when
    data = lay_out(period, view="semana", anchor=THURSDAY, now=NOW)

    # then
    assert [c.title for c in data.columns] == [
        "Lun 25",
        "Mar 26",
        "Mié 27",
        "Jue 28",
        "Vie 29",
        "Sáb 30",
        "Dom 31",
    ]
    assert [c.is_today for c in data.columns].index(True) == 3
    (block,) = data.columns[4].blocks
    assert (block.top, block.height) == ("90px", "43px")
    assert (block.time_label, block.range_label) == ("09:00", "09:00–09:30")
    assert block.css == "va-block va-tone-pending"
    assert data.columns[4].count_label == "1 cita"
    assert data.columns[4].accent == "#7c3aed"
    assert (data.title, data.subtitle) == ("25 – 31 ene 2027", "Dra. Ana Ruiz")
    assert (data.doctor_id, data.marker, data.total) == (str(ANA.id), 7, 1)
    assert data.hours[0].label == "08:00" and data.hours[-1].label == "17:00"
    assert data.grid_height == 10 * 60 * 1.5


def test_lay_out_team_day_has_a_column_per_doctor_with_default_color() -> None:
    period = _period([FRIDAY], shown=[BETO.id, ANA.id])

    data = lay_out(period, view="equipo", anchor=FRIDAY, now=NOW)

    assert [(c.title, c.subtitle, c.accent) for c in data.columns] == [
        ("Dr. Beto Mejía", "", "#0d9488"),
        ("Dra. Ana Ruiz", "Felinos", "#7c3aed"),
    ]
    assert data.subtitle == "Todo el equipo"
    assert [d.name for d in data.doctors] == ["Dr. Beto Mejía", "Dra. Ana Ruiz"]


def test_lay_out_without_doctors_draws_no_column() -> None:
    period = _period([FRIDAY], doctors=[], doctor_id=None, shown=[], working={})

    data = lay_out(period, view="dia", anchor=FRIDAY, now=NOW)

    assert data.columns == []
    assert data.subtitle == "Sin médicos activos"
    assert data.title == "Viernes 29 de enero de 2027"


def test_lay_out_overlapping_appointments_share_the_width() -> None:
    # given: an emergency squeezed in at 09:10, a cancelled one under the 09:00
    normal = _appointment(_at(FRIDAY, 9))
    emergency = _appointment(_at(FRIDAY, 9, 10), priority="emergency")
    cancelled = _appointment(_at(FRIDAY, 9), status="cancelled")
    period = _period([FRIDAY], appointments=[cancelled, emergency, normal])

    # when
    (column,) = lay_out(period, view="dia", anchor=FRIDAY, now=NOW).columns

    # then: the live one keeps the first lane, the cancelled one moves aside
    assert [b.id for b in column.blocks] == [str(normal.id), str(cancelled.id), str(emergency.id)]
    assert {b.width for b in column.blocks} == {"calc(33.333% - 4px)"}
    assert [b.left for b in column.blocks] == [
        "calc(0.000% + 2px)",
        "calc(33.333% + 2px)",
        "calc(66.667% + 2px)",
    ]
    assert "va-tone-emergency" in column.blocks[2].css
    assert column.count_label == "2 citas"


def test_lay_out_flags_sync_failures_and_counts_only_live_appointments() -> None:
    failed = _appointment(_at(FRIDAY, 9), calendar_sync_ok=False)
    cancelled = _appointment(_at(FRIDAY, 11), status="cancelled", calendar_sync_ok=False)
    period = _period([FRIDAY], appointments=[failed, cancelled])

    data = lay_out(period, view="dia", anchor=FRIDAY, now=NOW)

    first = data.columns[0].blocks[0]
    assert first.sync_failed and first.sync_error == "error desconocido"
    assert (data.total, data.sync_failures, data.emergencies) == (1, 1, 0)


def test_lay_out_short_appointment_is_compact_with_a_minimum_height() -> None:
    period = _period([FRIDAY], appointments=[_appointment(_at(FRIDAY, 9), minutes=5)])

    (block,) = lay_out(period, view="dia", anchor=FRIDAY, now=NOW).columns[0].blocks

    assert block.compact
    assert block.height == "16px"


def test_grid_hours_stretch_to_appointments_outside_working_hours() -> None:
    early = _appointment(_at(FRIDAY, 6, 30))
    late = _appointment(_at(FRIDAY, 19, 15))
    period = _period([FRIDAY], appointments=[early, late])

    data = lay_out(period, view="dia", anchor=FRIDAY, now=NOW)

    assert grid_hours(period) == (6, 20)
    assert (data.first_hour, data.last_hour) == (6, 20)
    assert data.columns[0].blocks[0].top == "45px"


def test_lay_out_shades_off_hours_and_time_off() -> None:
    # given: works 09:00-12:00 and 14:00-18:00, away 15:00-16:00
    working = {
        (ANA.id, FRIDAY): [
            Interval(_at(FRIDAY, 9), _at(FRIDAY, 12)),
            Interval(_at(FRIDAY, 14), _at(FRIDAY, 18)),
        ]
    }
    away = {ANA.id: [Interval(_at(FRIDAY, 15), _at(FRIDAY, 16))]}
    period = _period([FRIDAY], working=working, time_off=away)

    # when
    (column,) = lay_out(period, view="dia", anchor=FRIDAY, now=NOW).columns

    # then: 08-09 and 12-14 are off; the time off is labelled
    assert [(s.kind, s.top, s.height, s.label) for s in column.shades] == [
        ("off", "0px", "90px", ""),
        ("off", "360px", "180px", ""),
        ("time_off", "630px", "90px", "Ausencia"),
    ]


def test_lay_out_shades_google_busy_time_as_busy() -> None:
    # given: the doctor's own Google event 10:00-11:00 on a grid from 08:00
    busy = {ANA.id: [Interval(_at(FRIDAY, 10), _at(FRIDAY, 11))]}
    period = _period([FRIDAY], google_busy=busy)

    # when
    (column,) = lay_out(period, view="dia", anchor=FRIDAY, now=NOW).columns

    # then
    assert [(s.kind, s.top, s.height, s.label) for s in column.shades] == [
        ("time_off", "180px", "90px", "Ocupado (Google)"),
    ]


def test_lay_out_day_off_is_shaded_whole() -> None:
    period = _period([FRIDAY], working={})

    (column,) = lay_out(period, view="dia", anchor=FRIDAY, now=NOW).columns

    assert [(s.top, s.height) for s in column.shades] == [("0px", "900px")]


def test_lay_out_puts_free_slots_in_their_doctors_day() -> None:
    slot = Slot(doctor_id=ANA.id, start=_at(FRIDAY, 10), end=_at(FRIDAY, 10, 30))
    period = _period(days_shown("semana", THURSDAY), free_slots=[slot])

    data = lay_out(period, view="semana", anchor=THURSDAY, now=NOW)

    (cell,) = data.columns[4].free
    assert (cell.label, cell.top, cell.height) == ("+ 10:00", "182px", "42px")
    assert cell.doctor_id == str(ANA.id)
    assert datetime.fromisoformat(cell.start_iso) == slot.start
    assert all(c.free == [] for i, c in enumerate(data.columns) if i != 4)


def test_now_line_is_drawn_only_inside_the_hours_shown() -> None:
    assert now_line(NOW, "America/Bogota", 8, 18) == "180px"
    assert now_line(NOW, "America/Bogota", 11, 18) == ""
    assert now_line(NOW, "America/Bogota", 8, 10) == ""


def test_lanes_of_separate_groups_start_over() -> None:
    t = _at(FRIDAY, 9)
    minutes = timedelta(minutes=1)

    assert lanes(
        [
            (t, t + 30 * minutes),
            (t + 10 * minutes, t + 40 * minutes),
            (t + 20 * minutes, t + 35 * minutes),
            (t + 60 * minutes, t + 90 * minutes),
        ]
    ) == [(0, 3), (1, 3), (2, 3), (0, 1)]
