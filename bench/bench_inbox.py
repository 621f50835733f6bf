"""The inbox at 100,000 conversations and 1,000,000 messages (issue 14, item 7).

Run: .venv/bin/python -m bench.bench_inbox [--conversations 100000] [--per-conversation 10]
     [--runs 30] [--reuse]

Builds, on the local PostgreSQL, one clinic with `--conversations` conversations
over two years and `--per-conversation` messages each (rows by INSERT … SELECT
over generate_series, so the migrations' generated search column and indexes
are built as in production). 1 in 50 conversations is open; of the open ones
1 in 10 is in an emergency state and 1 in 5 taken over by staff; 1 in 8
conversations is assigned to one of five staff members; the staff member
reading the list has read half of the open conversations. Message bodies come
from a small set of Spanish lines, each with a reference number (a long tail of
rare words, which the planner's word statistics need to tell a rare word from a
common one); "atropellado" is in 1 message of 5,000.

Times, in-process as the portal calls them, after two warm-ups, the p50 and
p95 of `--runs` calls: the first page of the list (with and without every
filter's count), a next page (keyset, from cursors spread over the whole
list), a page 1,000 rows deep, each filter's first page, the counts alone,
and searches ("atropello": rare, found by its stem; "vacuna": common; a
client's phone digits). Prints a markdown table and the plans of the first
and of a deep page (which index they read). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import col, select

from backend.core import db as core_db
from backend.core.db import session_scope
from backend.models import StaffUser, Tenant
from backend.services import migrations
from backend.services.chats import conversations, inbox
from backend.services.chats.search import list_conversations
from bench.setup_data import ADMIN_URL, fresh_postgres
from tests.factories import make_doctor, make_tenant

DB_NAME = "bench_inbox"
WARMUPS = 2
PHONE_DIGITS = str(3000000000 + 48271)[-7:]  # client 1's last seven digits
STAFF = 5

BODIES = [
    "Hola, buenos días",
    "Quiero agendar una cita para mi perro",
    "¿Tienen vacunación para gatos esta semana?",
    "Gracias, nos vemos mañana",
    "Mi perra no quiere comer desde ayer",
    "¿A qué hora abren el sábado?",
    "Listo, confirmo la cita",
    "Le escribo por el control de Toby",
    "¿Cuánto cuesta la consulta?",
    "Perfecto, muchas gracias",
]

CLIENTS = """
INSERT INTO client (id, tenant_id, phone, name, false_emergency_count,
    emergency_access_revoked, created_at)
SELECT md5('k' || k)::uuid, :tenant, '+57' || (3000000000 + (k * 48271) % 999999999)::text,
    (:first)[1 + k % 12] || ' ' || (:last)[1 + (k / 12) % 12] || ' ' || (:last)[1 + k % 11],
    0, false, now()
FROM generate_series(0, CAST(:clients AS integer) - 1) AS k
"""
FIRST = [
    "María",
    "José",
    "Luis",
    "Ana",
    "Carlos",
    "Sofía",
    "Camila",
    "Juan",
    "Laura",
    "Jorge",
    "Paula",
    "Andrés",
]
LAST = [
    "García",
    "Rodríguez",
    "Martínez",
    "López",
    "Gómez",
    "Pérez",
    "Muñoz",
    "Rojas",
    "Díaz",
    "Torres",
    "Ramírez",
    "Vargas",
]

BUILD = """
INSERT INTO conversation (id, tenant_id, client_id, client_phone, channel, type, state, state_data,
    last_state_change, is_open, started_at, closed_at, last_message_at, last_inbound_at,
    last_message_preview, taken_over_at, taken_over_by, assigned_to, assigned_at)
SELECT
    md5('c' || g)::uuid, :tenant, md5('k' || ck)::uuid,
    '+57' || (3000000000 + (ck * 48271) % 999999999)::text, 'whatsapp', 'inbound',
    CASE WHEN g % 50 = 0 AND g % 500 = 0 THEN 'ESCALATE'
         WHEN g % 50 = 0 THEN 'GREETING' ELSE 'CLOSED' END,
    '{}'::jsonb, t, g % 50 = 0, t - interval '20 minutes',
    CASE WHEN g % 50 = 0 THEN NULL ELSE t END, t, t - interval '1 minute',
    'Gracias, nos vemos mañana',
    CASE WHEN g % 250 = 0 THEN t END, NULL,
    CASE WHEN g % 8 = 0 THEN (:staff)[1 + (g / 8) % :staff_count] END,
    CASE WHEN g % 8 = 0 THEN t END
