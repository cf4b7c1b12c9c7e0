"""entry_persons: the responsible persons each list entry names, by identifier

SUB-4, Art 35 (issue 11): a person's check finds the blacklisted organizations whose
entries name it, whether or not the person is a registered subject. Filled from the
entries' `subject_info.responsible_persons`.

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-24 18:50:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "list_entry_person",
        sa.Column("id", ID, primary_key=True),
        sa.Column("entry_id", ID, sa.ForeignKey("list_entry.id"), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("id_type", sa.String(40), nullable=False),
        sa.Column("id_number", sa.String(40), nullable=False),
    )
    op.create_index("ix_list_entry_person_entry_id", "list_entry_person", ["entry_id"])
    op.create_index("ix_list_entry_person_number", "list_entry_person", ["id_type", "id_number"])
    conn = op.get_bind()
    entry = sa.table("list_entry", sa.column("id", ID), sa.column("subject_info", sa.JSON))
    rows = []
    for e in conn.execute(sa.select(entry.c.id, entry.c.subject_info)):
        info = e.subject_info if isinstance(e.subject_info, dict) else json.loads(e.subject_info)
        for p in (info or {}).get("responsible_persons", []):
            if p.get("id_type") and p.get("id_number"):
                rows.append(
                    {
                        "entry_id": e.id,
                        "role": str(p.get("role", "")),
                        "id_type": str(p["id_type"]),
                        "id_number": str(p["id_number"]),
                    }
                )
    if rows:
        person = sa.table(
            "list_entry_person",
            sa.column("entry_id", ID),
            sa.column("role", sa.String),
            sa.column("id_type", sa.String),
            sa.column("id_number", sa.String),
        )
        conn.execute(person.insert(), rows)


def downgrade() -> None:
    op.drop_table("list_entry_person")
