"""The conversation corpus, end to end: every chat through the signed webhook, on SQLite and
PostgreSQL, with the clock frozen on Thursday 28 January 2027, 3:20 PM in Bogotá.

Conversations the assistant does not handle yet carry `known_gap` and run as strict
xfails: when a fix makes one pass, the test fails until the mark is removed.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.models import Appointment, Client, Pet
from backend.services.actors import SYSTEM
from backend.services.patients import clients
from backend.services.scheduling import booking
from tests.chat import Chat, ClinicSetup
from tests.services.assistant.corpus import (
    AsksEmergency,
    Booked,
    Cancelled,
    ClientName,
    Conversation,
    DoesNotSay,
    Expectation,
    HandedOff,
    Known,
    Moved,
    Msg,
    NoEmergency,
    NotBooked,
    NotHandedOff,
    Says,
    Unchanged,
)
from tests.services.assistant.corpus.conversations import CORPUS
from tests.services.assistant.corpus.holdout import HOLDOUT
from tests.services.assistant.corpus.holdout2 import HOLDOUT2

ZONE = ZoneInfo("America/Bogota")
PHONES = {
    "CO": "+573001112233",
    "PE": "+51987654321",
    "CL": "+56987654321",
    "MX": "+525512345678",
    "AR": "+5491123456789",
}
TYPING = timedelta(seconds=30)
"""Between two messages of the client: replies keep their order and holds stay fresh."""
LEAKS = ("None", "{", "}")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _without_echo(reply: str) -> str:
    """A reply without the summary's line that repeats the client's reason ("📝 No es
    emergencia"): those are the client's words, not the assistant's."""
    return "\n".join(line for line in reply.splitlines() if not line.startswith("📝"))


def _local(on: str, at: str) -> datetime:
    return datetime.combine(date.fromisoformat(on), time.fromisoformat(at), ZONE)


@dataclass
class Run:
    """One conversation being played: the chat, what was on file, what happened."""

    conversation: Conversation
    chat: Chat
    clinic: ClinicSetup
    on_file: dict[uuid.UUID, datetime] = field(default_factory=dict)  # id → start on file
    replies: list[str] = field(default_factory=list)

    def appointments(self) -> list[Appointment]:
        with session_scope(read_only=True) as session:
            return list(
                session.exec(
                    select(Appointment).where(Appointment.tenant_id == self.clinic.tenant.id)
                ).all()
            )

    def new_appointments(self) -> list[Appointment]:
        return [
            a
            for a in self.appointments()
            if a.id not in self.on_file and a.status != "cancelled" and a.priority == "normal"
        ]

    def pet_name(self, pet_id: uuid.UUID | None) -> str | None:
        if pet_id is None:
            return None
        with session_scope(read_only=True) as session:
            pet = session.get(Pet, pet_id)
            return pet.name if pet else None

    def client(self) -> Client | None:
        with session_scope(read_only=True) as session:
            return session.exec(
                select(Client).where(
                    Client.tenant_id == self.clinic.tenant.id, Client.phone == self.chat.phone
                )
            ).first()


def _put_on_file(clinic: ClinicSetup, phone: str, known: Known) -> dict[uuid.UUID, datetime]:
    with session_scope(write=True) as session:
        client = clients.find_or_create(session, clinic.tenant, phone=phone, name=known.name)
        pets = {
            name: clients.add_pet(session, client, name=name, species=species)
            for name, species in known.pets
        }
        on_file = {}
        for item in known.appointments:
            start = _local(item.on, item.at)
            appointment = booking.create(
                session,
                tenant=clinic.tenant,
                actor=SYSTEM,
                data=booking.NewAppointment(
                    doctor_id=clinic.doctor.id,
                    client_id=client.id,
                    pet_id=pets[item.pet].id if item.pet else None,
                    start_at=start,
                    reason=item.reason,
                    status="confirmed",
                ),
            )
            on_file[appointment.id] = start
    return on_file


# ---------------------------------------------------------------- checks


def _when(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")


def _time_ok(moment: datetime, at: str | None, between: tuple[str, str] | None) -> bool:
    local = moment.astimezone(ZONE)
    if at is not None and local.strftime("%H:%M") != at:
        return False
    if between is not None:
        low, high = (time.fromisoformat(t) for t in between)
        return low <= local.time().replace(tzinfo=None) <= high
    return True


def _check_booked(run: Run, expected: Booked) -> str | None:
    found = run.new_appointments()
    if len(found) != 1:
        listed = [(_when(a.start_at), a.reason) for a in found]
        return f"expected one new appointment, found {len(found)}: {listed}"
    appointment = found[0]
    local = appointment.start_at.astimezone(ZONE)
    problems = []
    if expected.on is not None and local.date().isoformat() != expected.on:
        problems.append(f"on {local.date()} instead of {expected.on}")
    if expected.days and local.date().isoformat() not in expected.days:
        problems.append(f"on {local.date()}, not one of {expected.days}")
    if not _time_ok(appointment.start_at, expected.at, expected.between):
        problems.append(
            f"at {local:%H:%M} instead of {expected.at or 'between ' + str(expected.between)}"
        )
    if _when(appointment.start_at) in expected.not_at:
        problems.append(f"at {_when(appointment.start_at)}, one of the moments refused")
    if expected.pet is not None:
        pet = run.pet_name(appointment.pet_id)
        if pet != expected.pet:
            problems.append(f"for pet {pet!r} instead of {expected.pet!r}")
    if expected.reason_has is not None and _fold(expected.reason_has) not in _fold(
        appointment.reason or ""
    ):
        problems.append(f"reason {appointment.reason!r} lacks {expected.reason_has!r}")
    return "booked " + "; ".join(problems) if problems else None


def _moved_problem(expected: Moved, was: datetime, now: Appointment) -> str | None:
    local = now.start_at.astimezone(ZONE)
    day = local.date().isoformat()
    if now.status == "cancelled":
        return f"the appointment of {_when(was)} was cancelled, not moved"
    if now.start_at == was:
        return f"the appointment of {_when(was)} did not move"
    if (expected.to is not None and day != expected.to) or (
        expected.days and day not in expected.days
    ):
        return f"the appointment of {_when(was)} moved to {_when(now.start_at)}"
    if not _time_ok(now.start_at, expected.at, expected.between):
        return f"the appointment of {_when(was)} moved to {_when(now.start_at)} (time)"
    return None


def _check_on_file(
    run: Run, *, cancelled: tuple[str, ...] = (), moved: Moved | None = None
) -> str | None:
    """Cancelled / moved / unchanged: what became of the appointments on file."""
    current = {a.id: a for a in run.appointments()}
    targets = set(cancelled) | ({moved.source} if moved else set())
    matches = {i for i, start in run.on_file.items() if start.date().isoformat() in targets}
    if len(matches) != len(targets):
        return f"test data: the appointments on file do not match {sorted(targets)}"
    problems = []
    for appointment_id, was in run.on_file.items():
        now = current[appointment_id]
        if appointment_id not in matches:
            if now.status == "cancelled" or now.start_at != was:
                problems.append(
                    f"the appointment of {_when(was)} changed: {now.status} {_when(now.start_at)}"
                )
        elif moved is not None:
            problems.append(_moved_problem(moved, was, now) or "")
        elif now.status != "cancelled":
            problems.append(f"the appointment of {_when(was)} is {now.status}, not cancelled")
    if moved and run.new_appointments():
        problems.append("a new appointment was booked instead of moving the one on file")
    return "; ".join(p for p in problems if p) or None


def check(run: Run, expected: Expectation, replies: list[str]) -> str | None:
    """The failure, or None when the expectation holds (`replies`: the ones in scope)."""
    folded = [_fold(r) for r in replies]
    match expected:
        case Booked():
            return _check_booked(run, expected)
        case NotBooked():
            found = run.new_appointments()
            if found:
                return f"booked {[(_when(a.start_at), a.reason) for a in found]}, expected nothing"
        case Cancelled(days=days):
            return _check_on_file(run, cancelled=days)
        case Moved():
            return _check_on_file(run, moved=expected)
        case Unchanged():
            return _check_on_file(run)
        case AsksEmergency():
            if not any("emergencia" in r for r in folded):
                return "no reply asks to confirm an emergency"
        case NoEmergency():
            spoken = [_without_echo(r) for r in folded]
            if any("emergencia" in r for r in spoken):
                return "a reply treats it as an emergency"
        case HandedOff():
            if run.chat.conversation().taken_over_at is None:
                return "the conversation was not handed to staff"
        case NotHandedOff():
            if run.chat.conversation().taken_over_at is not None:
                return "the conversation was handed to staff"
        case Says(alternatives=alternatives):
            if not any(_fold(a) in r for a in alternatives for r in folded):
                return f"no reply says {' / '.join(repr(a) for a in alternatives)}"
        case DoesNotSay(texts=texts):
            said = [t for t in texts if any(_fold(t) in r for r in folded)]
            if said:
                return f"a reply says {said}"
        case ClientName(name=name):
            client = run.client()
            stored = client.name if client else None
            if stored != name:
                return f"the client's stored name is {stored!r}, expected {name!r}"
    return None


# ---------------------------------------------------------------- the test


def play(conversation: Conversation, chat: Chat, clinic: ClinicSetup) -> list[str]:
    """Plays the conversation; the failures found (empty when every expectation holds)."""
    run = Run(conversation=conversation, chat=chat, clinic=clinic)
    if conversation.known is not None:
        run.on_file = _put_on_file(clinic, chat.phone, conversation.known)
    failures = []
    for number, item in enumerate(conversation.says, start=1):
        message = item if isinstance(item, Msg) else Msg(item)
        clock.advance(TYPING + timedelta(minutes=message.wait_minutes))
        handed_off = _handed_off(chat)
        line = len(chat.transcript)
        turn = chat.send(
            message.text,
            profile_name=conversation.profile,
            media=["https://api.twilio.com/2010-04-01/media/ME1"] if message.media else None,
            media_type=message.media or "image/jpeg",
        )
        if message.media:  # the transcript shows what was attached
            chat.transcript[line] = f"CLIENTE: [{message.media}] {message.text}".rstrip()
        run.replies += turn
        where = f"after message {number} ({message.text!r})"
        if not turn and not handed_off:
            failures.append(f"{where}: no reply")
        leaked = [r for r in turn if any(leak in r for leak in LEAKS)]
        if leaked:
            failures.append(f"{where}: a reply leaks a template: {leaked}")
        for expected in message.expect:
            problem = check(run, expected, turn)
            if problem:
                failures.append(f"{where}: {problem}")
    for expected in conversation.expect:
        problem = check(run, expected, run.replies)
        if problem:
            failures.append(f"at the end: {problem}")
    return failures


def _handed_off(chat: Chat) -> bool:
    try:
        return chat.conversation().taken_over_at is not None
    except AssertionError:  # no conversation yet
        return False


def _params():
    for conversation in (*CORPUS, *HOLDOUT, *HOLDOUT2):
        marks = (
            [pytest.mark.xfail(strict=True, reason=conversation.known_gap)]
            if conversation.known_gap
            else []
        )
        yield pytest.param(conversation, id=conversation.id, marks=marks)


@pytest.mark.parametrize("conversation", list(_params()))
def test_conversation_meets_its_expectations(conversation: Conversation, http, clinic):
    # given
    chat = Chat(http=http, phone=PHONES[conversation.country])
    # when
    failures = play(conversation, chat, clinic)
    # then
    if failures:
        pytest.fail(
            f"{conversation.id} ({conversation.category}, {conversation.country}):\n  - "
            + "\n  - ".join(failures)
            + "\n\nTranscript:\n"
            + "\n".join(chat.transcript),
            pytrace=False,
        )


def test_corpus_is_well_formed():
    ids = [c.id for c in (*CORPUS, *HOLDOUT, *HOLDOUT2)]
    assert len(ids) == len(set(ids)), "conversation ids must be unique"
    assert len(CORPUS) >= 150
    for conversation in CORPUS:
        assert conversation.country in PHONES, conversation.id
        assert conversation.says and conversation.expect, conversation.id
    per_category: dict[str, int] = {}
    for conversation in CORPUS:
        per_category[conversation.category] = per_category.get(conversation.category, 0) + 1
    assert min(per_category.values()) >= 8, per_category
