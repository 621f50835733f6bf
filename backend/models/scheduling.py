"""Doctors' working plans and time off."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from backend.core.clock import utcnow
from backend.models.types import json_column, utc_column


def default_periods() -> list[dict[str, Any]]:
    """Mon-Fri 08:00-12:30 and 14:00-18:00 (lunch break), Sat 09:00-13:00."""
    periods = []
    for weekday in range(5):
        periods.append({"weekday": weekday, "start": "08:00", "end": "12:30"})
        periods.append({"weekday": weekday, "start": "14:00", "end": "18:00"})
    periods.append({"weekday": 5, "start": "09:00", "end": "13:00"})
    return periods


class DoctorSchedule(SQLModel, table=True):
    """Working periods per weekday (breaks are the gaps) and booking rules."""

    __tablename__ = "doctor_schedule"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    doctor_id: uuid.UUID = Field(foreign_key="staff_user.id", unique=True)
    periods: list[dict[str, Any]] = Field(default_factory=default_periods, sa_column=json_column())
    slot_minutes: int = Field(default=30)
    buffer_minutes: int = Field(default=5)
    min_notice_minutes: int = Field(default=60)
    horizon_days: int = Field(default=60)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class TimeOff(SQLModel, table=True):
    """A blocked period of one doctor (vacation, training, personal)."""

    __tablename__ = "time_off"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    doctor_id: uuid.UUID = Field(foreign_key="staff_user.id", index=True)
    start_at: datetime = Field(sa_column=utc_column())
    end_at: datetime = Field(sa_column=utc_column())
    reason: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
