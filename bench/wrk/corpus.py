"""The requests wrk replays, built and signed beforehand in Python.

Signing a Twilio webhook or serialising a body per request is the client's
work, not the server's: done here once, it costs the measured run nothing.
Each request is written as raw HTTP/1.1 bytes, length-prefixed
(`<length>\\n<bytes>`), into one file per wrk thread, so each thread replays its
own slice and no request repeats within a run unless a thread wraps around
(counted and reported by `replay.lua`).

Webhooks: a unique `MessageSid` each, from 2,000 different phones, signed with
`RequestValidator` against `PUBLIC_BASE_URL + path` as Twilio signs them.
Bookings: every create asks for a distinct slot inside the doctors' working
hours (Monday to Saturday, 08:00-18:00 local, a 30-minute grid of 25-minute
visits, which the 5-minute buffer keeps apart), doctors interleaved so
concurrent requests hit different doctors. Storm: creates at random slots,
reschedules and cancels of distinct pre-created appointments (version 1), so
conflicts (409) come from slots taken, as in `bench.bench_booking_storm`.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from twilio.request_validator import RequestValidator

from bench.bench_webhook import SCRIPT as MESSAGES

WEBHOOK_PATH = "/webhooks/whatsapp"
APPOINTMENTS_PATH = "/api/v1/appointments"
SLOTS_PER_DAY = 20  # 08:00-18:00 on a 30-minute grid
GRID_STEP = timedelta(minutes=30)
VISIT = timedelta(minutes=25)
OPEN_WEEKDAYS = range(0, 6)  # Monday to Saturday, as `clinic_with_doctors` schedules


@dataclass(frozen=True)
class HttpRequest:
    """One request as sent on the wire; `kind` groups them for the calibration."""

    kind: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    def raw(self) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", "Host: 127.0.0.1"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        if self.body or self.method in ("POST", "PATCH"):
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


def write_corpus(requests: Sequence[HttpRequest], prefix: Path, threads: int) -> None:
    """Writes `prefix.0` ... `prefix.<threads-1>`: request i goes to thread i % threads."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    for thread in range(threads):
        with open(f"{prefix}.{thread}", "wb") as out:
            for request in requests[thread::threads]:
                raw = request.raw()
                out.write(b"%d\n" % len(raw) + raw)


# ---------------------------------------------------------------- webhooks


def webhook_requests(
    *,
    count: int,
    region: int,
    token: str,
    public_base: str,
    clinic_number: str,
    phones: int = 2000,
    seed: int = 0,
) -> list[HttpRequest]:
    """`count` signed inbound messages; `region` (0-255) keeps sids apart between corpora."""
    rng = random.Random(seed)
    validator = RequestValidator(token)
    url = public_base.rstrip("/") + WEBHOOK_PATH
    requests = []
    for index in range(count):
        phone = rng.randrange(phones)
        params = {
            "MessageSid": f"SM{region:02x}{index:030x}",
            "AccountSid": "AC" + "0" * 32,
            "From": f"whatsapp:+57300{phone:07d}",
            "To": f"whatsapp:{clinic_number}",
            "Body": MESSAGES[index % len(MESSAGES)],
            "NumMedia": "0",
            "ProfileName": f"Cliente {phone}",
        }
        headers = (
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("X-Twilio-Signature", validator.compute_signature(url, params)),
        )
        requests.append(
            HttpRequest("inbound", "POST", WEBHOOK_PATH, headers, urlencode(params).encode())
        )
    return requests


# ---------------------------------------------------------------- slots


@dataclass(frozen=True)
class Slot:
    doctor_id: uuid.UUID
    start: datetime  # aware, in the clinic's zone

    @property
    def end(self) -> datetime:
        return self.start + VISIT


def open_days(first_day: date, count: int) -> list[date]:
    days: list[date] = []
    day = first_day
    while len(days) < count:
        if day.weekday() in OPEN_WEEKDAYS:
            days.append(day)
        day += timedelta(days=1)
    return days


def grid(doctors: Sequence[uuid.UUID], timezone: str, days: Sequence[date]) -> Iterator[Slot]:
    """Every slot of `days`, doctors interleaved: consecutive slots belong to other doctors."""
    zone = ZoneInfo(timezone)
    for day in days:
        opening = datetime.combine(day, time(8), zone)
        for step in range(SLOTS_PER_DAY):
            for doctor in doctors:
                yield Slot(doctor, opening + step * GRID_STEP)


def days_holding(slots: int, doctors: int) -> int:
    """Open days needed for `slots` slots."""
    return -(-slots // (doctors * SLOTS_PER_DAY))


# ---------------------------------------------------------------- bookings


def _api_headers(key: str, *extra: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return (("Authorization", f"Bearer {key}"), *extra)


def _json(payload: Mapping[str, object]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def create_request(key: str, client_id: uuid.UUID, slot: Slot) -> HttpRequest:
    body = {
        "doctorId": str(slot.doctor_id),
        "clientId": str(client_id),
        "startAt": slot.start.isoformat(),
        "endAt": slot.end.isoformat(),
    }
    headers = _api_headers(key, ("Content-Type", "application/json"))
    return HttpRequest("create", "POST", APPOINTMENTS_PATH, headers, _json(body))


def reschedule_request(key: str, appointment_id: uuid.UUID, slot: Slot) -> HttpRequest:
    body = {"startAt": slot.start.isoformat(), "version": 1}
    headers = _api_headers(key, ("Content-Type", "application/json"))
    path = f"{APPOINTMENTS_PATH}/{appointment_id}"
    return HttpRequest("reschedule", "PATCH", path, headers, _json(body))


def cancel_request(key: str, appointment_id: uuid.UUID) -> HttpRequest:
    path = f"{APPOINTMENTS_PATH}/{appointment_id}"
    return HttpRequest("cancel", "DELETE", path, _api_headers(key, ("If-Match", "1")))


def booking_requests(*, key: str, client_id: uuid.UUID, slots: Sequence[Slot]) -> list[HttpRequest]:
    """One create per slot, in grid order."""
    return [create_request(key, client_id, slot) for slot in slots]


# ---------------------------------------------------------------- storm


@dataclass(frozen=True)
class Existing:
    """An appointment inserted before the run (version 1), for reschedules and cancels."""

    id: uuid.UUID
    slot: Slot


@dataclass(frozen=True)
class StormPlan:
    existing: list[Existing]
    requests: list[HttpRequest]


def storm_plan(
    *, key: str, client_id: uuid.UUID, slots: Sequence[Slot], count: int, seed: int = 0
) -> StormPlan:
    """About 50% creates, 30% reschedules and 20% cancels, over `slots` (twice `count`).

    55% of `count` appointments exist beforehand on random slots (a margin over
    the half the mix needs); each is the target of at most one request, with
    version 1.
    """
    rng = random.Random(seed)
    taken = rng.sample(range(len(slots)), min(len(slots), count * 11 // 20))  # 55%: a margin
    existing = [Existing(uuid.UUID(int=rng.getrandbits(128), version=4), slots[i]) for i in taken]
    targets = iter(existing)
    requests = []
    for _ in range(count):
        roll = rng.random()
        slot = slots[rng.randrange(len(slots))]
        if roll < 0.5:
            requests.append(create_request(key, client_id, slot))
        elif roll < 0.8:
            requests.append(reschedule_request(key, next(targets).id, slot))
        else:
            requests.append(cancel_request(key, next(targets).id))
    return StormPlan(existing, requests)
