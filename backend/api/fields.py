"""The input types every request schema and query parameter uses, so bad input is a 422.

One mechanism for the API's edge: text without control characters
(`PlainText`), instants with an offset in a sane range (`Instant`), bookings
and availability no further ahead than the domain allows (`BookingInstant`,
`BookingDay`), and bounded pagination (`Offset`). The rules themselves live in
`backend.domain.input_rules`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import AfterValidator, AwareDatetime, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from backend.core.clock import utcnow
from backend.domain.input_rules import (
    CONTROL_CHARACTER_RANGES,
    DAYS_AHEAD,
    EARLIEST_YEAR,
    LATEST_YEAR,
    has_control_characters,
    within_reach,
    year_in_range,
)

MAX_OFFSET = 1_000_000
"""The furthest a list can be paged: beyond any clinic's lists, far below the database's integers."""


class _SpecPattern:
    """Documents the refused characters as a `pattern` in the OpenAPI spec."""

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = f"^[^{CONTROL_CHARACTER_RANGES}]*$"
        return json_schema


def _plain_text(value: str) -> str:
    if has_control_characters(value):
        raise PydanticCustomError(
            "control_characters", "control characters (such as NUL) are not allowed"
        )
    return value


def _in_range(value: Any) -> Any:
    if not year_in_range(value):
        raise PydanticCustomError(
            "date_out_of_range",
            "the year must be between {earliest} and {latest}",
            {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )
    return value


def _within_reach(value: Any) -> Any:
    day = value.astimezone(UTC).date() if isinstance(value, datetime) else value
    if not within_reach(day, today=utcnow().date()):
        raise PydanticCustomError(
            "too_far_ahead", "at most {days} days ahead", {"days": DAYS_AHEAD}
        )
    return value


PlainText = Annotated[str, AfterValidator(_plain_text), _SpecPattern()]
"""Any text a client sends: names, notes, reasons, messages, filters."""

Instant = Annotated[AwareDatetime, AfterValidator(_in_range)]
"""A moment with its UTC offset, in a year a clinic can mean (the lists' `from` and `to`)."""

BookingInstant = Annotated[AwareDatetime, AfterValidator(_in_range), AfterValidator(_within_reach)]
"""The start or end of an appointment: an `Instant` no further ahead than `DAYS_AHEAD`."""

BookingDay = Annotated[date, AfterValidator(_in_range), AfterValidator(_within_reach)]
"""A local calendar day asked about for free slots."""

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
"""How many items of a list to skip."""
