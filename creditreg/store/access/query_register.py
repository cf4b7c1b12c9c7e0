"""The query register's table (SEC-2, Op(24)): one row per subject read by a unit.

In the access context, the lowest that knows units, so that every context above it
(subjects, records, lists, measures' check) registers its reads here. The subject is
named by id only (access sits below subjects), like `subject_account`.
"""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata

query_register = sa.Table(
    "query_register",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    # The unit the reader acted for (None for the platform's own operators on the machine).
    # No foreign key: like the audit log, the register records who acted as they said.
    sa.Column("unit_id", ID, nullable=True),
    sa.Column("actor", sa.String(120), nullable=False),  # "user:alice", "token:12", "cli:bob"
    # None: a check of an identifier that names no subject (its digest is the object_id).
    sa.Column("subject_id", ID, nullable=True),
    sa.Column("purpose", sa.String(30), nullable=False),
    sa.Column("note", sa.String(200), nullable=True),
    # What was read: "subject", "subject.lookup", "subject.links", "record", "list_entry" ...
    sa.Column("what", sa.String(40), nullable=False),
    sa.Column("object_id", sa.String(64), nullable=True),
    # Issue 11 (SEC-2): what the answer returned (ids of entries, records, measures) and
    # the SHA-256 of the answer, for the check; None for reads that return one object.
    sa.Column("returned", sa.JSON, nullable=True),
    sa.Column("answer_digest", sa.String(64), nullable=True),
    # The subject's own view (self-inquiry, reports): its reads of the last two years.
    sa.Index("ix_query_register_subject", "subject_id", "at"),
    # The sweep's retention step removes by age.
    sa.Index("ix_query_register_at", "at"),
)
