"""Chat-history search at scale (issue 15): is it still fast at a million messages?

Run: .venv/bin/python -m bench.bench_chat_search [--db postgres|sqlite] [--messages N]
     [--runs 15] [--reuse]

Builds one clinic with `--messages` WhatsApp messages (default 1,000,000 on
PostgreSQL, 200,000 on SQLite), 20 per conversation, about 2.5 conversations
per client, over two years; and a second small clinic with the same words (the
rare one in 200 of its 10,000 messages), so a search that leaked across
clinics, or scanned them, would show. Rows go in by plain SQL (INSERT ... SELECT over generate_series on
PostgreSQL, batched inserts on SQLite): the migrations' triggers, generated
columns and indexes build the search objects as they would in production.

Message bodies are Spanish chat lines drawn from a small vocabulary, so what
each search finds is known: "atropellado" is in exactly 20 of the clinic's
messages (the rare word), "vacunación" in about 7% (the common word, one line
in six typed without the accent), "perro" and "mañana" together in some.

Times the calls staff make, in-process as the API and the portal do, after
two warm-ups: `search_conversations` (word, capitals, accents, two words,
prefix, phone digits, client name, no filter, a later page), the portal's
`inbox`, and the client directory; next to them a naive `ILIKE '%word%'`
scan of the clinic's messages (`LIKE` on SQLite), the baseline the search
indexes must beat.
`--reuse` keeps a database built before (bringing its schema to the newest
migration). Prints a markdown table; not part of the test suite.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import select

from backend.core.clock import utcnow
from backend.core.config import PROJECT_ROOT
from backend.core.db import is_postgres, make_engine, session_scope, set_engine
from backend.core.heap import freeze_startup_objects
from backend.models import Tenant
from backend.models.types import JSONType, UTCDateTime
from backend.services import migrations
from backend.services.chats import conversations
from backend.services.patients import client_directory
from bench.setup_data import ADMIN_URL, fresh_postgres
from tests.factories import make_tenant

DB_NAME = "bench_chat_search"
SQLITE_PATH = Path(tempfile.gettempdir()) / "bench_chat_search.sqlite3"
WARMUPS = 2
PER_CONVERSATION = 20
HISTORY = timedelta(days=730)
RARE_WORD = "atropellado"
COMMON_WORD = "vacunación"

# Share of messages drawn from each kind of line; the rest are everyday lines.
COMMON_SHARE = 0.07
PAIR_SHARE = 0.03
GREETING_SHARE = 0.4
SECOND_LINE_SHARE = 0.3

FIRST_NAMES = [
    "María", "José", "Luis", "Ana", "Carlos", "Andrés", "Sofía", "Camila", "Juan",
    "Valentina", "Daniela", "Jorge", "Laura", "Sebastián", "Natalia", "Julián", "Paula",
    "Felipe", "Martín", "Lucía", "Óscar", "Ángela", "Héctor", "Mónica",
]  # fmt: skip
LAST_NAMES = [
    "Muñoz", "Gómez", "Rodríguez", "Martínez", "García", "López", "Hernández", "Díaz",
    "Pérez", "Sánchez", "Ramírez", "Torres", "Rojas", "Vargas", "Castro", "Ortiz",
    "Jiménez", "Moreno", "Ruiz", "Álvarez", "Romero", "Suárez", "Restrepo", "Cárdenas",
    "Peña",
]  # fmt: skip
GREETINGS = ["Hola", "Buenos días", "Buenas tardes", "Buenas noches", "Qué más", "Disculpe"]
INBOUND_LINES = [
    "mi perro no ha querido comer desde ayer",
    "¿tienen cita disponible para el sábado?",
    "la gata está vomitando desde anoche",
    "¿cuánto cuesta la cirugía de esterilización?",
    "¿a qué hora abren mañana?",
    "le salió una bolita en la pata de atrás",
    "se rasca mucho las orejas y le huelen feo",
    "¿cuándo le quitan los puntos de la cirugía?",
    "está muy decaído y no quiere salir",
    "¿pueden atenderlo hoy en la tarde?",
    "necesito la fórmula que le mandó la doctora",
    "el gato está estornudando mucho",
    "mi perro cojea de la pata trasera",
    "ya le di la pastilla, gracias",
    "gracias, nos vemos mañana",
    "¿el baño incluye corte de uñas?",
    "perdón la hora, es que está temblando",
    "sí, a las 3 está bien",
    "la perrita está en celo, ¿qué hago?",
    "¿me pueden mandar la dirección?",
    "no puedo ir, ¿la podemos cambiar para el lunes?",
    "Firulais ya está mejor, muchas gracias",
]
OUTBOUND_LINES = [
    "Con gusto, ¿para qué mascota es la cita?",
    "Tenemos disponibilidad el jueves a las 10:00 o a las 15:30.",
    "Listo, su cita quedó confirmada. Le enviaremos un recordatorio el día anterior.",
    "¿Me indica el nombre de su mascota, por favor?",
    "Si está muy decaído le recomendamos traerlo hoy mismo.",
    "Nuestro horario es de lunes a sábado de 8:00 a 18:00.",
    "Gracias por escribirnos. ¿En qué le podemos ayudar?",
    "La revisión después de la cirugía es a los ocho días.",
    "Le recordamos su cita de mañana a las 9:00.",
    "La doctora Gómez lo puede ver a las 4:00 p. m.",
    "Por favor traiga el carné de la mascota.",
    "¿Cómo sigue su mascota después de la consulta?",
    "Un momento, por favor, le comunico con el equipo.",
]
COMMON_LINES = [
    "¿cuándo le toca la vacunación al cachorro?",
    "quiero agendar la vacunación anual de mi gata",
    "Le recordamos que la vacunación de su mascota está pendiente este mes.",
    "¿la vacunación de la rabia tiene costo?",
    "ya le pusieron la vacunacion de la rabia?",
    "¿Desea agendar la vacunación para esta semana?",
]
PAIR_LINES = [
    "¿puedo llevar a mi perro mañana temprano?",
    "mañana le llevo el perro para el baño",
    "Claro, el perro puede venir mañana a las 9:00.",
    "el perro amaneció mejor, mañana les cuento",
]
RARE_LINES = [
    "mi perro fue atropellado hace un rato, ¿lo pueden ver ya?",
    "un carro dejó atropellado al gato del vecino, ¿qué hacemos?",
    "El paciente atropellado ya está estable en observación.",
]


@dataclass(frozen=True)
class Shape:
    """One clinic's data: sizes, and which messages carry the rare word."""

    slug: str
    whatsapp: str
    messages: int
    clients: int
    rare: int
    phone_base: int

    @property
    def conversations(self) -> int:
        return self.messages // PER_CONVERSATION

    @property
    def rare_every(self) -> int:
        """Message `i` (0-based, in conversation order) has the rare word when
        `i % rare_every == rare_offset`: exactly `rare` messages, each in its own conversation."""
        return self.messages // self.rare

    @property
    def rare_offset(self) -> int:
        return self.rare_every // 3

    @property
    def open_conversations(self) -> int:
        return min(200, self.clients // 2)


def main_shape(messages: int) -> Shape:
    conversation_count = max(messages // PER_CONVERSATION, 20)
    return Shape(
        slug="bench-main",
        whatsapp="+14155550100",
        messages=conversation_count * PER_CONVERSATION,
        clients=max(conversation_count * 2 // 5, 200),
        rare=20,
        phone_base=10_000_000,
    )


OTHER_CLINIC = Shape(
    slug="bench-other",
    whatsapp="+14155550177",
    messages=10_000,
    clients=200,
    rare=200,
    phone_base=55_000_000,
)

CLIENT_TABLE = sa.table(
    "client",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("phone", sa.String()),
    sa.column("name", sa.String()),
    sa.column("false_emergency_count", sa.Integer()),
    sa.column("emergency_access_revoked", sa.Boolean()),
    sa.column("created_at", UTCDateTime()),
)
CONVERSATION_TABLE = sa.table(
    "conversation",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("client_id", sa.Uuid()),
    sa.column("client_phone", sa.String()),
    sa.column("channel", sa.String()),
    sa.column("type", sa.String()),
    sa.column("state", sa.String()),
    sa.column("state_data", JSONType),
    sa.column("last_state_change", UTCDateTime()),
    sa.column("is_open", sa.Boolean()),
    sa.column("started_at", UTCDateTime()),
    sa.column("closed_at", UTCDateTime()),
    sa.column("last_message_at", UTCDateTime()),
    sa.column("last_inbound_at", UTCDateTime()),
)
MESSAGE_TABLE = sa.table(
    "message",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("conversation_id", sa.Uuid()),
    sa.column("direction", sa.String()),
    sa.column("author", sa.String()),
    sa.column("from_phone", sa.String()),
    sa.column("to_phone", sa.String()),
    sa.column("body", sa.Text()),
    sa.column("media", JSONType),
    sa.column("provider_sid", sa.String()),
    sa.column("status", sa.String()),
    sa.column("attempts", sa.Integer()),
    sa.column("processed_at", UTCDateTime()),
    sa.column("created_at", UTCDateTime()),
    sa.column("status_updated_at", UTCDateTime()),
)

# The same message mix as `message_body`, drawn by PostgreSQL itself.
PG_MESSAGES = sa.text("""
INSERT INTO message (id, tenant_id, conversation_id, direction, author, from_phone, to_phone,
                     body, media, provider_sid, status, attempts, processed_at, created_at,
                     status_updated_at)
SELECT gen_random_uuid(), :tenant, g.id,
       CASE WHEN g.inbound THEN 'inbound' ELSE 'outbound' END,
       CASE WHEN g.inbound THEN 'client' ELSE 'assistant' END,
       CASE WHEN g.inbound THEN g.client_phone ELSE :clinic_phone END,
       CASE WHEN g.inbound THEN :clinic_phone ELSE g.client_phone END,
       CASE
         WHEN g.i % :rare_every = :rare_offset THEN v.rare[1 + g.k1 % cardinality(v.rare)]
         WHEN g.u < :common_below THEN v.common[1 + g.k1 % cardinality(v.common)]
         WHEN g.u < :pair_below THEN v.pair[1 + g.k1 % cardinality(v.pair)]
         WHEN NOT g.inbound THEN v.outbound[1 + g.k1 % cardinality(v.outbound)]
         ELSE CASE WHEN g.u2 < :greeting_share
                   THEN v.greetings[1 + g.k2 % cardinality(v.greetings)] || ', ' ELSE '' END
              || v.inbound[1 + g.k1 % cardinality(v.inbound)]
              || CASE WHEN g.u3 < :second_share
                      THEN ' ' || v.inbound[1 + g.k3 % cardinality(v.inbound)] ELSE '' END
       END,
       '[]'::jsonb, 'SM' || md5(g.id::text || g.p),
       CASE WHEN g.inbound THEN 'received' ELSE 'read' END,
       CASE WHEN g.inbound THEN 0 ELSE 1 END,
       CASE WHEN g.inbound THEN g.created_at + interval '2 seconds' END,
       g.created_at,
       CASE WHEN g.inbound THEN NULL ELSE g.created_at + interval '5 seconds' END
FROM (
    SELECT c.id, c.client_phone, p, (c.j - 1) * :per_conversation + p AS i, p % 2 = 0 AS inbound,
           c.started_at + (c.last_message_at - c.started_at) * (p::float / (:per_conversation - 1))
               AS created_at,
           random() AS u, random() AS u2, random() AS u3,
           floor(random() * 1e9)::int AS k1, floor(random() * 1e9)::int AS k2,
           floor(random() * 1e9)::int AS k3
    FROM (SELECT id, client_phone, started_at, last_message_at,
                 row_number() OVER (ORDER BY last_message_at, id) AS j
          FROM conversation WHERE tenant_id = :tenant) AS c
    CROSS JOIN generate_series(0, :per_conversation - 1) AS p
) AS g
CROSS JOIN (
    SELECT CAST(:rare AS text[]) AS rare, CAST(:common AS text[]) AS common,
           CAST(:pair AS text[]) AS pair, CAST(:outbound AS text[]) AS outbound,
           CAST(:inbound AS text[]) AS inbound, CAST(:greetings AS text[]) AS greetings
) AS v
""").bindparams(sa.bindparam("tenant", type_=sa.Uuid()))

SET_PREVIEWS = sa.text("""
UPDATE conversation SET last_message_preview = substr(
    (SELECT body FROM message WHERE message.conversation_id = conversation.id
     ORDER BY created_at DESC LIMIT 1), 1, 200)
WHERE tenant_id = :tenant
""").bindparams(sa.bindparam("tenant", type_=sa.Uuid()))


# --- data ---------------------------------------------------------------------------------


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def plan_clients(
    rng: random.Random, tenant_id: uuid.UUID, shape: Shape, now: datetime
) -> list[dict[str, Any]]:
    """Clients with Spanish names (one in twenty unnamed) and unique +5730 phones."""
    clients = []
    for k in range(shape.clients):
        names = [rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), rng.choice(LAST_NAMES)]
        # 7919 is prime to 10**8: every k gets its own eight digits.
        digits = (shape.phone_base + k * 7919) % 100_000_000
        clients.append(
            {
                "id": _uuid(rng),
                "tenant_id": tenant_id,
                "phone": f"+5730{digits:08d}",
                "name": None if rng.random() < 0.05 else " ".join(names),
                "false_emergency_count": 0,
                "emergency_access_revoked": False,
                "created_at": now - HISTORY - timedelta(days=rng.uniform(0, 365)),
            }
        )
    return clients


def plan_conversations(
    rng: random.Random,
    tenant_id: uuid.UUID,
    shape: Shape,
    clients: list[dict[str, Any]],
    now: datetime,
) -> list[dict[str, Any]]:
    """Conversations oldest first, spread over two years; only the newest few are open.

    Conversation `j` belongs to client `j % clients`, so the open ones (the
    newest, consecutive) belong to different phones, as the schema requires.
    """
    count = shape.conversations
    step = HISTORY / count
    rows = []
    for j in range(count):
        last_at = now - step * (count - 1 - j) - step * rng.random()
        started_at = last_at - timedelta(minutes=rng.uniform(3, 2 * 24 * 60))
        is_open = j >= count - shape.open_conversations
        kind = rng.random()
        client = clients[j % len(clients)]
        rows.append(
            {
                "id": _uuid(rng),
                "tenant_id": tenant_id,
                "client_id": client["id"],
                "client_phone": client["phone"],
                "channel": "whatsapp",
                "type": "inbound" if kind < 0.9 else "reminder" if kind < 0.97 else "follow_up",
                "state": "IDLE" if is_open else "CLOSED",
                "state_data": {},
                "last_state_change": last_at,
                "is_open": is_open,
                "started_at": started_at,
                "closed_at": None if is_open else last_at + timedelta(minutes=30),
                "last_message_at": last_at,
                "last_inbound_at": last_at - (last_at - started_at) / (PER_CONVERSATION - 1),
            }
        )
    return rows


def message_body(rng: random.Random, i: int, inbound: bool, shape: Shape) -> str:
    """The text of message `i`: the rare line where due, else a line drawn by share."""
    if i % shape.rare_every == shape.rare_offset:
        return rng.choice(RARE_LINES)
    u = rng.random()
    if u < COMMON_SHARE:
        return rng.choice(COMMON_LINES)
    if u < COMMON_SHARE + PAIR_SHARE:
        return rng.choice(PAIR_LINES)
    if not inbound:
        return rng.choice(OUTBOUND_LINES)
    line = rng.choice(INBOUND_LINES)
    if rng.random() < GREETING_SHARE:
        line = f"{rng.choice(GREETINGS)}, {line}"
    if rng.random() < SECOND_LINE_SHARE:
        line = f"{line} {rng.choice(INBOUND_LINES)}"
    return line


def plan_messages(
    rng: random.Random,
    tenant_id: uuid.UUID,
    shape: Shape,
    conversation_rows: list[dict[str, Any]],
    clinic_phone: str,
) -> Iterator[dict[str, Any]]:
    """`PER_CONVERSATION` messages per conversation, client and assistant in turn."""
    for j, conversation in enumerate(conversation_rows):
        started, last = conversation["started_at"], conversation["last_message_at"]
        for p in range(PER_CONVERSATION):
            inbound = p % 2 == 0
            created = started + (last - started) * p / (PER_CONVERSATION - 1)
            phones = (conversation["client_phone"], clinic_phone)
            message_id = _uuid(rng)
            yield {
                "id": message_id,
                "tenant_id": tenant_id,
                "conversation_id": conversation["id"],
                "direction": "inbound" if inbound else "outbound",
                "author": "client" if inbound else "assistant",
                "from_phone": phones[0] if inbound else phones[1],
                "to_phone": phones[1] if inbound else phones[0],
                "body": message_body(rng, j * PER_CONVERSATION + p, inbound, shape),
                "media": [],
                "provider_sid": "SM" + message_id.hex,
                "status": "received" if inbound else "read",
                "attempts": 0 if inbound else 1,
                "processed_at": created + timedelta(seconds=2) if inbound else None,
                "created_at": created,
                "status_updated_at": None if inbound else created + timedelta(seconds=5),
            }


def insert_rows(
    conn: Connection, table: sa.TableClause, rows: Iterable[dict[str, Any]], batch: int = 5000
) -> None:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == batch:
            conn.execute(sa.insert(table), chunk)
            chunk = []
    if chunk:
        conn.execute(sa.insert(table), chunk)


def pg_message_params(tenant: Tenant, shape: Shape) -> dict[str, Any]:
    return {
        "tenant": tenant.id,
        "clinic_phone": tenant.whatsapp_numbers[0],
        "per_conversation": PER_CONVERSATION,
        "rare_every": shape.rare_every,
        "rare_offset": shape.rare_offset,
        "common_below": COMMON_SHARE,
        "pair_below": COMMON_SHARE + PAIR_SHARE,
        "greeting_share": GREETING_SHARE,
        "second_share": SECOND_LINE_SHARE,
        "rare": RARE_LINES,
        "common": COMMON_LINES,
        "pair": PAIR_LINES,
        "outbound": OUTBOUND_LINES,
        "inbound": INBOUND_LINES,
        "greetings": GREETINGS,
    }


def load_clinic(engine: Engine, tenant: Tenant, shape: Shape, seed: int) -> None:
    """Clients, conversations and messages of one clinic, in one transaction."""
    rng = random.Random(seed)
    now = utcnow()
    clients = plan_clients(rng, tenant.id, shape, now)
    conversation_rows = plan_conversations(rng, tenant.id, shape, clients, now)
    with engine.begin() as conn:
        insert_rows(conn, CLIENT_TABLE, clients)
        insert_rows(conn, CONVERSATION_TABLE, conversation_rows)
        if is_postgres(engine):
            conn.execute(sa.text("SELECT setseed(:seed)"), {"seed": (seed % 1000) / 1000})
            conn.execute(PG_MESSAGES, pg_message_params(tenant, shape))
        else:
            messages = plan_messages(
                rng, tenant.id, shape, conversation_rows, tenant.whatsapp_numbers[0]
            )
            insert_rows(conn, MESSAGE_TABLE, messages)
        conn.execute(SET_PREVIEWS, {"tenant": tenant.id})


def refresh_statistics(engine: Engine) -> None:
    """What a live database has after a bulk load: fresh planner statistics (and, on
    PostgreSQL, a vacuumed table whose visibility map allows index-only scans)."""
    if not is_postgres(engine):
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))


