"""Units, users, API tokens and login (SEC-1)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, timedelta
from types import SimpleNamespace
from typing import Any

import orjson
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from creditreg.domain.access.principals import (
    ROLES_FOR_KIND,
    Level,
    Principal,
    Role,
    UnitKind,
    check_roles_for_unit,
    permissions_for,
    validate_region,
)
from creditreg.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from creditreg.domain.fields import unit_fields
from creditreg.domain.kernel.actor import Actor, Permission
from creditreg.domain.kernel.codes import validate_name, validate_uscc
from creditreg.services.access import throttle
from creditreg.services.access.views import (
    PrincipalView,
    RefusalView,
    TokenRevokedView,
    TokenView,
    UnitView,
    UserView,
)
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.store.access.tables import api_token, app_user, refusal, unit
from creditreg.store.fast import compiled_once, decode_json, decode_utc

TOKEN_PREFIX = "crt_"
SESSION_HOURS = 8
_hasher = PasswordHasher()
# Spent on unknown usernames too, so that timing does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def hash_token(token: str) -> str:
    """SHA-256 of a token: 256-bit random tokens need no slow hash at rest."""
    return hashlib.sha256(token.encode()).hexdigest()


def _unit_row(conn: sa.Connection, unit_id: int) -> sa.Row[Any]:
    row = conn.execute(sa.select(unit).where(unit.c.id == unit_id)).first()
    if row is None:
        raise NotFound("unit.not_found", f"no unit {unit_id}")
    return row


def unit_dict(row: sa.Row[Any]) -> UnitView:
    return {
        "id": row.id,
        "name": row.name,
        "uscc": row.uscc,
        "kind": row.kind,
        "region": row.region,
        "level": row.level,
        "fields": list(row.fields),
        "active": row.active,
    }


def create_unit(
    ctx: Context,
    principal: Principal,
    *,
    name: str,
    uscc: str,
    kind: UnitKind,
    region: str,
    level: Level,
    fields: Iterable[str] = (),
) -> UnitView:
    """Register a unit (state organ, provider, implementer...) with its scope."""
    principal.require(Permission.UNITS_ADMIN)
    values = {
        "name": validate_name(name),
        "uscc": validate_uscc(uscc),
        "kind": kind.value,
        "region": validate_region(region),
        "level": level.value,
        "fields": unit_fields(fields),
    }
    with ctx.db.write() as conn:
        if conn.execute(sa.select(unit.c.id).where(unit.c.uscc == values["uscc"])).first():
            raise Conflict("unit.duplicate", f"a unit with USCC {values['uscc']} exists")
        new_id = conn.execute(
            unit.insert().values(**values, created_at=ctx.now()).returning(unit.c.id)
        ).scalar_one()
        audit.record(conn, ctx, principal, "unit.create", "unit", new_id, after=values)
        return unit_dict(_unit_row(conn, new_id))


def list_units(ctx: Context, principal: Principal) -> list[UnitView]:
    """All units for an administrator, one's own unit otherwise."""
    query = sa.select(unit).order_by(unit.c.id)
    if Permission.UNITS_ADMIN not in principal.permissions:
        query = query.where(unit.c.id == principal.unit_id)
    with ctx.db.read() as conn:
        return [unit_dict(r) for r in conn.execute(query)]


def create_user(
    ctx: Context,
    principal: Principal,
    *,
    unit_id: int,
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[Role],
) -> UserView:
    """A person who logs in with a password; roles must fit the unit's kind."""
    principal.require(Permission.UNITS_ADMIN)
    role_set = frozenset(roles)
    if not role_set:
        raise InvalidInput("user.no_role", "a user needs at least one role")
    login = username.strip().lower()
    if (
        not login
        or len(login) > 80
        or not login.replace(".", "").replace("_", "").replace("-", "").isalnum()
    ):
        raise InvalidInput(
            "user.invalid_username", "a username is 1-80 letters, digits, '.', '_' or '-'"
        )
    if len(password) < 12:
        raise InvalidInput("user.weak_password", "a password has at least 12 characters")
    with ctx.db.write() as conn:
        owner = _unit_row(conn, unit_id)
        check_roles_for_unit(UnitKind(owner.kind), role_set)
        if conn.execute(sa.select(app_user.c.id).where(app_user.c.username == login)).first():
            raise Conflict("user.duplicate", f"username {login!r} is taken")
        values: UserView = {
            "id": 0,
            "unit_id": unit_id,
            "username": login,
            "display_name": validate_name(display_name),
            "roles": sorted(r.value for r in role_set),
        }
        stored = {k: v for k, v in values.items() if k != "id"}
        new_id = conn.execute(
            app_user.insert()
            .values(**stored, password_hash=_hasher.hash(password), created_at=ctx.now())
            .returning(app_user.c.id)
        ).scalar_one()
        audit.record(conn, ctx, principal, "user.create", "user", new_id, after=stored)
    values["id"] = int(new_id)
    return values


