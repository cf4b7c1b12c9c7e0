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
    # Ids are told outside (rows may be deleted): SQLite never gives one twice.
    sqlite_autoincrement=True,
)


# Issue 10, part 3 (DIS-6, Art 22): a subject's written authorization of an inquiry by a
# named unit for a purpose and a period; `status` per domain.rights.authorizations.
authorization = sa.Table(
    "authorization",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("purpose", sa.String(200), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_until", sa.Date, nullable=False),
    # The written authorization itself: its reference (a signed form, an e-signature id).
    sa.Column("document_ref", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("granted_by", sa.String(120), nullable=False),
    sa.Column("granted_at", UTCDateTime, nullable=False),
    sa.Column("revoked_by", sa.String(120), nullable=True),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
    sa.Index("ix_authorization_subject_unit", "subject_id", "unit_id"),
)

# Every inquiry an authorization allowed: the subject sees each (issue 10, part 3).
authorization_use = sa.Table(
    "authorization_use",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("authorization_id", ID, sa.ForeignKey("authorization.id"), nullable=False),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("what", sa.String(60), nullable=False),
    sa.Column("items", sa.Integer, nullable=False),
    sa.Column("used_at", UTCDateTime, nullable=False),
    sa.Index("ix_authorization_use_authorization", "authorization_id", "id"),
)


# Issue 10, part 7 (RST-7, Art 43): a subject's application to restore one untrustworthy
# record, decided by the platform or the providing unit within 1 working day.
record_restoration = sa.Table(
    "record_restoration",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("record_id", ID, sa.ForeignKey("record.id"), nullable=False, index=True),
    sa.Column("subject_id", ID, sa.ForeignKey("subject.id"), nullable=False, index=True),
    sa.Column("decider", sa.String(20), nullable=False),
    sa.Column("statement", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("applied_by", sa.String(120), nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("decided_by", sa.String(120), nullable=True),
    sa.Column("decided_at", UTCDateTime, nullable=True),
    sa.Column("reasons", sa.Text, nullable=True),
)
