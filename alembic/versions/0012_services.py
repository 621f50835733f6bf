"""services with durations: what a clinic offers, how long it takes, who offers it

`clinic_service` holds each clinic's services (length, buffer after it,
deposit, keywords the assistant matches) and `service_doctor` which doctors
offer one (none: all of them). An appointment may name its service.

Every existing clinic gets its default "Consulta general", as long as the
length most of its doctors book today (30 minutes when it has none), so
bookings that name no service keep their length.

SQLite: the new appointment column is added with a plain ALTER TABLE (a
batch rebuild would drop the overlap triggers of migration 0009).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_NAME = "Consulta general"
DEFAULT_KEYWORDS = ["consulta", "revision", "chequeo", "control general"]


def upgrade() -> None:
    op.create_table(
        "clinic_service",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("deposit_required", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column(
            "keywords",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("duration_minutes BETWEEN 5 AND 480", name="ck_clinic_service_duration"),
        sa.CheckConstraint("buffer_minutes BETWEEN 0 AND 120", name="ck_clinic_service_buffer"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_clinic_service_name"),
    )
    op.create_index("ix_clinic_service_tenant_id", "clinic_service", ["tenant_id"])
    op.create_index(
        "ux_clinic_service_default",
        "clinic_service",
        ["tenant_id"],
        unique=True,
        postgresql_where=sa.text("is_default"),
        sqlite_where=sa.text("is_default"),
    )
    op.create_table(
        "service_doctor",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("doctor_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["doctor_id"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["service_id"], ["clinic_service.id"]),
        sa.PrimaryKeyConstraint("service_id", "doctor_id"),
    )
    op.create_index("ix_service_doctor_doctor_id", "service_doctor", ["doctor_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("appointment", sa.Column("service_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(
            "appointment_service_id_fkey",
            "appointment",
            "clinic_service",
            ["service_id"],
            ["id"],
        )
    else:
        op.execute(
            "ALTER TABLE appointment ADD COLUMN service_id CHAR(32) REFERENCES clinic_service (id)"
        )
    _add_default_services()


def _add_default_services() -> None:
    """One "Consulta general" per clinic, as long as its doctors' most common slot."""
    bind = op.get_bind()
    tenants = [row[0] for row in bind.execute(sa.text("SELECT id FROM tenant"))]
    if not tenants:
        return
    lengths: dict[object, Counter[int]] = defaultdict(Counter)
    for tenant_id, minutes in bind.execute(
        sa.text("SELECT tenant_id, slot_minutes FROM doctor_schedule")
    ):
        lengths[tenant_id][minutes] += 1
    table = sa.table(
        "clinic_service",
        sa.column("id", sa.Uuid()),
        sa.column("tenant_id", sa.Uuid()),
        sa.column("name", sa.String()),
        sa.column("duration_minutes", sa.Integer()),
        sa.column("buffer_minutes", sa.Integer()),
        sa.column("deposit_required", sa.Boolean()),
        sa.column("is_active", sa.Boolean()),
        sa.column("is_default", sa.Boolean()),
        sa.column("keywords", sa.JSON()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # stored naive UTC, as UTCDateTime does
    rows = []
    for raw_id in tenants:
        tenant_id = raw_id if isinstance(raw_id, uuid.UUID) else uuid.UUID(str(raw_id))
        counts = lengths.get(raw_id)
        # most common length; among equally common ones the shortest
        duration = min(counts, key=lambda m: (-counts[m], m)) if counts else 30
        rows.append(
            {
                "id": uuid.uuid4(),
                "tenant_id": tenant_id,
                "name": DEFAULT_NAME,
                "duration_minutes": min(max(duration, 5), 480),
                "buffer_minutes": 0,
                "deposit_required": False,
                "is_active": True,
                "is_default": True,
                "keywords": DEFAULT_KEYWORDS,
                "created_at": now,
                "updated_at": now,
            }
        )
    op.bulk_insert(table, rows)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("appointment_service_id_fkey", "appointment", type_="foreignkey")
        op.drop_column("appointment", "service_id")
    else:
        # SQLite drops no column a foreign key names: rebuild the table, then put back
        # the triggers the rebuild loses (the overlap checks of migration 0009).
        triggers = [
            row[0]
            for row in op.get_bind().execute(
                sa.text(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'appointment'"
                )
            )
        ]
        with op.batch_alter_table("appointment") as batch_op:
            batch_op.drop_column("service_id")
        for sql in triggers:
            op.execute(sql)
    op.drop_index("ix_service_doctor_doctor_id", table_name="service_doctor")
    op.drop_table("service_doctor")
    op.drop_index("ux_clinic_service_default", table_name="clinic_service")
    op.drop_index("ix_clinic_service_tenant_id", table_name="clinic_service")
    op.drop_table("clinic_service")