@dataclass(frozen=True)
class IssuedToken:
    """A token as issued: the secret is shown this once and never stored."""

    id: int
    token: str
    name: str
    unit_id: int
    scopes: list[str]
    kind: str
    expires_at: str | None


def _issue(
    conn: sa.Connection,
    ctx: Context,
    *,
    unit_id: int,
    user_id: int | None,
    name: str,
    scopes: frozenset[Permission],
    kind: str,
    hours: int | None,
    token: str | None = None,
) -> IssuedToken:
    secret = token or TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = ctx.now() + timedelta(hours=hours) if hours else None
    scope_list = sorted(s.value for s in scopes)
    new_id = conn.execute(
        api_token.insert()
        .values(
            unit_id=unit_id,
            user_id=user_id,
            name=name,
            kind=kind,
            prefix=secret[:12],
            token_hash=hash_token(secret),
            scopes=scope_list,
            created_at=ctx.now(),
            expires_at=expires,
        )
        .returning(api_token.c.id)
    ).scalar_one()
    return IssuedToken(
        new_id, secret, name, unit_id, scope_list, kind, expires.isoformat() if expires else None
    )


def create_token(
    ctx: Context,
    principal: Principal,
    *,
    unit_id: int,
    name: str,
    scopes: Iterable[Permission],
    secret: str | None = None,
) -> IssuedToken:
    """An API token for a machine client of a unit; its scopes must fit the unit's kind.

    `secret` is for the demo data set only, whose tokens are published on purpose.
    """
    scope_set = frozenset(scopes)
    if Permission.UNITS_ADMIN not in principal.permissions:
        principal.require(Permission.TOKENS_MANAGE)
        if principal.unit_id != unit_id:
            raise Forbidden("access.other_unit", "a unit manages only its own tokens")
        if not scope_set <= principal.permissions:
            raise Forbidden("access.scope_escalation", "a token cannot hold more than its issuer")
    if not scope_set:
        raise InvalidInput("token.no_scope", "a token needs at least one scope")
    if not name.strip():
        raise InvalidInput("token.no_name", "a token needs a name saying what uses it")
    with ctx.db.write() as conn:
        owner = _unit_row(conn, unit_id)
        allowed = permissions_for(ROLES_FOR_KIND[UnitKind(owner.kind)])
        extra = scope_set - allowed
        if extra:
            raise InvalidInput(
                "token.scope_not_allowed",
                f"a {owner.kind} cannot hold {', '.join(sorted(p.value for p in extra))}",
            )
        issued = _issue(
            conn,
            ctx,
            unit_id=unit_id,
            user_id=None,
            name=name.strip(),
            scopes=scope_set,
            kind="api",
            hours=None,
            token=secret,
        )
        audit.record(
            conn,
            ctx,
            principal,
            "token.create",
            "api_token",
            issued.id,
            after={"unit_id": unit_id, "name": issued.name, "scopes": issued.scopes},
        )
    return issued


def revoke_token(ctx: Context, principal: Principal, token_id: int) -> TokenRevokedView:
    """Revoke a token at once; revoking twice is a conflict, not a silent success."""
    with ctx.db.write() as conn:
        row = conn.execute(sa.select(api_token).where(api_token.c.id == token_id)).first()
        if row is None:
            raise NotFound("token.not_found", f"no token {token_id}")
        if Permission.UNITS_ADMIN not in principal.permissions:
            principal.require(Permission.TOKENS_MANAGE)
            if row.unit_id != principal.unit_id:
                raise Forbidden("access.other_unit", "a unit manages only its own tokens")
        if row.revoked_at is not None:
            raise Conflict("token.already_revoked", f"token {token_id} was already revoked")
        conn.execute(
            api_token.update().where(api_token.c.id == token_id).values(revoked_at=ctx.now())
        )
        audit.record(conn, ctx, principal, "token.revoke", "api_token", token_id)
    return {"id": token_id, "revoked": True}