FROM (
    SELECT g, now() - (g * (interval '730 days' / CAST(:n AS integer))) AS t,
        -- an open conversation's phone has no other open one
        CASE WHEN g % 50 = 0 THEN g / 50 ELSE g % :clients END AS ck
    FROM generate_series(1, CAST(:n AS integer)) AS g
) AS s
"""

MESSAGES = """
INSERT INTO message (id, tenant_id, conversation_id, direction, author, from_phone, to_phone,
    body, media, status, attempts, processed_at, created_at)
SELECT
    md5('m' || c.g || '-' || p)::uuid, :tenant, md5('c' || c.g)::uuid,
    CASE WHEN p % 2 = 0 THEN 'inbound' ELSE 'outbound' END,
    CASE WHEN p % 2 = 0 THEN 'client' ELSE 'assistant' END,
    '+57' || c.g::text, '+14155550100',
    CASE WHEN (c.g * :per + p) % 5000 = 17 THEN 'Mi gato fue atropellado esta mañana'
         ELSE (:bodies)[1 + (c.g * 7 + p * 3) % :body_count] END
        -- a long tail of rare words, as real chats have (names, numbers, typos)
        || ' (ref ' || ((c.g * 31 + p * 17) % 50000)::text || ')',
    '[]'::jsonb, CASE WHEN p % 2 = 0 THEN 'received' ELSE 'delivered' END, 0,
    c.t, c.t - (:per - p) * interval '1 minute'
