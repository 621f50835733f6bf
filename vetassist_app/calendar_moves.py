"""A block dragged (or stretched) on the calendar: where it lands and how to say it.

Pure: no database, no Reflex. The browser sends what the pointer did (how many
minutes, onto which day and doctor column); the appointment's own times, read
again on the server, decide the new start and end, so a stale page cannot
send a time it never showed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from backend.domain import spanish_dates
from backend.domain.errors import ValidationFailed

SNAP_MINUTES = 15
SHORTEST_MINUTES = 5


@dataclass(frozen=True)
class Drop:
    """What the pointer did: `minutes` later (earlier when negative), onto `day` in the
    column of `doctor_id` ("" keeps the doctor); `resize` moves only the end."""

    appointment_id: str
    minutes: int
    day: date
    doctor_id: str
    resize: bool


def parse_drop(payload: str) -> Drop:
    """The browser's JSON; anything malformed is refused as a validation error."""
    try:
        raw = json.loads(payload)
        drop = Drop(
            appointment_id=str(uuid.UUID(str(raw["id"]))),
            minutes=int(raw.get("minutes", 0)),
            day=date.fromisoformat(str(raw["day"])),
            doctor_id=str(uuid.UUID(str(raw["doctor"]))) if raw.get("doctor") else "",
            resize=bool(raw.get("resize", False)),
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        raise ValidationFailed("the move could not be read", field="startAt") from None
    if abs(drop.minutes) > 24 * 60:
        raise ValidationFailed("the move is too far", field="startAt")
    return drop


def moved_times(
    start: datetime, end: datetime, tz_name: str, drop: Drop
) -> tuple[datetime, datetime]:
    """The new (start, end) in UTC: a move keeps the length and lands on `drop.day` at the
    old local time plus the minutes; a resize keeps the start and moves the end."""
    if drop.resize:
        new_end = end + timedelta(minutes=drop.minutes)
        if new_end - start < timedelta(minutes=SHORTEST_MINUTES):
            raise ValidationFailed("the end must be after the start", field="endAt")
        return start, new_end
    zone = ZoneInfo(tz_name)
    local_start = start.astimezone(zone)
    moved = datetime.combine(drop.day, local_start.time(), zone) + timedelta(minutes=drop.minutes)
    new_start = moved.astimezone(UTC)
    return new_start, new_start + (end - start)


def clock(moment: datetime, tz_name: str) -> str:
    """'9:00', '14:30' in the clinic's zone."""
    local = moment.astimezone(ZoneInfo(tz_name))
    return f"{local.hour}:{local.minute:02d}"


def move_summary(
    *,
    pet: str,
    client: str,
    before: tuple[datetime, datetime],
    after: tuple[datetime, datetime],
    doctor: str,
    previous_doctor: str,
    tz_name: str,
    resize: bool,
) -> str:
    """What the confirmation says will happen, e.g. "Mover la cita de Luna (Camila
    Rodríguez) del martes 1 de diciembre 9:00 a 10:30 con Dra. Ana Restrepo"."""
    zone = ZoneInfo(tz_name)
    who = f"{pet} ({client})" if pet else client
    old_day = before[0].astimezone(zone).date()
    new_day = after[0].astimezone(zone).date()
    with_doctor = f"con {doctor}"
    if previous_doctor and previous_doctor != doctor:
        with_doctor += f" (antes con {previous_doctor})"
    if resize:
        return (
            f"Cambiar la duración de la cita de {who} del {spanish_dates.long_date(old_day)}: "
            f"de {clock(before[0], tz_name)}–{clock(before[1], tz_name)} "
            f"a {clock(after[0], tz_name)}–{clock(after[1], tz_name)} {with_doctor}"
        )
    to = (
        f"a {clock(after[0], tz_name)}"
        if new_day == old_day
        else f"al {spanish_dates.long_date(new_day)} {clock(after[0], tz_name)}"
    )
    return (
        f"Mover la cita de {who} del {spanish_dates.long_date(old_day)} "
        f"{clock(before[0], tz_name)} {to} {with_doctor}"
    )
