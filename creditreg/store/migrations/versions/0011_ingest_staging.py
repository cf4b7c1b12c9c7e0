"""ingest staging and natural keys: batches stored in short chunks, records unique by key

Issue 9. A batch's rows are staged chunk by chunk (record_stage, subject_stage) and
published in one short transaction, so that an ingest never holds the write lock for
long; a batch has a status and a heartbeat. A record's natural key (providing unit,
catalog item code, subject, key fields) is unique among live records. Existing
duplicates are marked (`duplicate_of` names the earliest record with the same key), not
deleted and not a failure.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 12:00:00
"""

from collections.abc import Iterator
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

from creditreg.domain.records.templates import natural_key

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
RELEASED = ("returned", "withdrawn")


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX on both databases: on SQLite a batch "move and
    # copy" of a table other tables reference fails once it holds data.
    op.add_column(
        "ingest_batch",
        sa.Column("status", sa.String(20), nullable=False, server_default="published"),
    )
    op.add_column("ingest_batch", sa.Column("heartbeat_at", sa.DateTime(timezone=True)))
    op.add_column(
        "ingest_batch", sa.Column("stored", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column(
        "ingest_batch", sa.Column("duplicates", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("ingest_batch", sa.Column("verify_due", sa.Date()))
    op.add_column("record", sa.Column("natural_key", sa.String(32)))
    op.add_column("record", sa.Column("duplicate_of", ID))
    _mark_keys()
    op.create_index("uq_record_natural_key", "record", ["natural_key"], unique=True)
    op.execute(
        "UPDATE ingest_batch SET stored = "
        "(SELECT count(*) FROM record WHERE record.batch_id = ingest_batch.id)"
    )
    op.create_table(
        "record_stage",
        sa.Column("id", ID, nullable=False),
        sa.Column("batch_id", ID, nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("subject_id", ID, nullable=True),
        sa.Column("id_type", sa.String(40), nullable=False),
        sa.Column("id_number", sa.String(40), nullable=False),
        sa.Column("natural_key", sa.String(32), nullable=False),
        sa.Column("catalog_item_id", ID, nullable=False),
        sa.Column("providing_unit_id", ID, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("self_declared", sa.Boolean(), nullable=False),
        sa.Column("character", sa.String(20), nullable=False),
        sa.Column("disclosure", sa.String(30), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verify_due", sa.Date(), nullable=False),
        sa.Column("untrustworthy_class", sa.String(20), nullable=True),
        sa.Column("serious_class", sa.String(20), nullable=True),
        sa.Column("severity", sa.String(20), nullable=True),
        sa.Column("final_on", sa.Date(), nullable=True),
        sa.Column("discipline_block", sa.Text(), nullable=True),
        sa.Column("display_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batch.id"], name=op.f("fk_record_stage_batch_id_ingest_batch")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subject.id"], name=op.f("fk_record_stage_subject_id_subject")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_stage")),
        sa.UniqueConstraint(
            "natural_key", "batch_id", name=op.f("uq_record_stage_natural_key_batch_id")
        ),
    )
    op.create_table(
        "subject_stage",
        sa.Column("id", ID, nullable=False),
        sa.Column("batch_id", ID, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("id_type", sa.String(40), nullable=False),
        sa.Column("id_number", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batch.id"], name=op.f("fk_subject_stage_batch_id_ingest_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_stage")),
        sa.UniqueConstraint(
            "id_number",
            "id_type",
            "batch_id",
            name=op.f("uq_subject_stage_id_number_id_type_batch_id"),
        ),
    )


def _mark_keys() -> None:
    """Every record's natural key; among live records holding the same key, the earliest
    keeps it and the others name it in `duplicate_of` (returned and withdrawn records
    hold none: a corrected resubmission was new)."""
    conn = op.get_bind()
    items = {
        row.id: (row.code, _key_fields(row.template))
        for row in conn.execute(sa.text("SELECT id, code, template FROM catalog_item"))
    }
    first: dict[str, int] = {}
    keyed: list[dict[str, Any]] = []
    repeats: list[dict[str, Any]] = []
    for row in _records(conn):
        if row.status in RELEASED:
            continue
        code, fields = items[row.catalog_item_id]
        data = row.data if isinstance(row.data, dict) else orjson.loads(row.data)
        key = natural_key(
            row.providing_unit_id,
            code,
            row.id_type,
            row.id_number,
            [data.get(name) for name in (fields or sorted(data))],
        )
        if key in first:
            repeats.append({"rid": row.id, "first": first[key]})
        else:
            first[key] = row.id
            keyed.append({"rid": row.id, "key": key})
    if keyed:
        conn.execute(sa.text("UPDATE record SET natural_key = :key WHERE id = :rid"), keyed)
    if repeats:
        conn.execute(sa.text("UPDATE record SET duplicate_of = :first WHERE id = :rid"), repeats)


def _key_fields(template: Any) -> list[str]:
    fields = template if isinstance(template, list) else orjson.loads(template)
    marked = [f["name"] for f in fields if f.get("key")]
    return marked or [f["name"] for f in fields]


def _records(conn: sa.Connection) -> Iterator[Any]:
    last = 0
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT r.id, r.catalog_item_id, r.providing_unit_id, r.status, r.data, "
                "s.id_type, s.id_number FROM record r JOIN subject s ON s.id = r.subject_id "
                "WHERE r.id > :last ORDER BY r.id LIMIT 5000"
            ),
            {"last": last},
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def downgrade() -> None:
    op.drop_table("subject_stage")
    op.drop_table("record_stage")
    op.drop_index("uq_record_natural_key", "record")
    op.drop_column("record", "duplicate_of")
    op.drop_column("record", "natural_key")
    for column in ("verify_due", "duplicates", "stored", "heartbeat_at", "status"):
        op.drop_column("ingest_batch", column)