FROM (
    SELECT g, now() - (g * (interval '730 days' / CAST(:n AS integer))) AS t
    FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS g
) AS c
CROSS JOIN generate_series(0, CAST(:per AS integer) - 1) AS p
"""

READS = """
INSERT INTO conversation_read (staff_user_id, conversation_id, last_read_at)
SELECT :user, id, now() FROM conversation
WHERE tenant_id = :tenant AND is_open AND (hashtext(id::text) % 2) = 0
"""


def build(n: int, per: int) -> tuple[uuid.UUID, uuid.UUID]:
    """The clinic, its staff and its history; returns (clinic id, reading staff member id)."""
    engine = fresh_postgres(DB_NAME)
    with session_scope(write=True) as session:
        tenant = make_tenant(session, slug="bench-inbox")
        staff = [make_doctor(session, tenant, name=f"Dra. Número {i}") for i in range(STAFF)]
        tenant_id, staff_ids = tenant.id, [s.id for s in staff]
    started = time.perf_counter()
    clients = max(1, n * 2 // 5)  # about 2.5 conversations per client
    with engine.begin() as conn:
        conn.execute(
            sa.text(CLIENTS).bindparams(
                sa.bindparam("first", type_=sa.ARRAY(sa.Text())),
                sa.bindparam("last", type_=sa.ARRAY(sa.Text())),
            ),
            {"tenant": tenant_id, "clients": clients, "first": FIRST, "last": LAST},
        )
        conn.execute(
            sa.text(BUILD).bindparams(
                sa.bindparam("staff", type_=sa.ARRAY(sa.Uuid())),
            ),
            {
                "tenant": tenant_id,
                "n": n,
                "staff": staff_ids,
                "staff_count": STAFF,
                "clients": clients,
            },
        )
    batch = 10_000
    for lo in range(1, n + 1, batch):
        with engine.begin() as conn:
            conn.execute(
                sa.text(MESSAGES).bindparams(sa.bindparam("bodies", type_=sa.ARRAY(sa.Text()))),
                {
                    "tenant": tenant_id,
                    "n": n,
                    "per": per,
                    "lo": lo,
                    "hi": min(lo + batch - 1, n),
                    "bodies": BODIES,
                    "body_count": len(BODIES),
                },
            )
    with engine.begin() as conn:
        conn.execute(sa.text(READS), {"user": staff_ids[0], "tenant": tenant_id})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    print(
        f"built {n:,} conversations, {n * per:,} messages in {time.perf_counter() - started:.0f} s"
    )
    return tenant_id, staff_ids[0]


def reuse() -> tuple[uuid.UUID, uuid.UUID]:
    engine = core_db.make_engine(make_url(ADMIN_URL).set(database=DB_NAME).render_as_string(False))
    migrations.upgrade(engine)
    core_db.set_engine(engine)
    with session_scope(read_only=True) as session:
        user = session.exec(select(StaffUser).order_by(col(StaffUser.full_name))).first()
        assert user is not None, "build the database first (run without --reuse)"
        return user.tenant_id, user.id


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


@dataclass
class Timing:
    label: str
    p50: float
    p95: float
    rows: int


def timed(label: str, call: Callable[[int], int], runs: int) -> Timing:
    for i in range(WARMUPS):
        call(i)
    samples, rows = [], 0
    for i in range(runs):
        started = time.perf_counter()
        rows = call(i)
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(label, statistics.median(samples), percentile(samples, 95), rows)


def cursors(tenant_id: uuid.UUID, user_id: uuid.UUID, n: int, count: int) -> list[str]:
    """Cursors spread over the whole list (as a person who kept scrolling would hold)."""
    engine: Engine = core_db.get_engine()
    step = max(1, n // count)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT last_message_at, id FROM ("
                " SELECT last_message_at, id, row_number() OVER"
                " (ORDER BY last_message_at DESC, id DESC) AS r"
                " FROM conversation WHERE tenant_id = :t) s WHERE r % :step = 0"
            ),
            {"t": tenant_id, "step": step},
        ).all()
    return [inbox.Cursor(at, key).encode() for at, key in rows]


def plan(tenant_id: uuid.UUID, user_id: uuid.UUID, after: str) -> str:
    """The index the list's statement reads, from PostgreSQL's plan."""
    with session_scope(read_only=True) as session:
        captured: list[Any] = []

        def keep(
            conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
        ) -> None:
            captured.append((statement, params))

        engine = session.get_bind()
        sa.event.listen(engine, "before_cursor_execute", keep)
        try:
            inbox.page(session, tenant_id, user_id, after=after, limit=inbox.PAGE_SIZE)
        finally:
            sa.event.remove(engine, "before_cursor_execute", keep)
        statement, params = captured[-1]
        raw = session.connection().connection.driver_connection
        with raw.cursor() as cur:  # type: ignore[union-attr]
            cur.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + statement, params)
            return "\n".join(r[0] for r in cur.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--per-conversation", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    n = args.conversations
    tenant_id, user_id = reuse() if args.reuse else build(n, args.per_conversation)
    spread = cursors(tenant_id, user_id, n, args.runs + WARMUPS)
    deep = cursors(tenant_id, user_id, n, n // 1000)[0]  # after the first 1,000 rows

    def first_page(counts: bool, name: str = "todas") -> Callable[[int], int]:
        return lambda _: len(
            conversations.inbox_page(tenant_id, user_id, filter=name, with_counts=counts).items
        )

    def next_page(i: int) -> int:
        return len(
            conversations.inbox_page(
                tenant_id, user_id, after=spread[i % len(spread)], with_counts=False
            ).items
        )

    def search(text: str) -> Callable[[int], int]:
        return lambda _: len(conversations.inbox(tenant_id, text, user_id=user_id))

    middle = cursors(tenant_id, user_id, n, 2)[0]  # after the first n / 2 rows

    def offset_page(_: int) -> int:
        with session_scope(read_only=True) as session:
            tenant = session.get(Tenant, tenant_id)
            assert tenant is not None
            return len(
                list_conversations(
                    session, tenant, limit=inbox.PAGE_SIZE, offset=n // 2, count=False
                ).rows
            )

    def counts_only(_: int) -> int:
        with session_scope(read_only=True) as session:
            return sum(inbox.counts(session, tenant_id, user_id).values())

    runs = args.runs
    timings = [
        timed(
            "first page, with the 6 filter counts (what the portal loads)", first_page(True), runs
        ),
        timed("first page, without counts", first_page(False), runs),
        timed("next page (keyset, cursors spread over the whole list)", next_page, runs),
        timed(
            "page after the first 1,000 rows",
            lambda _: len(
                conversations.inbox_page(tenant_id, user_id, after=deep, with_counts=False).items
            ),
            runs,
        ),
        timed(
            "page at row 50,000, keyset",
            lambda _: len(
                conversations.inbox_page(tenant_id, user_id, after=middle, with_counts=False).items
            ),
            runs,
        ),
        timed("page at row 50,000, OFFSET (how a list pages without a cursor)", offset_page, runs),
        timed("the 6 filter counts alone (each stops at 1,000)", counts_only, runs),
    ]
    for name in inbox.FILTERS[1:]:
        timings.append(timed(f"filter «{name}», first page", first_page(False, name), runs))
    timings += [
        timed("search «atropello» (rare; finds «atropellado»)", search("atropello"), runs),
        timed("search «vacuna» (common)", search("vacuna"), runs),
        timed("search a client's last 7 phone digits", search(PHONE_DIGITS), runs),
        timed("search client name «muñoz»", search("muñoz"), runs),
    ]
    print(f"\n{n:,} conversations, {n * args.per_conversation:,} messages, {runs} runs\n")
    print("| call | p50 ms | p95 ms | rows |")
    print("|---|---:|---:|---:|")
    for t in timings:
        print(f"| {t.label} | {t.p50:.1f} | {t.p95:.1f} | {t.rows} |")
    print("\nFirst page plan:\n" + plan(tenant_id, user_id, ""))
    print("\nDeep page plan:\n" + plan(tenant_id, user_id, deep))


if __name__ == "__main__":
    main()
