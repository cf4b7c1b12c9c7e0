"""What the access context's use cases answer: typed views."""

from __future__ import annotations

from typing import TypedDict


class UnitView(TypedDict):
    """A unit with its kind and scope (SEC-1)."""

    id: int
    name: str
    uscc: str
    kind: str
    region: str
    level: str
    fields: list[str]
    active: bool


class UserView(TypedDict):
    """A user of a unit (never its password)."""

    id: int
    unit_id: int
    username: str
    display_name: str
    roles: list[str]


class TokenView(TypedDict):
    """An API or session token (never its secret)."""

    id: int
    name: str
    kind: str
    prefix: str
    scopes: list[str]
    created_at: str
    expires_at: str | None
    revoked_at: str | None


class TokenRevokedView(TypedDict):
    id: int
    revoked: bool


class PrincipalView(TypedDict):
    """Who the caller is: its unit, scope, permissions and roles."""

    actor: str
    unit_id: int | None
    unit_kind: str | None
    region: str
    level: str
    fields: list[str]
    permissions: list[str]
    roles: list[str]


class RefusalView(TypedDict):
    """Refused calls of one caller, minute and code (SEC-3)."""

    caller: str
    minute: str
    code: str
    count: int
    first_path: str
    last_at: str