def create_clinic(shape: Shape) -> Tenant:
    with session_scope(write=True) as session:
        return make_tenant(session, slug=shape.slug, whatsapp=shape.whatsapp)


def find_clinic(slug: str) -> Tenant | None:
    with session_scope(read_only=True) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == slug)).first()
        if tenant is not None:
            session.expunge(tenant)
        return tenant


def build(engine: Engine, shapes: list[Shape]) -> list[Tenant]:
    tenants = [create_clinic(shape) for shape in shapes]
    for seed, (tenant, shape) in enumerate(zip(tenants, shapes, strict=True), start=1):
        load_clinic(engine, tenant, shape, seed)
    refresh_statistics(engine)
    return tenants


# --- databases ----------------------------------------------------------------------------


def postgres_url() -> str:
    return make_url(ADMIN_URL).set(database=DB_NAME).render_as_string(hide_password=False)


def postgres_exists() -> bool:
    admin = sa.create_engine(make_url(ADMIN_URL))
    try:
        with admin.connect() as conn:
            found = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": DB_NAME}
            ).first()
        return found is not None
    finally:
        admin.dispose()


def existing_clinics(shapes: list[Shape]) -> list[Tenant] | None:
    """The clinics an earlier run built, or None when the database lacks any of them."""
    found = [find_clinic(shape.slug) for shape in shapes]
    tenants = [tenant for tenant in found if tenant is not None]
    return tenants if len(tenants) == len(shapes) else None


