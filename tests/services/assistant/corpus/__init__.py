"""A corpus of realistic WhatsApp conversations and the outcomes a patient expects from them.

The data lives in `conversations.py`; `tests/services/assistant/test_corpus.py`
plays each conversation through the signed webhook and checks its
expectations. This module is the vocabulary both share: a conversation, the
client's messages, what the client already has on file, and the expectations.

Expectations are about outcomes (an appointment on a day, with a pet, a
handoff, an emergency question) rather than wording, except where the wording
is the point ("emergencia", never "no te entendí" for a thanks). Dates and
times are local to the clinic (America/Bogota); the clock is frozen on
Thursday 28 January 2027, 3:20 PM.
"""

from __future__ import annotations

from dataclasses import dataclass, field

COUNTRIES = ("CO", "PE", "CL", "MX", "AR")


# ---------------------------------------------------------------- what the client has on file


@dataclass(frozen=True)
class OnFile:
    """An appointment the client already has (confirmed), in the clinic's local time."""

    on: str  # "2027-02-02"
    at: str  # "10:00"
    reason: str
    pet: str | None = None


@dataclass(frozen=True)
class Known:
    """A number the clinic already knows: the client's name, pets and appointments."""

    name: str | None
    pets: tuple[tuple[str, str], ...] = ()  # (name, species)
    appointments: tuple[OnFile, ...] = ()


# ---------------------------------------------------------------- expectations


@dataclass(frozen=True)
class Booked:
    """Exactly one new live appointment, matching every detail given.

    `on` / `at` are the local date and time; `between` bounds the local start
    time (inclusive, "HH:MM"); `days` lists acceptable local dates; `not_at`
    lists local moments ("2027-01-28 16:30") it must not be at; `reason_has`
    is a word the reason contains (case and accents ignored).
    """

    on: str | None = None
    at: str | None = None
    between: tuple[str, str] | None = None
    days: tuple[str, ...] = ()
    not_at: tuple[str, ...] = ()
    pet: str | None = None
    reason_has: str | None = None


@dataclass(frozen=True)
class NotBooked:
    """No new appointment (emergency slots excepted)."""


@dataclass(frozen=True)
class Cancelled:
    """The appointments on file on these local dates are cancelled; the others are untouched."""

    days: tuple[str, ...]

    def __init__(self, *days: str) -> None:
        object.__setattr__(self, "days", days)


@dataclass(frozen=True)
class Moved:
    """The appointment on file on `source` now starts on `to` (or one of `days`), at `at` or
    within `between`; the others are untouched and nothing new is booked."""

    source: str
    to: str | None = None
    days: tuple[str, ...] = ()
    at: str | None = None
    between: tuple[str, str] | None = None


@dataclass(frozen=True)
class Unchanged:
    """Every appointment on file is still confirmed at its time."""


@dataclass(frozen=True)
class AsksEmergency:
    """A reply asks to confirm an emergency (it says "emergencia")."""


@dataclass(frozen=True)
class NoEmergency:
    """No reply speaks of an emergency."""


@dataclass(frozen=True)
class HandedOff:
    """The conversation is in the hands of the clinic's staff (`taken_over_at` set)."""


@dataclass(frozen=True)
class NotHandedOff:
    """The assistant still handles the conversation."""


@dataclass(frozen=True)
class Says:
    """A reply contains one of these texts (case and accents ignored)."""

    alternatives: tuple[str, ...]

    def __init__(self, *alternatives: str) -> None:
        object.__setattr__(self, "alternatives", alternatives)


@dataclass(frozen=True)
class DoesNotSay:
    """No reply contains any of these texts (case and accents ignored)."""

    texts: tuple[str, ...]

    def __init__(self, *texts: str) -> None:
        object.__setattr__(self, "texts", texts)


@dataclass(frozen=True)
class ClientName:
    """The name stored for the number (None: still unnamed)."""

    name: str | None


Expectation = (
    Booked
    | NotBooked
    | Cancelled
    | Moved
    | Unchanged
    | AsksEmergency
    | NoEmergency
    | HandedOff
    | NotHandedOff
    | Says
    | DoesNotSay
    | ClientName
)

NEVER_MISUNDERSTOOD = DoesNotSay("no te entendi", "no entendi")


# ---------------------------------------------------------------- messages and conversations


@dataclass(frozen=True)
class Msg:
    """One message of the client, with what must hold right after it (replies: this turn's).

    `media` is the content type of one attachment ("audio/ogg", "image/jpeg");
    `wait_minutes` is the pause before it is sent.
    """

    text: str
    expect: tuple[Expectation, ...] = ()
    media: str | None = None
    wait_minutes: float = 0


@dataclass(frozen=True)
class Conversation:
    """One chat: who writes, what they write, and what must hold at the end (replies: all)."""

    id: str
    category: str
    country: str
    says: tuple[str | Msg, ...]
    expect: tuple[Expectation, ...]
    known: Known | None = None
    profile: str | None = None  # the WhatsApp ProfileName, sent with every message
    known_gap: str | None = None  # why the assistant does not handle it yet (xfail, strict)
    notes: str = field(default="", compare=False)
