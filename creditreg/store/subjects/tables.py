"""The subjects context's tables (SQLAlchemy Core)."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata

subject = sa.Table(
    "subject",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("id_type", sa.String(40), nullable=False),
    sa.Column("id_number", sa.String(40), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("lei", sa.String(20), nullable=True, unique=True),
    sa.Column("region", sa.String(6), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # SUB-2: one subject per matching identifier, enforced by the database.
    sa.UniqueConstraint("id_type", "id_number"),
    # Bulk matching looks numbers up by themselves (see services/records.py).
    sa.Index("ix_subject_id_number", "id_number"),
)


subject_link = sa.Table(
    "subject_link",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("organization_id", ID, sa.ForeignKey("subject.id"), nullable=False, index=True),
    sa.Column("person_id", ID, sa.ForeignKey("subject.id"), nullable=False, index=True),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)
