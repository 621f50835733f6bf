"""Read models for the portal's client list: search, one client with pets, names by id.

Reads only, always scoped to one clinic; creating clients and pets stays in
`services.clients`. `search`, `client_card` and `client_with_phone` are whole
reads (their own unit of work); the others read in the caller's.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from backend.core.clock import utcnow
from backend.core.db import is_postgres, session_scope
from backend.domain.appointment_rules import Status
from backend.domain.search_terms import contains_pattern
from backend.domain.text import fold_accents
from backend.models import Appointment, Client, ClientPhone, Conversation, Pet
from backend.services.clinics.clinic_directory import get_clinic
from backend.services.patients import clients as client_records


@dataclass(frozen=True)
class ClientSummary:
    id: uuid.UUID
    name: str | None
    phone: str
    pets: list[str]
    appointments: int
    next_appointment: datetime | None
    last_visit: datetime | None
    false_emergency_count: int
    created_at: datetime
    no_shows: int = 0


def names_of(
    session: Session, tenant_id: uuid.UUID, client_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Client names by id (clients of other clinics are left out)."""
    ids = list(set(client_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(Client.id, Client.name).where(Client.tenant_id == tenant_id, col(Client.id).in_(ids))
    )
    return {client_id: name or "" for client_id, name in rows}


def _folded_like(column: Any, text: str) -> sa.ColumnElement[bool]:
    """`column` holds `text`, accents and capitals ignored (a trigram index on PostgreSQL)."""
    return func.vetassist_unaccent(func.lower(column)).like(
        func.vetassist_unaccent(contains_pattern(text)), escape="\\"
    )


def _candidates(tenant_id: uuid.UUID, words: list[str], digits: str) -> sa.ColumnElement[bool]:
    """A condition every matching client meets: its longest word in the client's or a
    pet's name, or the digits in the phone; on PostgreSQL each part is answered by a
    trigram index of migration 0011, so the clinic's other clients are never read."""
    longest = max(words, key=len) if words else ""
    parts = [
        select(Client.id).where(Client.tenant_id == tenant_id, _folded_like(Client.name, longest)),
        select(Pet.client_id).where(Pet.tenant_id == tenant_id, _folded_like(Pet.name, longest)),
    ]
    if len(digits) >= 3:
        parts.append(
            select(Client.id).where(
                Client.tenant_id == tenant_id,
                col(Client.phone).like(contains_pattern(digits), escape="\\"),
            )
        )
        parts.append(_other_phones_with(tenant_id, digits))
    return col(Client.id).in_(sa.union(*parts))


def _other_phones_with(tenant_id: uuid.UUID, digits: str) -> Any:
    """Clients with another number (a merged duplicate's) holding these digits; few rows,
    read through the (tenant_id, phone) unique index."""
    return select(ClientPhone.client_id).where(
        ClientPhone.tenant_id == tenant_id,
        col(ClientPhone.phone).like(contains_pattern(digits), escape="\\"),
    )


def _holds_every_word(
    tenant_id: uuid.UUID, words: list[str], digits: str
) -> sa.ColumnElement[bool]:
    """Each word in the client's name or one of its pets' names, or the digits in the
    phone: `search_clients`' meaning, in SQL."""
    every_word = sa.and_(
        *(
            sa.or_(
                _folded_like(Client.name, word),
                col(Client.id).in_(
                    select(Pet.client_id).where(
                        Pet.tenant_id == tenant_id, _folded_like(Pet.name, word)
                    )
                ),
            )
            for word in words
        )
    )
    if len(digits) < 3:
        return every_word
    return sa.or_(
        every_word,
        col(Client.phone).like(contains_pattern(digits), escape="\\"),
        col(Client.id).in_(_other_phones_with(tenant_id, digits)),
    )


def _by_name(session: Session, query: Any, limit: int) -> list[Client]:
    """The first clients of `query` by name, sorted by PostgreSQL (an index serves the
    whole clinic's list) or in Python on SQLite."""
    if not is_postgres(session.get_bind()):  # type: ignore[arg-type]
        return sorted(session.exec(query), key=_name_order)[:limit]
    folded = func.vetassist_unaccent(func.lower(Client.name)).collate("C")
    return list(
        session.exec(
            query.order_by(col(Client.name).is_(None), folded, col(Client.phone)).limit(limit)
        )
    )


def _name_order(client: Client) -> tuple[bool, str, str]:
    return (client.name is None, fold_accents((client.name or "").lower()), client.phone)


def _pets_of(
    session: Session, tenant_id: uuid.UUID, client_ids: list[uuid.UUID] | None
) -> dict[uuid.UUID, list[str]]:
    query = select(Pet.client_id, Pet.name).where(Pet.tenant_id == tenant_id)
    if client_ids is not None:
        query = query.where(col(Pet.client_id).in_(client_ids))
    pets: dict[uuid.UUID, list[str]] = {}
    for client_id, pet_name in session.exec(query.order_by(col(Pet.name))):
        pets.setdefault(client_id, []).append(pet_name)
    return pets


def search_clients(
    session: Session, tenant_id: uuid.UUID, query: str = "", *, limit: int = 60
) -> list[ClientSummary]:
    """The clinic's clients matching a name, pet name or phone digits (accents ignored).

    Every word must be in the client's or a pet's name (or the digits in the
    phone). PostgreSQL answers it through trigram indexes, so a clinic with tens
    of thousands of clients answers as fast as a small one; SQLite (one small
    clinic) folds every client in Python.
    """
    text = query.strip()
    everyone = select(Client).where(Client.tenant_id == tenant_id)
    digits = re.sub(r"\D", "", text)
    words = fold_accents(text.lower()).split()
    postgres = is_postgres(session.get_bind())  # type: ignore[arg-type]
    pets: dict[uuid.UUID, list[str]] | None = None  # every client's, when already read
    if not text:
        clients = _by_name(session, everyone, limit)
    elif postgres:
        found = everyone.where(
            _candidates(tenant_id, words, digits), _holds_every_word(tenant_id, words, digits)
        )
        clients = _by_name(session, found, limit)
    else:
        candidates = list(session.exec(everyone))
        pets = every_pet = _pets_of(session, tenant_id, None)
        by_other_phone = (
            set(session.exec(_other_phones_with(tenant_id, digits))) if len(digits) >= 3 else set()
        )

        def matches(client: Client) -> bool:
            if len(digits) >= 3 and (digits in client.phone or client.id in by_other_phone):
                return True
            names = " ".join([client.name or "", *every_pet.get(client.id, [])])
            haystack = fold_accents(names.lower())
            return bool(words) and all(word in haystack for word in words)

        clients = sorted((c for c in candidates if matches(c)), key=_name_order)[:limit]
    pets_by_client = (
        pets if pets is not None else _pets_of(session, tenant_id, [c.id for c in clients])
    )
    stats = _appointment_stats(session, tenant_id, [c.id for c in clients])
    return [
        ClientSummary(
            id=c.id,
            name=c.name,
            phone=c.phone,
            pets=pets_by_client.get(c.id, []),
            appointments=stats.get(c.id, (0, None, None, 0))[0],
            next_appointment=stats.get(c.id, (0, None, None, 0))[1],
            last_visit=stats.get(c.id, (0, None, None, 0))[2],
            false_emergency_count=c.false_emergency_count,
            created_at=c.created_at,
            no_shows=stats.get(c.id, (0, None, None, 0))[3],
        )
        for c in clients
    ]


def _appointment_stats(
    session: Session, tenant_id: uuid.UUID, client_ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, datetime | None, datetime | None, int]]:
    """(count of live appointments, next upcoming start, last completed start, no-shows)
    per client."""
    if not client_ids:
        return {}
    now = utcnow()
    live = Appointment.status != "cancelled"
    rows = session.exec(
        select(  # type: ignore[call-overload]
            Appointment.client_id,
            func.count(),
            func.min(
                sa.case((col(Appointment.start_at) >= now, col(Appointment.start_at)), else_=None)
            ),
            func.max(
                sa.case(
                    (col(Appointment.status) == "completed", col(Appointment.start_at)), else_=None
                )
            ),
            func.count(sa.case((col(Appointment.status) == Status.NO_SHOW, 1), else_=None)),
        )
        .where(Appointment.tenant_id == tenant_id, col(Appointment.client_id).in_(client_ids), live)
        .group_by(col(Appointment.client_id))
    )
    return {
        client_id: (count, nxt, last, no_shows) for client_id, count, nxt, last, no_shows in rows
    }


