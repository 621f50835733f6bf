"""The three measured paths, each with its production app, its floor, its ceiling and
its requests.

- webhook: Twilio's inbound WhatsApp webhook in production mode (REDIS_URL set:
  signature, store, Celery enqueue; no worker runs, so this is the webhook
  alone) against `floors.webhook_floor_app` and `ceilings.webhook_app`.
- booking: POST /api/v1/appointments, every request a distinct free slot,
  against `floors.booking_floor_app` and `ceilings.booking_app`.
- storm: creates, reschedules and cancels mixed as `bench.bench_booking_storm`
  mixes them, with conflicts, against the same floor and ceiling; no two live
  appointments of a doctor may overlap afterwards.

Every app of a path meets the same database state and the same request files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.wrk import corpus
from bench.wrk.corpus import Existing, HttpRequest, Slot
from bench.wrk.data import Clinic

TOKEN = "bench-auth-token"
PUBLIC_BASE = "https://bench.vetassist.example"
QUEUE_URL = "redis://127.0.0.1:6379/12"  # a Redis database of its own, flushed afterwards


@dataclass(frozen=True)
class Sizes:
    """How many requests each corpus holds."""

    measured: int
    warm: int
    calibration: int = 200
    threads: int = 2


@dataclass
class Corpora:
    """The files wrk replays, the calibration's requests and the rows each run starts with."""

    measured: Path
    warm: Path
    calibration: dict[str, list[bytes]]  # kind -> raw requests, replayed one at a time
    calibration_warm: list[bytes]
    existing: list[Existing] = field(default_factory=list)


@dataclass(frozen=True)
class PathSpec:
    name: str
    title: str
    database: str
    doctors: int
    ours: str
    ceiling: str
    build: Callable[[Clinic, Sizes, Path], Corpora]
    max_rate: int  # requests/s the corpora are sized for: above it wrk wraps around
    checks_overlaps: bool = False
    floor: str | None = None  # the ceiling's work through ours' stack (`floors`), if any

    def apps(self) -> list[tuple[str, str]]:
        """(app, uvicorn target) in the order runs interleave: ours, floor, ceiling."""
        floor = [("floor", self.floor)] if self.floor else []
        return [("ours", self.ours), *floor, ("ceiling", self.ceiling)]


def _write(requests: list[HttpRequest], prefix: Path, threads: int) -> Path:
    corpus.write_corpus(requests, prefix, threads)
    return prefix


def _grouped(requests: list[HttpRequest]) -> dict[str, list[bytes]]:
    groups: dict[str, list[bytes]] = {}
    for request in requests:
        groups.setdefault(request.kind, []).append(request.raw())
    return groups


def build_webhook(clinic: Clinic, sizes: Sizes, folder: Path) -> Corpora:
    def signed(count: int, region: int) -> list[HttpRequest]:
        return corpus.webhook_requests(
            count=count,
            region=region,
            token=TOKEN,
            public_base=PUBLIC_BASE,
            clinic_number=clinic.whatsapp_number,
            seed=region,
        )

    calibration = signed(sizes.calibration + 20, 3)
    return Corpora(
        measured=_write(signed(sizes.measured, 1), folder / "webhook", sizes.threads),
        warm=_write(signed(sizes.warm, 2), folder / "webhook-warm", sizes.threads),
        calibration=_grouped(calibration[20:]),
        calibration_warm=[r.raw() for r in calibration[:20]],
    )


def first_bookable_day(clinic: Clinic) -> date:
    """The day after tomorrow, clinic time: past any minimum notice."""
    return datetime.now(ZoneInfo(clinic.timezone)).date() + timedelta(days=2)


def _slots(clinic: Clinic, count: int) -> list[Slot]:
    """`count` slots from the day after tomorrow on (clinic time), day by day."""
    days = corpus.open_days(
        first_bookable_day(clinic), corpus.days_holding(count, len(clinic.doctors))
    )
    return list(corpus.grid(clinic.doctors, clinic.timezone, days))[:count]


def build_booking(clinic: Clinic, sizes: Sizes, folder: Path) -> Corpora:
    slots = _slots(clinic, sizes.measured + sizes.warm + sizes.calibration + 20)
    creates = corpus.booking_requests(key=clinic.api_key, client_id=clinic.client_id, slots=slots)
    measured, rest = creates[: sizes.measured], creates[sizes.measured :]
    warm, calibration = rest[: sizes.warm], rest[sizes.warm :]
    return Corpora(
        measured=_write(measured, folder / "booking", sizes.threads),
        warm=_write(warm, folder / "booking-warm", sizes.threads),
        calibration=_grouped(calibration[20:]),
        calibration_warm=[r.raw() for r in calibration[:20]],
    )


def build_storm(clinic: Clinic, sizes: Sizes, folder: Path) -> Corpora:
    counts = (sizes.measured, sizes.warm, sizes.calibration + 20)
    slots = _slots(clinic, 2 * sum(counts))
    plans, start = [], 0
    for seed, count in enumerate(counts):
        region = slots[start : start + 2 * count]
        start += 2 * count
        plans.append(
            corpus.storm_plan(
                key=clinic.api_key, client_id=clinic.client_id, slots=region, count=count, seed=seed
            )
        )
    measured, warm, calibration = plans
    return Corpora(
        measured=_write(measured.requests, folder / "storm", sizes.threads),
        warm=_write(warm.requests, folder / "storm-warm", sizes.threads),
        calibration=_grouped(calibration.requests[20:]),
        calibration_warm=[r.raw() for r in calibration.requests[:20]],
        existing=measured.existing + warm.existing + calibration.existing,
    )


PATHS = {
    "webhook": PathSpec(
        name="webhook",
        title="WhatsApp webhook, POST /webhooks/whatsapp (production: store + Celery enqueue)",
        database="va_wrk_webhook",
        doctors=1,
        ours="backend.api.main:app",
        ceiling="bench.wrk.ceilings:webhook_app",
        build=build_webhook,
        max_rate=8000,
        floor="bench.wrk.floors:webhook_floor_app",
    ),
    "booking": PathSpec(
        name="booking",
        title="Booking create, POST /api/v1/appointments (a distinct free slot each)",
        database="va_wrk_booking",
        doctors=40,
        ours="backend.api.main:app",
        ceiling="bench.wrk.ceilings:booking_app",
        build=build_booking,
        max_rate=6000,
        floor="bench.wrk.floors:booking_floor_app",
    ),
    "storm": PathSpec(
        name="storm",
        title="Storm: 50% create, 30% reschedule, 20% cancel, with conflicts",
        database="va_wrk_storm",
        doctors=40,
        ours="backend.api.main:app",
        ceiling="bench.wrk.ceilings:booking_app",
        build=build_storm,
        max_rate=5000,
        checks_overlaps=True,
        floor="bench.wrk.floors:booking_floor_app",
    ),
}
