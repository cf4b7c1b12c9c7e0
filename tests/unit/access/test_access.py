"""Roles, permissions and scopes (SEC-1)."""

from __future__ import annotations

import pytest

from creditreg.domain.access.principals import (
    ROLES_FOR_KIND,
    Level,
    Principal,
    Role,
    UnitKind,
    check_roles_for_unit,
    permissions_for,
)
from creditreg.domain.errors import Forbidden, InvalidInput
from creditreg.domain.kernel.actor import Permission


def principal(level: Level, region: str, perms: frozenset[Permission] = frozenset()) -> Principal:
    return Principal(
        actor="user:x",
        unit_id=1,
        unit_kind=UnitKind.DESIGNATING_UNIT,
        region=region,
        level=level,
        fields=frozenset({"taxation"}),
        permissions=perms,
    )


@pytest.mark.parametrize(
    ("level", "region", "target", "inside"),
    [
        (Level.NATIONAL, "000000", "410105", True),
        (Level.PROVINCIAL, "410000", "410105", True),
        (Level.PROVINCIAL, "410000", "420105", False),
        (Level.MUNICIPAL, "410100", "410105", True),
        (Level.MUNICIPAL, "410100", "410205", False),
        (Level.COUNTY, "410105", "410105", True),
        (Level.COUNTY, "410105", "410106", False),
    ],
)
def test_region_scope_follows_the_level__SEC_1(
    level: Level, region: str, target: str, inside: bool
) -> None:
    who = principal(level, region)
    assert who.covers_region(target) is inside
    if not inside:
        with pytest.raises(Forbidden) as err:
            who.require_region(target)
        assert err.value.code == "access.outside_region"


def test_missing_permission_and_field_are_forbidden_with_a_reason__SEC_1() -> None:
    who = principal(Level.PROVINCIAL, "410000", frozenset({Permission.SUBJECTS_READ}))
    who.require(Permission.SUBJECTS_READ)
    with pytest.raises(Forbidden) as err:
        who.require(Permission.SUBJECTS_WRITE)
    assert err.value.code == "access.missing_permission"
    assert err.value.status == 403
    who.require_field("taxation")
    with pytest.raises(Forbidden) as err:
        who.require_field("finance")
    assert err.value.code == "access.outside_field"


def test_platform_powers_stay_with_the_platform_operator__SEC_1() -> None:
    for kind, roles in ROLES_FOR_KIND.items():
        if kind is not UnitKind.PLATFORM_OPERATOR:
            assert Permission.UNITS_ADMIN not in permissions_for(roles)
            assert Permission.CLOCK_CONTROL not in permissions_for(roles)
    with pytest.raises(InvalidInput) as err:
        check_roles_for_unit(UnitKind.IMPLEMENTING_UNIT, frozenset({Role.OPERATOR}))
    assert err.value.code == "unit.role_not_allowed"
