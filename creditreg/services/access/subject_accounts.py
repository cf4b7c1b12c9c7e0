"""Subject accounts as principals (SEC-1 as amended by issue 10): their credentials and
sessions, and the one check every context uses to keep a subject to its own data.

The binding of an account to its subject (codes, identity checks, authorization letters)
belongs to the rights context, which calls `create_account` inside its own transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from argon2.exceptions import VerificationError

from creditreg.domain.access.principals import Principal, not_your_subject, subject_principal
from creditreg.domain.errors import Conflict, Forbidden, Unauthenticated
from creditreg.domain.kernel.actor import Actor, Permission
from creditreg.services.access import access, throttle
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.store.access.tables import api_token, subject_account, subject_session
from creditreg.store.fast import compiled_once, decode_utc

# Told apart from unit tokens (`crt_`) by their prefix, so a unit's token costs no extra
# query and a subject's session is looked up in its own table.
SUBJECT_TOKEN_PREFIX = "crs_"


@dataclass(frozen=True)
class SubjectSession:
    """A subject's session as issued: the token is shown this once and never stored."""

    token: str
    expires_at: str
    account_id: int
    subject_id: int
    username: str


def account_actor(username: str) -> str:
    """How the audit log names a subject account."""
    return f"account:{username}"


def acting_account(username: str, subject_id: int) -> Principal:
    """The principal of the account `username` of `subject_id` (as a session gives it)."""
    return subject_principal(account_actor(username), subject_id)


def create_account(
    conn: sa.Connection, ctx: Context, *, subject_id: int, username: str, password: str
) -> int:
    """A subject account with its argon2 password hash, inside the caller's transaction (the
    rights context's binding step); a taken username is a conflict."""
    taken = conn.execute(
        sa.select(subject_account.c.id).where(subject_account.c.username == username)
    ).first()
    if taken is not None:
        raise Conflict("account.username_taken", f"username {username!r} is taken")
    new_id: int = conn.execute(
        subject_account.insert()
        .values(
            subject_id=subject_id,
            username=username,
            password_hash=access._hasher.hash(password),
            created_at=ctx.now(),
        )
        .returning(subject_account.c.id)
    ).scalar_one()
    return new_id


def login(ctx: Context, username: str, password: str, address: str = "local") -> SubjectSession:
    """A subject account's password login: a session of `subject_session_hours`, audited;
    throttled like the logins of units' users (429 after too many failures)."""
    login_name = username.strip().lower()[:80]
    key = f"account:{login_name}"
    throttle.refuse_if_throttled(ctx, key, address, "account.throttled", "logins")
    now = ctx.now()
    with ctx.db.write() as conn:
        row = conn.execute(
            sa.select(subject_account).where(subject_account.c.username == login_name)
        ).first()
        try:
            access._hasher.verify(row.password_hash if row else access._DUMMY_HASH, password)
        except VerificationError:
            row = None
        if row is not None and row.active:
            token = SUBJECT_TOKEN_PREFIX + secrets.token_urlsafe(32)
            expires = now + timedelta(hours=ctx.subject_session_hours)
            conn.execute(
                subject_session.insert().values(
                    account_id=row.id,
                    prefix=token[:12],
                    token_hash=access.hash_token(token),
                    created_at=now,
                    expires_at=expires,
                )
            )
            principal = acting_account(login_name, row.subject_id)
            audit.record(conn, ctx, principal, "account.login", "subject_account", row.id)
            return SubjectSession(token, expires.isoformat(), row.id, row.subject_id, login_name)
        # Kept in this committed transaction: the refusal must not roll it back (SEC-3).
        throttle.record_failure(conn, key, address, now)
        audit.record(
            conn,
            ctx,
            Actor(actor=f"login:{key}", unit_id=None),
            "account.login_failed",
            "subject_account",
            login_name,
            detail={"address": address[:64]},
        )
    raise Unauthenticated("account.bad_credentials", "wrong username or password")


def _session_statement() -> sa.Select[Any]:
    return (
        sa.select(
            subject_session.c.expires_at,
            subject_session.c.revoked_at,
            subject_account.c.id.label("account_id"),
            subject_account.c.subject_id,
            subject_account.c.username,
            subject_account.c.active,
        )
        .join(subject_account, subject_account.c.id == subject_session.c.account_id)
        .where(subject_session.c.token_hash == sa.bindparam("h"))
    )


def authenticate(ctx: Context, token: str) -> Principal:
    """The subject principal a session token stands for, or 401 with the reason."""
    found = compiled_once(ctx.db, "auth.subject_session", _session_statement).first(
        {"h": access.hash_token(token)}
    )
    if found is None:
        raise Unauthenticated("auth.invalid_token", "the token is not known")
    row = SimpleNamespace(**found)
    if row.revoked_at is not None:
        raise Unauthenticated("auth.revoked_token", "the token was revoked")
    expires_at = decode_utc(row.expires_at)
    if expires_at is not None and expires_at <= ctx.now():
        raise Unauthenticated("auth.expired_token", "the session has expired; log in again")
    if not row.active:
        raise Unauthenticated("auth.inactive", "the account is deactivated")
    return acting_account(row.username, int(row.subject_id))


def logout(ctx: Context, token: str) -> Principal:
    """SEC-1: the caller ends its own session (a subject account's, or a person's login
    token of a unit, or a machine's token) at once, audited; the token is refused from
    then on (`auth.revoked_token`). Returns who it was."""
    principal = authenticate_any(ctx, token)
    table = subject_session if token.startswith(SUBJECT_TOKEN_PREFIX) else api_token
    with ctx.db.write() as conn:
        conn.execute(
            table.update()
            .where(table.c.token_hash == access.hash_token(token), table.c.revoked_at.is_(None))
            .values(revoked_at=ctx.now())
        )
        audit.record(conn, ctx, principal, "auth.logout", table.name, principal.actor[:64])
    return principal


def authenticate_any(ctx: Context, token: str) -> Principal:
    """A unit's token or a subject's session token (told apart by the prefix)."""
    if token.startswith(SUBJECT_TOKEN_PREFIX):
        return authenticate(ctx, token)
    return access.authenticate(ctx, token)


def acting_for_subject(actor: str, subject_id: int) -> Principal:
    """An operator on the machine acting on a subject's behalf: the subject's principal,
    under a name that says both (`cli:alice@subject:12`), so the audit log records the act
    as done for the subject by that operator."""
    return subject_principal(f"{actor}@subject:{subject_id}", subject_id)


def require_subject(
    ctx: Context,
    principal: Principal,
    subject_id: int,
    unit_permission: Permission,
    *,
    action: str = "subject.read",
) -> None:
    """The check every context applies before showing or changing a subject's data.

    A subject principal passes only for its own subject: asking for another is a 403
    `account.not_your_subject`, and the attempt is written to the audit log (`<action>.
    refused`). A unit's principal needs `unit_permission` (its scope is checked by the
    caller as before). Call it outside any open transaction: the refusal is audited in its
    own."""
    if principal.is_subject:
        principal.require(Permission.RIGHTS_SELF)
        if principal.subject_id != subject_id:
            refusal = not_your_subject(principal, subject_id)
            audit.refused(ctx, principal, action, "subject", subject_id, code=refusal.code)
            raise refusal
        return
    principal.require(unit_permission)


def require_self(principal: Principal) -> int:
    """The subject a subject principal acts for; 403 for a unit's principal."""
    principal.require(Permission.RIGHTS_SELF)
    if principal.subject_id is None:
        raise Forbidden("account.subjects_only", "only a subject account may do this")
    return principal.subject_id
