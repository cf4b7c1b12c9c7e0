"""The access context's tables (SQLAlchemy Core)."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata

unit = sa.Table(
    "unit",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("uscc", sa.String(18), nullable=False, unique=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("region", sa.String(6), nullable=False),
    sa.Column("level", sa.String(20), nullable=False),
    sa.Column("fields", sa.JSON, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False),
)


app_user = sa.Table(
    "app_user",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False, index=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False),
)


api_token = sa.Table(
    "api_token",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False, index=True),
    sa.Column("user_id", ID, sa.ForeignKey("app_user.id"), nullable=True),
    sa.Column("name", sa.String(200), nullable=False),
    # "api" for machine clients, "session" for a person's login
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("prefix", sa.String(16), nullable=False),
    # SHA-256 of the token: tokens are 256 random bits, so a fast hash is enough at rest.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=True),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
)


notification = sa.Table(
    "notification",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("unit_id", ID, sa.ForeignKey("unit.id"), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("object_type", sa.String(40), nullable=False),
    sa.Column("object_id", sa.String(64), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("read_at", UTCDateTime, nullable=True),
    sa.Column("acknowledged_at", UTCDateTime, nullable=True),
    sa.Index("ix_notification_inbox", "unit_id", "acknowledged_at"),
    # Ids are told outside (rows may be deleted): SQLite never gives one twice.
    sqlite_autoincrement=True,
)


# SEC-1, issue 9: failed logins, per account and per address, kept in the database so
# that several server processes share the throttle.
login_failure = sa.Table(
    "login_failure",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("address", sa.String(64), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_login_failure_username", "username", "at"),
    sa.Index("ix_login_failure_address", "address", "at"),
)


# SEC-3, issue 9: refused calls (401/403), one row per caller, minute and code with a
# count, so that a flood of refusals cannot fill the disk; its first refusal of a minute
# is also an audit event.
refusal = sa.Table(
    "refusal",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("caller", sa.String(120), nullable=False),
    sa.Column("minute", sa.String(16), nullable=False),
    sa.Column("code", sa.String(60), nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("first_path", sa.String(200), nullable=False),
    sa.Column("last_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("caller", "minute", "code"),
)


# Issue 10: a credit subject's account, a principal of its own kind scoped to one subject.
# The subject is named by id only (access sits below subjects); rights binds it (who
# holds it, on what evidence) in its own tables.
subject_account = sa.Table(
    "subject_account",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("subject_id", ID, nullable=False, index=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False),
)


# Issue 10: a subject account's sessions; like unit tokens, only the SHA-256 is kept.
subject_session = sa.Table(
    "subject_session",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("account_id", ID, sa.ForeignKey("subject_account.id"), nullable=False, index=True),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
)