def list_tokens(ctx: Context, principal: Principal, unit_id: int) -> list[TokenView]:
    """A unit's tokens, without their secrets."""
    if Permission.UNITS_ADMIN not in principal.permissions:
        principal.require(Permission.TOKENS_MANAGE)
        if principal.unit_id != unit_id:
            raise Forbidden("access.other_unit", "a unit sees only its own tokens")
    with ctx.db.read() as conn:
        rows = conn.execute(
            sa.select(api_token).where(api_token.c.unit_id == unit_id).order_by(api_token.c.id)
        ).all()
    return [
        {
            "id": r.id,
            "name": r.name,
            "kind": r.kind,
            "prefix": r.prefix,
            "scopes": list(r.scopes),
            "created_at": r.created_at.isoformat(),
            "expires_at": r.expires_at.isoformat() if r.expires_at else None,
            "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
        }
        for r in rows
    ]


def login(ctx: Context, username: str, password: str, address: str = "local") -> IssuedToken:
    """Password login for people: a session token for SESSION_HOURS, audited. After
    `login_max_failures` failures in `login_window_minutes` for the account or from the
    address, further attempts are refused with 429 until the window passes (issue 9)."""
    login_name = username.strip().lower()[:80]
    address = address[:64]
    now = ctx.now()
    throttle.refuse_if_throttled(ctx, login_name, address, "auth.throttled", "logins")
    with ctx.db.write() as conn:
        row = conn.execute(
            sa.select(app_user, unit.c.active.label("unit_active"))
            .join(unit, unit.c.id == app_user.c.unit_id)
            .where(app_user.c.username == login_name)
        ).first()
        try:
            _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
        except VerificationError:
            row = None
        if row is not None and row.active and row.unit_active:
            roles = frozenset(Role(r) for r in row.roles)
            issued = _issue(
                conn,
                ctx,
                unit_id=row.unit_id,
                user_id=row.id,
                name=f"session {login_name}",
                scopes=permissions_for(roles),
                kind="session",
                hours=SESSION_HOURS,
            )
            principal = _principal_of(conn, issued.id)
            audit.record(conn, ctx, principal, "auth.login", "user", row.id)
            return issued
        # A failure is kept (and audited) in its own committed transaction: the refusal
        # below must not roll it back (SEC-3: refused attempts leave a trace).
        throttle.record_failure(conn, login_name, address, now)
        audit.record(
            conn,
            ctx,
            Actor(actor=f"login:{login_name}", unit_id=None),
            "auth.login_failed",
            "user",
            login_name,
            detail={"address": address},
        )
    raise Unauthenticated("auth.bad_credentials", "wrong username or password")


def _auth_statement() -> sa.Select[Any]:
    return _AUTH_QUERY.where(api_token.c.token_hash == sa.bindparam("h"))


_AUTH_QUERY = (
    sa.select(
        api_token.c.id,
        api_token.c.scopes,
        api_token.c.kind,
        api_token.c.expires_at,
        api_token.c.revoked_at,
        api_token.c.user_id,
        unit.c.id.label("unit_id"),
        unit.c.kind.label("unit_kind"),
        unit.c.region,
        unit.c.level,
        unit.c.fields,
        unit.c.active.label("unit_active"),
        app_user.c.username,
        app_user.c.roles,
        app_user.c.active.label("user_active"),
    )
    .join(unit, unit.c.id == api_token.c.unit_id)
    .outerjoin(app_user, app_user.c.id == api_token.c.user_id)
)


def _principal_from_row(row: Any) -> Principal:  # a row of _AUTH_QUERY
    scopes = frozenset(Permission(s) for s in decode_json(row.scopes))
    roles: frozenset[Role] = frozenset()
    if row.user_id is not None:
        roles = frozenset(Role(r) for r in decode_json(row.roles))
        # A session never holds more than the user's roles give today.
        scopes &= permissions_for(roles)
        actor = f"user:{row.username}"
    else:
        actor = f"token:{row.id}"
    return Principal(
        actor=actor,
        unit_id=row.unit_id,
        unit_kind=UnitKind(row.unit_kind),
        region=row.region,
        level=Level(row.level),
        fields=frozenset(decode_json(row.fields)),
        permissions=scopes,
        roles=roles,
    )


def _principal_of(conn: sa.Connection, token_id: int) -> Principal:
    return _principal_from_row(conn.execute(_AUTH_QUERY.where(api_token.c.id == token_id)).one())


