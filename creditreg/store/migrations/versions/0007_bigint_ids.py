"""bigint ids: every id column 64-bit on PostgreSQL (SQLite's INTEGER already is)

A national platform holds tens of billions of records; 32-bit ids also made body ids
between 2^31 and 2^63 fail on PostgreSQL only.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 09:00:00
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = {
    "audit_event": ("unit_id",),
    "deadline": ("id",),
    "domain_event": ("id",),
    "list_recheck": ("subject_id",),
    "subject": ("id",),
    "unit": ("id",),
    "app_user": (
        "id",
        "unit_id",
    ),
    "catalog_item": (
        "id",
        "providing_unit_id",
    ),
    "consent": (
        "id",
        "subject_id",
        "unit_id",
    ),
    "notification": (
        "id",
        "unit_id",
    ),
    "standard": (
        "id",
        "unit_id",
    ),
    "subject_link": (
        "id",
        "organization_id",
        "person_id",
    ),
    "api_token": (
        "id",
        "unit_id",
        "user_id",
    ),
    "ingest_batch": (
        "id",
        "unit_id",
        "catalog_item_id",
    ),
    "list_entry": (
        "id",
        "subject_id",
        "designating_unit_id",
        "standard_id",
    ),
    "entry_objection": (
        "id",
        "entry_id",
    ),
    "list_entry_event": (
        "id",
        "entry_id",
        "unit_id",
    ),
    "list_notice": (
        "id",
        "entry_id",
    ),
    "record": (
        "id",
        "catalog_item_id",
        "subject_id",
        "providing_unit_id",
        "batch_id",
    ),
    "restoration_application": (
        "id",
        "entry_id",
    ),
    "upward_report": (
        "id",
        "entry_id",
    ),
    "list_entry_record": (
        "entry_id",
        "record_id",
    ),
}
# Tables whose id is a serial: their sequences become bigint too (PostgreSQL 10+ creates
# them AS integer).
SERIAL = (
    "deadline",
    "domain_event",
    "subject",
    "unit",
    "app_user",
    "catalog_item",
    "consent",
    "notification",
    "standard",
    "subject_link",
    "api_token",
    "ingest_batch",
    "list_entry",
    "entry_objection",
    "list_entry_event",
    "list_notice",
    "record",
    "restoration_application",
    "upward_report",
)


def _retype(to: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: INTEGER is 64-bit already, and must stay the rowid alias
    for table, columns in COLUMNS.items():
        changes = ", ".join(f'ALTER COLUMN "{c}" TYPE {to}' for c in columns)
        op.execute(f'ALTER TABLE "{table}" {changes}')
    for table in SERIAL:
        op.execute(f'ALTER SEQUENCE IF EXISTS "{table}_id_seq" AS {to}')


def upgrade() -> None:
    _retype("BIGINT")


def downgrade() -> None:
    _retype("INTEGER")
