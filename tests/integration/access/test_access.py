"""Units, users, tokens and login (SEC-1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from creditreg.clock import FixedClock
from creditreg.demo.dataset import demo_uscc
from creditreg.domain.access.principals import SYSTEM, Level, Role, UnitKind
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from creditreg.domain.kernel.actor import Permission
from creditreg.services.access import access
from creditreg.services.context import Context
from creditreg.store.access.tables import api_token

PROVIDER_USCC = demo_uscc("11410100MB0000099")


def provider_unit(ctx: Context) -> int:
    created = access.create_unit(
        ctx,
        SYSTEM,
        name="郑州市税务局",
        uscc=PROVIDER_USCC,
        kind=UnitKind.PROVIDING_UNIT,
        region="410100",
        level=Level.MUNICIPAL,
        fields=["taxation"],
    )
    return int(created["id"])


def test_token_is_hashed_shown_once_scoped_and_revocable__SEC_1(ctx: Context) -> None:
    unit_id = provider_unit(ctx)
    issued = access.create_token(
        ctx,
        SYSTEM,
        unit_id=unit_id,
        name="tax system",
        scopes=[Permission.SUBJECTS_WRITE, Permission.SUBJECTS_READ],
    )
    with ctx.db.read() as conn:
        stored = conn.execute(sa.select(api_token)).one()
    assert issued.token not in (stored.token_hash, stored.prefix)
    assert stored.token_hash == access.hash_token(issued.token)
    assert all("token" not in t or t["prefix"] for t in access.list_tokens(ctx, SYSTEM, unit_id))
    who = access.authenticate(ctx, issued.token)
    assert who.unit_id == unit_id and who.region == "410100" and who.fields == {"taxation"}
    assert who.permissions == {Permission.SUBJECTS_WRITE, Permission.SUBJECTS_READ}
    access.revoke_token(ctx, SYSTEM, issued.id)
    with pytest.raises(Unauthenticated) as err:
        access.authenticate(ctx, issued.token)
    assert err.value.code == "auth.revoked_token"
    with pytest.raises(Conflict):
        access.revoke_token(ctx, SYSTEM, issued.id)


def test_token_scopes_must_fit_the_unit_kind__SEC_1(ctx: Context) -> None:
    unit_id = provider_unit(ctx)
    with pytest.raises(InvalidInput) as err:
        access.create_token(ctx, SYSTEM, unit_id=unit_id, name="x", scopes=[Permission.AUDIT_READ])
    assert err.value.code == "token.scope_not_allowed"


def test_unit_admin_manages_only_its_own_tokens_and_cannot_escalate__SEC_1(ctx: Context) -> None:
    unit_id = provider_unit(ctx)
    other = access.create_unit(
        ctx,
        SYSTEM,
        name="其他单位",
        uscc=demo_uscc("11410100MB0000098"),
        kind=UnitKind.PROVIDING_UNIT,
        region="410100",
        level=Level.MUNICIPAL,
    )["id"]
    manager = access.create_token(
        ctx,
        SYSTEM,
        unit_id=unit_id,
        name="admin",
        scopes=[Permission.TOKENS_MANAGE, Permission.SUBJECTS_READ],
    )
    who = access.authenticate(ctx, manager.token)
    own = access.create_token(
        ctx, who, unit_id=unit_id, name="reader", scopes=[Permission.SUBJECTS_READ]
    )
    assert own.scopes == ["subjects:read"]
    with pytest.raises(Forbidden) as err:
        access.create_token(ctx, who, unit_id=other, name="x", scopes=[Permission.SUBJECTS_READ])
    assert err.value.code == "access.other_unit"
    with pytest.raises(Forbidden) as err:
        access.create_token(ctx, who, unit_id=unit_id, name="x", scopes=[Permission.SUBJECTS_WRITE])
    assert err.value.code == "access.scope_escalation"


def test_password_login_issues_an_expiring_session__SEC_1(ctx: Context) -> None:
    unit_id = provider_unit(ctx)
    access.create_user(
        ctx,
        SYSTEM,
        unit_id=unit_id,
        username="Wang.Li",
        display_name="王力",
        password="correct horse battery",
        roles=[Role.PROVIDER],
    )
    session = access.login(ctx, "wang.li", "correct horse battery")
    who = access.authenticate(ctx, session.token)
    assert who.actor == "user:wang.li" and Permission.SUBJECTS_WRITE in who.permissions
    with pytest.raises(Unauthenticated) as err:
        access.login(ctx, "wang.li", "wrong password!!")
    assert err.value.code == "auth.bad_credentials"
    with pytest.raises(Unauthenticated) as err:
        access.login(ctx, "nobody", "correct horse battery")
    assert err.value.code == "auth.bad_credentials"
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.advance(timedelta(hours=access.SESSION_HOURS, seconds=1))
    with pytest.raises(Unauthenticated) as err:
        access.authenticate(ctx, session.token)
    assert err.value.code == "auth.expired_token"


def test_roles_must_fit_the_unit_and_passwords_be_long__SEC_1(ctx: Context) -> None:
    unit_id = provider_unit(ctx)
    with pytest.raises(InvalidInput) as err:
        access.create_user(
            ctx,
            SYSTEM,
            unit_id=unit_id,
            username="x",
            display_name="x",
            password="long enough password",
            roles=[Role.PLATFORM_ADMIN],
        )
    assert err.value.code == "unit.role_not_allowed"
    with pytest.raises(InvalidInput) as err:
        access.create_user(
            ctx,
            SYSTEM,
            unit_id=unit_id,
            username="x",
            display_name="x",
            password="short",
            roles=[Role.PROVIDER],
        )
    assert err.value.code == "user.weak_password"
    with pytest.raises(Conflict):
        access.create_unit(
            ctx,
            SYSTEM,
            name="dup",
            uscc=PROVIDER_USCC.lower(),
            kind=UnitKind.PROVIDING_UNIT,
            region="410100",
            level=Level.MUNICIPAL,
        )
    with pytest.raises(InvalidInput) as err:
        access.create_unit(
            ctx,
            SYSTEM,
            name="bad",
            uscc=demo_uscc("11410100MB0000097"),
            kind=UnitKind.PROVIDING_UNIT,
            region="41010",
            level=Level.MUNICIPAL,
        )
    assert err.value.code == "unit.invalid_region"
