"""reports and query register: the query register (access, SEC-2), credit reports
(rights, RIG-2), and a field for each catalog item (the specialised report's taxonomy).
Issue 10, parts 2 and 9.

Catalog items take their field from their providing unit's scope: the unit's first field
in the taxonomy's order (creditreg.domain.fields), else `other`.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-24 13:00:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)
# creditreg.domain.fields.FIELDS in its order, as of this revision.
TAXONOMY = (
    "taxation",
    "food_drug_safety",
    "ecology_environment",
    "construction",
    "production_safety",
    "court_defaulters",
    "finance",
    "market_regulation",
    "education_research",
    "transport",
    "public_resources",
    "labour_social_security",
)


def upgrade() -> None:
    op.create_table(
        "query_register",
        sa.Column("id", ID, nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("unit_id", ID, nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("what", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_register")),
    )
    op.create_index("ix_query_register_subject", "query_register", ["subject_id", "at"])
    op.create_index("ix_query_register_at", "query_register", ["at"])
    op.create_table(
        "credit_report",
        sa.Column("id", ID, nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("free", sa.Boolean(), nullable=False),
        sa.Column("fee_fen", sa.Integer(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=True),
        sa.Column("period_to", sa.Date(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=120), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("issued_at", AT, nullable=False),
        sa.Column("issued_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subject.id"], name=op.f("fk_credit_report_subject_id_subject")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_report")),
        sa.UniqueConstraint("number", name=op.f("uq_credit_report_number")),
    )
    op.create_index(
        "ix_credit_report_subject_year", "credit_report", ["subject_id", "kind", "year"]
    )
    # A plain ADD COLUMN (with its default), which SQLite does in place: a batch copy of the
    # table would trip the foreign keys of the records that name it.
    op.add_column(
        "catalog_item",
        sa.Column("field", sa.String(length=40), server_default="other", nullable=False),
    )
    _default_fields()


def _default_fields() -> None:
    """Each catalog item's field from its providing unit's scope."""
    conn = op.get_bind()
    units = {row.id: row.fields for row in conn.execute(sa.text("SELECT id, fields FROM unit"))}
    for unit_id, fields in units.items():
        held = set(json.loads(fields) if isinstance(fields, str) else fields or [])
        field = next((code for code in TAXONOMY if code in held), "other")
        if field != "other":
            conn.execute(
                sa.text("UPDATE catalog_item SET field = :f WHERE providing_unit_id = :u"),
                {"f": field, "u": unit_id},
            )


def downgrade() -> None:
    op.drop_column("catalog_item", "field")
    op.drop_index("ix_credit_report_subject_year", table_name="credit_report")
    op.drop_table("credit_report")
    op.drop_index("ix_query_register_at", table_name="query_register")
    op.drop_index("ix_query_register_subject", table_name="query_register")
    op.drop_table("query_register")
