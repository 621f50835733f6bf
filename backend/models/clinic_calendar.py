"""The clinic's calendar beyond each doctor's plan: closures and the emergency on-call rota."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlmodel import Field, SQLModel

from backend.core.clock import utcnow
from backend.models.types import utc_column


class ClinicClosure(SQLModel, table=True):
    """A holiday or closure of the whole clinic: nobody can be booked in it (emergencies can).

    Stored in UTC like time off; an all-day closure runs from the clinic's local
    midnight of its first day to the local midnight after its last day.
    """

    __tablename__ = "clinic_closure"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    start_at: datetime = Field(sa_column=utc_column())
    end_at: datetime = Field(sa_column=utc_column())
    all_day: bool = Field(default=True)
    reason: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class OnCallShift(SQLModel, table=True):
    """Who receives emergencies in a stretch of local time: every `weekday` (0 Monday) or
    one `on_date` (which wins over the weekly rota that day). "24:00" ends at midnight."""

    __tablename__ = "on_call_shift"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", index=True)
    doctor_id: uuid.UUID = Field(foreign_key="staff_user.id", index=True)
    weekday: int | None = Field(default=None)
    on_date: date | None = Field(default=None)
    start: str = Field(max_length=5)
    end: str = Field(max_length=5)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