def no_shows_of(
    session: Session, tenant_id: uuid.UUID, client_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """How many appointments each client missed (clients without any are left out)."""
    ids = list(set(client_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(Appointment.client_id, func.count())
        .where(
            Appointment.tenant_id == tenant_id,
            col(Appointment.client_id).in_(ids),
            Appointment.status == Status.NO_SHOW,
        )
        .group_by(col(Appointment.client_id))
    )
    return {client_id: int(count) for client_id, count in rows}


def no_show_count(tenant_id: uuid.UUID, client_id: uuid.UUID) -> int:
    """`no_shows_of` one client, in its own read."""
    with session_scope(read_only=True) as session:
        return no_shows_of(session, tenant_id, [client_id]).get(client_id, 0)


def pets_by_id(
    session: Session, tenant_id: uuid.UUID, pet_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str | None]]:
    """(name, species) of pets by id (pets of other clinics are left out)."""
    ids = list(set(pet_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(Pet.id, Pet.name, Pet.species).where(
            Pet.tenant_id == tenant_id, col(Pet.id).in_(ids)
        )
    )
    return {pet_id: (name, species) for pet_id, name, species in rows}


def phones_of(
    session: Session, tenant_id: uuid.UUID, client_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Client phones (E.164) by id (clients of other clinics are left out)."""
    ids = list(set(client_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(Client.id, Client.phone).where(
            Client.tenant_id == tenant_id, col(Client.id).in_(ids)
        )
    )
    return {client_id: phone for client_id, phone in rows}


def search(tenant_id: uuid.UUID, query: str = "", *, limit: int = 60) -> list[ClientSummary]:
    """`search_clients` in its own read."""
    with session_scope(read_only=True) as session:
        return search_clients(session, tenant_id, query, limit=limit)


@dataclass(frozen=True)
class PetCard:
    name: str
    species: str | None
    breed: str | None
    id: uuid.UUID | None = None
    birth_date: date | None = None
    weight_kg: float | None = None


@dataclass(frozen=True)
class ConversationLine:
    id: uuid.UUID
    phone: str
    state: str
    is_open: bool
    started_at: datetime
    last_message_at: datetime
    preview: str | None


@dataclass(frozen=True)
class ClientCard:
    """One client with their pets (by name)."""

    id: uuid.UUID
    name: str | None
    phone: str
    email: str | None
    created_at: datetime
    false_emergency_count: int
    pets: list[PetCard]
    no_shows: int = 0
    other_phones: list[str] = field(default_factory=list)
    conversations: list[ConversationLine] = field(default_factory=list)


def _conversations(session: Session, client: Client, limit: int = 20) -> list[ConversationLine]:
    rows = session.exec(
        select(Conversation)
        .where(Conversation.tenant_id == client.tenant_id, Conversation.client_id == client.id)
        .order_by(col(Conversation.last_message_at).desc())
        .limit(limit)
    )
    return [
        ConversationLine(
            id=c.id,
            phone=c.client_phone,
            state=c.state,
            is_open=c.is_open,
            started_at=c.started_at,
            last_message_at=c.last_message_at,
            preview=c.last_message_preview,
        )
        for c in rows
    ]


def _other_phones(session: Session, client: Client) -> list[str]:
    return list(
        session.exec(
            select(ClientPhone.phone)
            .where(ClientPhone.client_id == client.id)
            .order_by(col(ClientPhone.created_at))
        )
    )


def _card(session: Session, client: Client) -> ClientCard:
    return ClientCard(
        id=client.id,
        name=client.name,
        phone=client.phone,
        email=client.email,
        created_at=client.created_at,
        false_emergency_count=client.false_emergency_count,
        pets=[
            PetCard(
                name=p.name,
                species=p.species,
                breed=p.breed,
                id=p.id,
                birth_date=p.birth_date,
                weight_kg=p.weight_kg,
            )
            for p in client_records.pets_of(session, client.id)
        ],
        no_shows=no_shows_of(session, client.tenant_id, [client.id]).get(client.id, 0),
        other_phones=_other_phones(session, client),
    )


def client_card(tenant_id: uuid.UUID, client_id: uuid.UUID) -> ClientCard:
    """One client of the clinic with their pets; NotFound for an unknown or foreign id."""
    with session_scope(read_only=True) as session:
        return _card(session, client_records.get_client(session, tenant_id, client_id))


def client_history(tenant_id: uuid.UUID, client_id: uuid.UUID) -> ClientCard:
    """`client_card` with the client's conversations too (newest first), for the client page."""
    with session_scope(read_only=True) as session:
        client = client_records.get_client(session, tenant_id, client_id)
        return replace(_card(session, client), conversations=_conversations(session, client))


def client_with_phone(tenant_id: uuid.UUID, phone: str) -> ClientCard | None:
    """The clinic's client with this phone (any way of writing it), or None.

    Raises:
        ValidationFailed: `phone` is not a phone number.
    """
    with session_scope(read_only=True) as session:
        tenant = get_clinic(session, tenant_id)
        client = client_records.find_by_phone(session, tenant, phone)
        return _card(session, client) if client is not None else None