def open_database(db: str, reuse: bool, shapes: list[Shape]) -> tuple[Engine, list[Tenant] | None]:
    """The benchmark's database (set as the backend's), with the clinics already in it
    when `reuse` finds them; otherwise a fresh, migrated, empty database."""
    if db == "postgres":
        if reuse and postgres_exists():
            engine = make_engine(postgres_url())
            set_engine(engine)
            migrations.upgrade(engine)
            return engine, existing_clinics(shapes)
        return fresh_postgres(DB_NAME), None
    if reuse and SQLITE_PATH.exists():
        engine = make_engine(f"sqlite:///{SQLITE_PATH}")
        set_engine(engine)
        migrations.upgrade(engine)
        return engine, existing_clinics(shapes)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{SQLITE_PATH}")
    migrations.upgrade(engine)
    set_engine(engine)
    return engine, None


def describe_database(engine: Engine) -> str:
    with engine.connect() as conn:
        revision = ", ".join(
            conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
        )
        if is_postgres(engine):
            version = conn.execute(sa.text("SHOW server_version")).scalar()
            return f"PostgreSQL {version}, database {DB_NAME} (schema at migration {revision})"
    return f"SQLite {sqlite3.sqlite_version}, {SQLITE_PATH} (schema at migration {revision})"


def code_state() -> str:
    """The commit, and the uncommitted files of `backend/` and `alembic/`, the numbers
    were taken with (the search code changes while issue 15 is worked on)."""
    git = ["git", "-C", str(PROJECT_ROOT)]
    try:
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            [*git, "status", "--porcelain", "--", "backend", "alembic"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    changed = [line[3:] for line in status.splitlines()]
    return f"commit {head}" + (f" + uncommitted: {', '.join(changed)}" if changed else "")


def row_counts(engine: Engine, tenant: Tenant) -> str:
    with engine.connect() as conn:
        counts = [
            conn.execute(
                sa.text(f"SELECT count(*) FROM {table} WHERE tenant_id = :tenant").bindparams(
                    sa.bindparam("tenant", tenant.id, type_=sa.Uuid())
                )
            ).scalar_one()
            for table in ("client", "conversation", "message")
        ]
    return "{:,} clients, {:,} conversations, {:,} messages".format(*counts)


# --- timing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One timed call: `run` returns what it found, as the table shows it."""

    label: str
    run: Callable[[], str]
    versus: str | None = None  # label of the naive scan it is compared with


@dataclass(frozen=True)
class Timing:
    label: str
    p50: float
    p95: float
    found: str
    versus: str | None


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (with 15 runs, p95 is the second slowest)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def time_case(case: Case, runs: int) -> Timing:
    """Two warm-ups, then `runs` timed calls; a failing call is reported, not raised,
    so the table still comes out while the search code is being changed."""
    samples: list[float] = []
    found = ""
    try:
        for _ in range(WARMUPS):
            case.run()
        for _ in range(runs):
            start = time.perf_counter()
            found = case.run()
            samples.append((time.perf_counter() - start) * 1000)
    except Exception as error:  # whatever the code under test raises goes in the table
        first_line = (str(error).splitlines() or [""])[0][:120]
        return Timing(
            case.label, math.nan, math.nan, f"error: {type(error).__name__}: {first_line}", None
        )
    return Timing(case.label, percentile(samples, 50), percentile(samples, 95), found, case.versus)


def search_found(tenant: Tenant, **filters: Any) -> str:
    """`search_conversations` as the API calls it; accepts both the `(rows, total)` it
    returned before issue 15 and the page (`rows`, `total`, `total_exact`) after. A
    total that is not exact is a lower bound."""
    result = conversations.search_conversations(tenant=tenant, limit=50, **filters)
    if isinstance(result, tuple):
        rows, total = result
        exact = True
    else:
        rows, total, exact = result.rows, result.total, result.total_exact
    return f"{'' if exact else '≥ '}{total:,}, {len(rows)} on the page"


def search_shape(tenant: Tenant) -> str:
    result = conversations.search_conversations(tenant=tenant, limit=1)
    return "(rows, total)" if isinstance(result, tuple) else "page (rows, total, total_exact)"


def naive_operator() -> str:
    """Case-insensitive substring match: ILIKE, or LIKE (ASCII case only) on SQLite."""
    return "ILIKE" if is_postgres() else "LIKE"


def naive_found(tenant_id: uuid.UUID, word: str) -> str:
    """The clinic's conversations with a message containing `word`, by scanning bodies."""
    with session_scope(read_only=True) as session:
        query = sa.text(
            f"SELECT DISTINCT conversation_id FROM message "
            f"WHERE tenant_id = :tenant AND body {naive_operator()} :pattern"
        ).bindparams(sa.bindparam("tenant", tenant_id, type_=sa.Uuid()))
        found = session.execute(query, {"pattern": f"%{word}%"}).all()
    return f"{len(found):,}"


def inbox_found(tenant_id: uuid.UUID, text: str) -> str:
    return f"{len(conversations.inbox(tenant_id, text, limit=60))} listed"


def directory_found(tenant_id: uuid.UUID, text: str) -> str:
    return f"{len(client_directory.search(tenant_id, text))} listed"


def existing_phone_digits(engine: Engine, tenant: Tenant) -> str:
    """Six digits from the middle of one client's phone, as staff would type them."""
    with engine.connect() as conn:
        phone = conn.execute(
            sa.text(
                "SELECT phone FROM client WHERE tenant_id = :tenant ORDER BY phone LIMIT 1 "
                "OFFSET (SELECT count(*) / 2 FROM client WHERE tenant_id = :tenant)"
            ).bindparams(sa.bindparam("tenant", tenant.id, type_=sa.Uuid()))
        ).scalar_one()
    return phone[-8:-2]


def cases(tenant: Tenant, phone_digits: str) -> list[Case]:
    naive_rare = f"naive scan: body {naive_operator()} '%{RARE_WORD}%'"
    naive_common = f"naive scan: body {naive_operator()} '%{COMMON_WORD}%'"
    tid = tenant.id
    return [
        Case(f"q={RARE_WORD} (rare word)", lambda: search_found(tenant, q=RARE_WORD), naive_rare),
        Case("q=ATROPELLADO (capitals)", lambda: search_found(tenant, q=RARE_WORD.upper())),
        Case(
            f"q={COMMON_WORD} (common word)",
            lambda: search_found(tenant, q=COMMON_WORD),
            naive_common,
        ),
        Case("q=vacunacion (no accent)", lambda: search_found(tenant, q="vacunacion")),
        Case("q=perro mañana (two words)", lambda: search_found(tenant, q="perro mañana")),
        Case("q=atropell (prefix)", lambda: search_found(tenant, q="atropell")),
        Case(f"phone={phone_digits}", lambda: search_found(tenant, phone=phone_digits)),
        Case("client_name=muñoz", lambda: search_found(tenant, client_name="muñoz")),
        Case("no filter, first page", lambda: search_found(tenant)),
        Case(
            f"q={COMMON_WORD}, page 3 (offset=100)",
            lambda: search_found(tenant, q=COMMON_WORD, offset=100),
        ),
        Case(f"inbox: {RARE_WORD}", lambda: inbox_found(tid, RARE_WORD)),
        Case(f"inbox: {COMMON_WORD}", lambda: inbox_found(tid, COMMON_WORD)),
        Case("inbox: muñoz", lambda: inbox_found(tid, "muñoz")),
        Case(naive_rare, lambda: naive_found(tid, RARE_WORD)),
        Case(naive_common, lambda: naive_found(tid, COMMON_WORD)),
        Case("client directory: muñoz", lambda: directory_found(tid, "muñoz")),
        Case("client directory: first page", lambda: directory_found(tid, "")),
    ]


# --- report -------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.1f}"


def table(timings: list[Timing]) -> str:
    by_label = {t.label: t for t in timings}
    lines = [
        "| search | p50 ms | p95 ms | results | × faster than naive |",
        "|---|---:|---:|---|---:|",
    ]
    for t in timings:
        naive = by_label.get(t.versus) if t.versus else None
        comparable = naive and not math.isnan(naive.p50) and t.p50 > 0
        ratio = naive.p50 / t.p50 if naive and comparable else None
        speedup = "" if ratio is None else f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"
        lines.append(f"| {t.label} | {_ms(t.p50)} | {_ms(t.p95)} | {t.found} | {speedup} |")
    return "\n".join(lines)


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument(
        "--messages", type=int, help="messages of the big clinic (1,000,000; SQLite 200,000)"
    )
    parser.add_argument("--runs", type=int, default=15, help="timed calls per search")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the data of an earlier run (its size wins over --messages)",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    messages = args.messages or (1_000_000 if args.db == "postgres" else 200_000)
    shapes = [main_shape(messages), OTHER_CLINIC]

    started = time.perf_counter()
    engine, tenants = open_database(args.db, args.reuse, shapes)
    if tenants is None:
        print(
            f"building {shapes[0].messages:,} + {shapes[1].messages:,} messages…", file=sys.stderr
        )
        tenants = build(engine, shapes)
        data_note = f"built in {time.perf_counter() - started:.0f} s (migrations included)"
    else:
        data_note = "reused from an earlier run"
    tenant, other = tenants

    freeze_startup_objects()  # as the portal and the workers do once started
    load_before = _load()
    timings = [
        time_case(case, args.runs) for case in cases(tenant, existing_phone_digits(engine, tenant))
    ]
    print(f"\n`python -m bench.bench_chat_search {' '.join(sys.argv[1:])}`".rstrip())
    print(f"- when: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"- database: {describe_database(engine)}")
    print(f"- code: {code_state()}")
    print(f"- search_conversations returns: {search_shape(tenant)}")
    print(f"- clinic: {row_counts(engine, tenant)}; other clinic: {row_counts(engine, other)}")
    print(f"- data: {data_note}")
    print(f"- load average (1, 5, 15 min): {load_before} before, {_load()} after")
    print(f"- {args.runs} timed runs per search after {WARMUPS} warm-ups\n")
    print(table(timings))
    engine.dispose()


if __name__ == "__main__":
    main()