def authenticate(ctx: Context, token: str) -> Principal:
    """The principal a bearer token stands for, or 401 with the reason."""
    # Every API call passes here: one indexed SELECT on the fast path.
    found = compiled_once(ctx.db, "auth.token", _auth_statement).first({"h": hash_token(token)})
    if found is None:
        raise Unauthenticated("auth.invalid_token", "the token is not known")
    row = SimpleNamespace(**found)
    if row.revoked_at is not None:
        raise Unauthenticated("auth.revoked_token", "the token was revoked")
    expires_at = decode_utc(row.expires_at)
    if expires_at is not None and expires_at <= ctx.now():
        raise Unauthenticated("auth.expired_token", "the session has expired; log in again")
    if not row.unit_active or (row.user_id is not None and not row.user_active):
        raise Unauthenticated("auth.inactive", "the token's unit or user is deactivated")
    # The token, its unit and its user are read above on every call (a revocation or a
    # change of roles counts at once); only the pure mapping of those values to a
    # Principal is remembered (it was a third of the authentication's time).
    key = tuple(
        value if isinstance(value, str | int | None) else orjson.dumps(value)
        for name, value in found.items()
        if name not in _CHECKED_EACH_TIME
    )
    principal = _PRINCIPALS.get(key)
    if principal is None:
        if len(_PRINCIPALS) >= 4096:
            _PRINCIPALS.clear()
        principal = _PRINCIPALS[key] = _principal_from_row(row)
    return principal


_CHECKED_EACH_TIME = frozenset({"expires_at", "revoked_at", "unit_active", "user_active"})
_PRINCIPALS: dict[tuple[Any, ...], Principal] = {}


def principal_dict(principal: Principal) -> PrincipalView:
    return {
        "actor": principal.actor,
        "unit_id": principal.unit_id,
        "unit_kind": principal.unit_kind.value if principal.unit_kind else None,
        "region": principal.region,
        "level": principal.level.value,
        "fields": sorted(principal.fields),
        "permissions": sorted(p.value for p in principal.permissions),
        "roles": sorted(r.value for r in principal.roles),
    }


def acting_for(ctx: Context, actor: str, unit_id: int) -> Principal:
    """An operator on the machine acting for a unit: the unit's scope (fields, region,
    level) and the permissions its kind's roles allow, under the operator's own name."""
    with ctx.db.read() as conn:
        row = _unit_row(conn, unit_id)
    kind = UnitKind(row.kind)
    if not row.active:
        raise Unauthenticated("auth.inactive", f"unit {unit_id} is deactivated")
    roles = ROLES_FOR_KIND[kind]
    return Principal(
        actor=f"{actor}@unit:{unit_id}",
        unit_id=unit_id,
        unit_kind=kind,
        region=row.region,
        level=Level(row.level),
        fields=frozenset(row.fields),
        permissions=permissions_for(frozenset(roles)),
        roles=frozenset(roles),
    )


def register_refusal(ctx: Context, caller: str, code: str, path: str) -> None:
    """SEC-3, issue 9: a refused call (401/403), counted per caller, minute and code; the
    first of each minute is an audit event, so a flood costs one row a minute."""
    now = ctx.now()
    minute = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    caller, code, path = caller[:120], code[:60], path[:200]
    key = (refusal.c.caller == caller) & (refusal.c.minute == minute) & (refusal.c.code == code)
    for _ in (1, 2):  # a concurrent first refusal of the minute may win the insert
        try:
            # A flood of refused calls does not wait in the writers' queue (PostgreSQL).
            with ctx.db.write(exclusive=False) as conn:
                counted = conn.execute(
                    refusal.update().where(key).values(count=refusal.c.count + 1, last_at=now)
                ).rowcount
                if counted:
                    return
                conn.execute(
                    refusal.insert().values(
                        caller=caller,
                        minute=minute,
                        code=code,
                        count=1,
                        first_path=path,
                        last_at=now,
                    )
                )
                audit.record(
                    conn,
                    ctx,
                    Actor(actor=caller, unit_id=None),
                    "access.refused",
                    "refusal",
                    caller,
                    detail={"code": code, "path": path, "minute": minute},
                )
                return
        except Conflict:
            continue


def refusals(ctx: Context, principal: Principal, limit: int = 200) -> list[RefusalView]:
    """The register of refused calls, newest first (the operator reviews it)."""
    principal.require(Permission.AUDIT_READ)
    with ctx.db.read() as conn:
        rows = conn.execute(
            sa.select(refusal)
            .order_by(refusal.c.last_at.desc(), refusal.c.id.desc())
            .limit(max(1, min(limit, 1000)))
        ).all()
    return [
        {
            "caller": r.caller,
            "minute": r.minute,
            "code": r.code,
            "count": int(r._mapping["count"]),  # Row.count is the tuple method
            "first_path": r.first_path,
            "last_at": r.last_at.isoformat(),
        }
        for r in rows
    ]
