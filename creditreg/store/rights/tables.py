"""The rights context's tables (issue 10): activation codes, the bindings of subject
accounts, and the notices a subject receives."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata

# Issue 10, part 1: a code that binds one account to one subject. Only its SHA-256 is kept
# (80 random bits: a fast hash is enough at rest); `prefix` names it in lists and keys the
# throttle. Single use (`used_at`), expiring (`expires_at`), superseded by a reprint.
activation_code = sa.Table(
    "activation_code",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False, index=True),
    sa.Column("prefix", sa.String(8), nullable=False),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("method", sa.String(20), nullable=False),  # notice / operator
    sa.Column("notice_id", ID, sa.ForeignKey("subject_notice.id"), nullable=True, index=True),
    # The operator's identity check (method "operator"): what was seen, who, when.
    sa.Column("holder_role", sa.String(30), nullable=True),
    sa.Column("holder_name", sa.String(200), nullable=True),
    sa.Column("document_type", sa.String(40), nullable=True),
    sa.Column("document_masked", sa.String(40), nullable=True),
    sa.Column("authorization_letter", sa.String(200), nullable=True),
    sa.Column("checked_by", sa.String(200), nullable=True),
    sa.Column("checked_on", sa.Date, nullable=True),
    sa.Column("issued_by", sa.String(120), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("used_at", UTCDateTime, nullable=True),
    sa.Column("superseded_at", UTCDateTime, nullable=True),
)


# Issue 10, part 1: how an account came to be bound to its subject, with the evidence.
account_binding = sa.Table(
    "account_binding",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("account_id", ID, sa.ForeignKey("subject_account.id"), nullable=False, unique=True),
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False, index=True),
    sa.Column("code_id", ID, sa.ForeignKey("activation_code.id"), nullable=False, unique=True),
    sa.Column("method", sa.String(20), nullable=False),
    sa.Column("holder_role", sa.String(30), nullable=False),
    sa.Column("holder_name", sa.String(200), nullable=True),
    sa.Column("document_type", sa.String(40), nullable=True),
    sa.Column("document_masked", sa.String(40), nullable=True),
    sa.Column("authorization_letter", sa.String(200), nullable=True),
    sa.Column("checked_by", sa.String(200), nullable=True),
    sa.Column("checked_on", sa.Date, nullable=True),
    sa.Column("bound_at", UTCDateTime, nullable=False),
)


# Issue 10, part 1: written notices and outcomes for a subject (its inbox), rendered in
# Chinese or English when read. A notice copied from another context names its source
# once (`source_type`, `source_id`); `delivered_on` is the date the unit delivered the
# printed document to a subject without an account.
subject_notice = sa.Table(
    "subject_notice",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=True, index=True),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("source_type", sa.String(40), nullable=False),
    sa.Column("source_id", sa.String(64), nullable=False),
    # The object the notice is about (a list entry ...): erased with it (Op(20)).
    sa.Column("owner_type", sa.String(40), nullable=False),
    sa.Column("owner_id", sa.String(64), nullable=False),
    sa.Column("content", sa.JSON, nullable=False),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("read_at", UTCDateTime, nullable=True),
    sa.Column("delivered_on", sa.Date, nullable=True),
    sa.Column("delivered_by", sa.String(120), nullable=True),
    sa.UniqueConstraint("source_type", "source_id"),
    sa.Index("ix_subject_notice_inbox", "subject_id", "id"),
    sa.Index("ix_subject_notice_owner", "owner_type", "owner_id"),
)
