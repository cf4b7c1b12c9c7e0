"""key_scrutiny_rests_on_records: key scrutiny after a blacklist rests on its records

ING-7, Art 42: a key-scrutiny entry made when a blacklist entry was removed (RST-3,
Op(18); origin `after_removal`) did not name the records the blacklist rested on, so
withdrawing those records (their basis revoked) left it in force, while a withdrawal
before the removal would have ended the blacklist with no key scrutiny at all. Such
entries now name the blacklist's records; the ones made before get them here.

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-25 08:30:00
"""

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _after_entry(rule_inputs: Any) -> int | None:
    inputs = json.loads(rule_inputs) if isinstance(rule_inputs, str | bytes) else rule_inputs
    after = (inputs or {}).get("after_entry")
    return int(after) if isinstance(after, int) else None


def upgrade() -> None:
    conn = op.get_bind()
    entry = sa.table(
        "list_entry",
        sa.column("id", ID),
        sa.column("origin", sa.String),
        sa.column("rule_inputs", sa.JSON),
    )
    link = sa.table("list_entry_record", sa.column("entry_id", ID), sa.column("record_id", ID))
    followers = {
        int(r.id): after
        for r in conn.execute(
            sa.select(entry.c.id, entry.c.rule_inputs).where(entry.c.origin == "after_removal")
        )
        if (after := _after_entry(r.rule_inputs)) is not None
    }
    if not followers:
        return
    have = {
        (int(r.entry_id), int(r.record_id))
        for r in conn.execute(sa.select(link).where(link.c.entry_id.in_(list(followers))))
    }
    rested: dict[int, list[int]] = {}
    for r in conn.execute(sa.select(link).where(link.c.entry_id.in_(set(followers.values())))):
        rested.setdefault(int(r.entry_id), []).append(int(r.record_id))
    rows = [
        {"entry_id": new, "record_id": record_id}
        for new, old in followers.items()
        for record_id in rested.get(old, [])
        if (new, record_id) not in have
    ]
    if rows:
        conn.execute(link.insert(), rows)


def downgrade() -> None:
    """The links stay: they say what the entries rest on, and are harmless to 0029."""
