"""check_register: what each registered answer returned, and its digest

Issue 11, part 4 (SEC-2, Op(24)): the check registers, beside who, which unit, purpose,
subject and when, the ids of the entries, records and measures it returned
(`returned`, JSON) and a SHA-256 digest of the answer (`answer_digest`). A check of an
identifier that names no subject is registered too (an answered query), with no subject
(`subject_id` NULL) and the identifier's digest in `object_id`.

Revision ID: 0023
Revises: 0021
Create Date: 2026-11-24 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0021"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("query_register") as batch:
        batch.add_column(sa.Column("returned", sa.JSON, nullable=True))
        batch.add_column(sa.Column("answer_digest", sa.String(64), nullable=True))
        batch.alter_column("subject_id", existing_type=ID, nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM query_register WHERE subject_id IS NULL")
    with op.batch_alter_table("query_register") as batch:
        batch.alter_column("subject_id", existing_type=ID, nullable=False)
        batch.drop_column("answer_digest")
        batch.drop_column("returned")
