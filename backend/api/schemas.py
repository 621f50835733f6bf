"""Request and response bodies of the REST API (camelCase on the wire)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from backend.api.fields import BookingInstant, PlainText
from backend.domain.appointment_rules import Priority, ProcedureType, Status

VERSION_MAX = 2_147_483_647
"""An appointment's version is a 32-bit integer in the database."""


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class ClientIn(ApiModel):
    phone: PlainText = Field(min_length=3, max_length=40)
    name: PlainText | None = Field(default=None, max_length=200)
    email: PlainText | None = Field(default=None, max_length=254)


class PetIn(ApiModel):
    name: PlainText = Field(min_length=1, max_length=100)
    species: PlainText | None = Field(default=None, max_length=40)
    breed: PlainText | None = Field(default=None, max_length=100)
    birth_date: date | None = None


class AppointmentCreate(ApiModel):
    doctor_id: uuid.UUID
    client_id: uuid.UUID | None = None
    client: ClientIn | None = None
    pet_id: uuid.UUID | None = None
    pet: PetIn | None = None
    start_at: BookingInstant
    end_at: BookingInstant | None = None
    reason: PlainText | None = Field(default=None, max_length=500)
    notes: PlainText | None = Field(default=None, max_length=2000)
    status: Literal["pending", "confirmed"] = "pending"
    priority: Priority = Priority.NORMAL
    procedure_type: ProcedureType | None = None
    service_id: uuid.UUID | None = None


class AppointmentPatch(ApiModel):
    version: int | None = Field(default=None, ge=0, le=VERSION_MAX)
    start_at: BookingInstant | None = None
    end_at: BookingInstant | None = None
    doctor_id: uuid.UUID | None = None
    status: Status | None = None
    cancel_reason: PlainText | None = Field(default=None, max_length=500)
    procedure_type: ProcedureType | None = None
    notes: PlainText | None = Field(default=None, max_length=2000)
    reason: PlainText | None = Field(default=None, max_length=500)
    notify_client: bool = True  # false: the client is not told of this change on WhatsApp


class VersionIn(ApiModel):
    version: int | None = Field(default=None, ge=0, le=VERSION_MAX)


class CalendarReviewOut(ApiModel):
    """A change made in Google Calendar that VetAssist did not apply: why, and Google's time
    (none when the event was deleted there)."""

    reason: str
    proposed_start_at: datetime | None
    proposed_end_at: datetime | None


class AppointmentOut(ApiModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)

    @model_validator(mode="before")
    @classmethod
    def _calendar_review(cls, data: object) -> object:
        """Builds `calendarReview` from the appointment row's review columns."""
        reason = getattr(data, "calendar_review_reason", None)
        if isinstance(data, dict) or reason is None:
            return data
        return {
            **{name: getattr(data, name) for name in cls.model_fields if hasattr(data, name)},
            "calendar_review": CalendarReviewOut(
                reason=reason,
                proposed_start_at=getattr(data, "calendar_review_start", None),
                proposed_end_at=getattr(data, "calendar_review_end", None),
            ),
        }

    id: uuid.UUID
    tenant_id: uuid.UUID
    doctor_id: uuid.UUID
    client_id: uuid.UUID
    pet_id: uuid.UUID | None
    start_at: datetime
    end_at: datetime
    reason: str | None
    status: str
    priority: str
    source: str
    conversation_id: uuid.UUID | None
    calendar_sync_ok: bool | None
    calendar_event_id: str | None
    calendar_review: CalendarReviewOut | None = None  # a change in Google waits for a person
    created_by: str | None
    version: int
    notes: str | None
    procedure_type: str | None
    cancel_reason: str | None
    service_id: uuid.UUID | None = None
    created_at: datetime
    updated_at: datetime


class AppointmentList(ApiModel):
    items: list[AppointmentOut]
    total: int


class SlotOut(ApiModel):
    doctor_id: uuid.UUID
    start_at: datetime
    end_at: datetime
    local_start: str


class AvailabilityOut(ApiModel):
    tenant_id: uuid.UUID
    timezone: str
    date: date
    slots: list[SlotOut]


class DoctorOut(ApiModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)

    id: uuid.UUID
    full_name: str
    speciality: str | None
    active_for_ai_booking: bool


class ServiceOut(ApiModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)

    id: uuid.UUID
    name: str
    duration_minutes: int
    buffer_minutes: int
    deposit_required: bool
    is_default: bool
    doctor_ids: list[uuid.UUID]


class PetDetailsIn(PetIn):
    weight_kg: float | None = Field(default=None, gt=0, le=1000)


class PetOut(ApiModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)

    id: uuid.UUID
    name: str
    species: str | None
    breed: str | None
    birth_date: date | None
    weight_kg: float | None


class ClientOut(ApiModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)

    id: uuid.UUID
    name: str | None
    phone: str
    email: str | None
    created_at: datetime


class ClientDetailOut(ClientOut):
    no_shows: int
    other_phones: list[str]
    pets: list[PetOut]


class ClientSummaryOut(ApiModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)

    id: uuid.UUID
    name: str | None
    phone: str
    pets: list[str]
    appointments: int
    no_shows: int
    next_appointment: datetime | None
    last_visit: datetime | None


class ClientMergeIn(ApiModel):
    merge_id: uuid.UUID


class ClientMergeOut(ApiModel):
    kept_id: uuid.UUID
    appointments: int
    moved: dict[str, int]
