"""objections: one lifecycle for records and list entries, public accounts, attachments,
pauses and reconsideration

Issue 10, part 4 (OBJ-1..3, OBJ-6; Art 41; Op(22)). The objections to list entries that
unit operators typed in (entry_objection, the objector named in free text) move into the
one `objection` table as objections `on_record`, with their grounds, materials, status
and outcome: open ones become accepted (their designating unit was verifying them, and
their entry stays suspended); the sweep gives each open one its Art 41 deadline, counted
from its receipt. entry_objection is then dropped. Downgrading copies the entries'
objections back (the records' have no home there and are dropped with the new tables).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-26 09:00:00
"""

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OPEN_SQL = "status IN ('received', 'accepted', 'verifying', 'answered')"
# entry_objection's statuses -> the objection lifecycle's.
STATUS = {"open": "accepted", "dismissed": "dismissed", "upheld": "upheld", "closed": "closed"}


def upgrade() -> None:
    op.create_table(
        "public_account",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("id_type", sa.String(40), nullable=False),
        sa.Column("id_number_masked", sa.String(40), nullable=False),
        sa.Column("id_number_digest", sa.String(64), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_account")),
        sa.UniqueConstraint("id_number_digest", name=op.f("uq_public_account_id_number_digest")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_public_account_token_hash")),
    )
    op.create_table(
        "objection",
        sa.Column("id", ID, nullable=False),
        sa.Column("target_type", sa.String(20), nullable=False),
        sa.Column("target_id", ID, nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("objector_kind", sa.String(20), nullable=False),
        sa.Column("objector_key", sa.String(60), nullable=False),
        sa.Column("objector_unit_id", ID, nullable=True),
        sa.Column("objector_account_id", ID, nullable=True),
        sa.Column("objector_subject_id", ID, nullable=True),
        sa.Column("objector_label", sa.String(200), nullable=False),
        sa.Column("deciding_unit_id", ID, nullable=True),
        sa.Column("provider_unit_id", ID, nullable=True),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("track", sa.String(20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("asked_on", sa.Date(), nullable=True),
        sa.Column("answer_due", sa.Date(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("paused_since", sa.Date(), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("acceptance_reason", sa.Text(), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.Column("correction", sa.String(20), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subject.id"], name=op.f("fk_objection_subject_id_subject")
        ),
        sa.ForeignKeyConstraint(
            ["objector_unit_id"], ["unit.id"], name=op.f("fk_objection_objector_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["objector_account_id"],
            ["public_account.id"],
            name=op.f("fk_objection_objector_account_id_public_account"),
        ),
        sa.ForeignKeyConstraint(
            ["deciding_unit_id"], ["unit.id"], name=op.f("fk_objection_deciding_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["provider_unit_id"], ["unit.id"], name=op.f("fk_objection_provider_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection")),
    )
    op.create_index(op.f("ix_objection_subject_id"), "objection", ["subject_id"])
    op.create_index("ix_objection_target", "objection", ["target_type", "target_id", "status"])
    op.create_index("ix_objection_due", "objection", ["status", "due_date"])
    op.create_index(
        "uq_objection_open",
        "objection",
        ["target_type", "target_id", "objector_key"],
        unique=True,
        sqlite_where=sa.text(OPEN_SQL),
        postgresql_where=sa.text(OPEN_SQL),
    )
    tables: tuple[tuple[str, list[sa.Column[Any]]], ...] = (
        (
            "objection_event",
            [
                sa.Column("action", sa.String(30), nullable=False),
                sa.Column("from_status", sa.String(20), nullable=True),
                sa.Column("to_status", sa.String(20), nullable=False),
                sa.Column("on_date", sa.Date(), nullable=False),
                sa.Column("actor", sa.String(100), nullable=False),
                sa.Column("reason", sa.Text(), nullable=False),
                sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            ],
        ),
        (
            "objection_pause",
            [
                sa.Column("kind", sa.String(20), nullable=False),
                sa.Column("reason", sa.Text(), nullable=False),
                sa.Column("start_on", sa.Date(), nullable=False),
                sa.Column("end_on", sa.Date(), nullable=True),
                sa.Column("started_by", sa.String(100), nullable=False),
                sa.Column("ended_by", sa.String(100), nullable=True),
            ],
        ),
        (
            "objection_attachment",
            [
                sa.Column("filename", sa.String(200), nullable=False),
                sa.Column("content_type", sa.String(40), nullable=False),
                sa.Column("size", sa.Integer(), nullable=False),
                sa.Column("sha256", sa.String(64), nullable=False),
                sa.Column("content", sa.LargeBinary(), nullable=False),
                sa.Column("added_by", sa.String(100), nullable=False),
                sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            ],
        ),
    )
    for name, columns in tables:
        op.create_table(
            name,
            sa.Column("id", ID, nullable=False),
            sa.Column("objection_id", ID, nullable=False),
            *columns,
            sa.ForeignKeyConstraint(
                ["objection_id"], ["objection.id"], name=op.f(f"fk_{name}_objection_id_objection")
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        )
        op.create_index(op.f(f"ix_{name}_objection_id"), name, ["objection_id"])
    op.create_table(
        "reconsideration",
        sa.Column("id", ID, nullable=False),
        sa.Column("objection_id", ID, nullable=False),
        sa.Column("department_unit_id", ID, nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["objection_id"],
            ["objection.id"],
            name=op.f("fk_reconsideration_objection_id_objection"),
        ),
        sa.ForeignKeyConstraint(
            ["department_unit_id"],
            ["unit.id"],
            name=op.f("fk_reconsideration_department_unit_id_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconsideration")),
        sa.UniqueConstraint("objection_id", name=op.f("uq_reconsideration_objection_id")),
    )
    op.create_index(op.f("ix_reconsideration_objection_id"), "reconsideration", ["objection_id"])
    op.create_index("ix_reconsideration_due", "reconsideration", ["status", "due_date"])
    _move_entry_objections()
    with op.batch_alter_table("entry_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_objection_entry_id"))
    op.drop_table("entry_objection")


def _move_entry_objections() -> None:
    """The entries' objections, as they were, into the one lifecycle (`on_record`: the
    objector named in free text by the operator who typed it in)."""
    conn = op.get_bind()
    meta = sa.MetaData()
    old = sa.Table("entry_objection", meta, autoload_with=conn)
    entry = sa.Table("list_entry", meta, autoload_with=conn)
    new = sa.Table("objection", meta, autoload_with=conn)
    now = datetime.now(UTC)
    if conn.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    rows = conn.execute(
        sa.select(old, entry.c.subject_id, entry.c.designating_unit_id)
        .join(entry, entry.c.id == old.c.entry_id)
        .order_by(old.c.id)
    ).all()
    for r in rows:
        materials = [str(m) for m in (r.materials or [])]
        grounds = r.grounds + (("\n材料：" + "；".join(materials)) if materials else "")
        status = STATUS.get(r.status, "closed")
        conn.execute(
            new.insert().values(
                target_type="list_entry",
                target_id=r.entry_id,
                subject_id=r.subject_id,
                objector_kind="on_record",
                objector_key=f"on_record:{r.id}",
                objector_label=r.objector[:200],
                deciding_unit_id=r.designating_unit_id,
                grounds=grounds,
                status=status,
                track="provider",
                received_on=r.received_on,
                accepted_on=r.received_on if status != "closed" else None,
                acceptance_reason="recorded before issue 10" if status != "closed" else None,
                outcome_reason=r.outcome,
                decided_on=r.resolved_on,
                decided_by=r.resolved_by,
                created_at=now,
                updated_at=now,
            )
        )


def downgrade() -> None:
    op.create_table(
        "entry_objection",
        sa.Column("id", ID, nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("objector", sa.String(length=200), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["list_entry.id"], name=op.f("fk_entry_objection_entry_id_list_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_objection")),
    )
    with op.batch_alter_table("entry_objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_objection_entry_id"), ["entry_id"], unique=False)
    conn = op.get_bind()
    meta = sa.MetaData()
    new = sa.Table("objection", meta, autoload_with=conn)
    old = sa.Table("entry_objection", meta, autoload_with=conn)
    back = {
        "received": "open",
        "accepted": "open",
        "dismissed": "dismissed",
        "rejected": "dismissed",
    }
    for r in conn.execute(
        sa.select(new).where(new.c.target_type == "list_entry").order_by(new.c.id)
    ).all():
        conn.execute(
            old.insert().values(
                entry_id=r.target_id,
                objector=r.objector_label,
                grounds=r.grounds,
                materials=[],
                received_on=r.received_on,
                status=back.get(r.status, "closed" if r.status != "upheld" else "upheld"),
                outcome=r.outcome_reason,
                resolved_on=r.decided_on,
                resolved_by=r.decided_by,
            )
        )
    op.drop_table("reconsideration")
    for name in ("objection_attachment", "objection_pause", "objection_event"):
        op.drop_table(name)
    op.drop_table("objection")
    op.drop_table("public_account")
