"""Access: login, the caller, units, their users and API tokens (SEC-1)."""

from __future__ import annotations

from pydantic import Field

from creditreg.api.schemas.common import In, Out, Timestamp
from creditreg.domain.access.principals import Level, Role, UnitKind
from creditreg.domain.kernel.actor import Permission


class LoginIn(In):
    """A person's username and password."""

    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class Session(Out):
    """A session token: send it as `Authorization: Bearer <token>` until it expires."""

    token: str
    expires_at: Timestamp | None = Field(description="8 hours after login")
    scopes: list[Permission] = Field(description="what the user's roles allow today")


class Me(Out):
    """The caller as the platform sees it: its unit, scope and permissions."""

    actor: str = Field(description="`user:<username>` or `token:<id>`, as the audit log names it")
    unit_id: int | None
    unit_kind: UnitKind | None
    region: str | None = Field(description="6-digit administrative division code")
    level: Level
    fields: list[str] = Field(description="the fields the unit is competent for")
    permissions: list[Permission]
    roles: list[Role] = Field(description="a person's roles; empty for an API token")


class UnitIn(In):
    """A unit to register, with its kind and scope."""

    name: str
    uscc: str
    kind: UnitKind
    region: str = Field(description="6-digit administrative division code")
    level: Level
    fields: list[str] = Field(default_factory=list, description="fields the unit is competent for")


class Unit(Out):
    """A unit: a state organ, a providing or implementing unit, the platform operator …"""

    id: int
    name: str
    uscc: str = Field(description="the unit's Unified Social Credit Code")
    kind: UnitKind
    region: str = Field(description="6-digit administrative division code")
    level: Level
    fields: list[str] = Field(description="fields the unit is competent for")
    active: bool


class UserIn(In):
    """A person of a unit who logs in with a password."""

    username: str = Field(max_length=80)
    display_name: str = Field(max_length=200)
    password: str = Field(max_length=200, description="12 to 200 characters (as a login takes)")
    roles: list[Role] = Field(min_length=1)


class User(Out):
    """A person of a unit (the password is never shown)."""

    id: int
    unit_id: int
    username: str
    display_name: str
    roles: list[Role]


class TokenIn(In):
    """An API token to issue: what uses it, and what it may do."""

    name: str
    scopes: list[Permission] = Field(min_length=1)


class IssuedToken(Out):
    """A new API token. The secret `token` is in this answer only: store it now."""

    id: int
    token: str = Field(description="the secret; only its SHA-256 is stored")
    name: str
    unit_id: int
    scopes: list[Permission]
    note: str


class Token(Out):
    """An API or session token of a unit, without its secret."""

    id: int
    name: str
    kind: str = Field(description="`api` (a machine client) or `session` (a login)")
    prefix: str = Field(description="the secret's first 12 characters, to recognise it")
    scopes: list[Permission]
    created_at: Timestamp
    expires_at: Timestamp | None
    revoked_at: Timestamp | None


class TokenRevoked(Out):
    """A token revoked at once."""

    id: int
    revoked: bool


class Refusal(Out):
    """SEC-3: the calls refused (401/403) to one caller in one minute with one code."""

    caller: str = Field(description="`token:N`, `user:name`, or `address:IP` without a token")
    minute: str = Field(description="UTC, `YYYY-MM-DDTHH:MM`")
    code: str
    count: int
    first_path: str
    last_at: str


class RegisteredQuery(Out):
    """SEC-2, Op(24): one read of a subject's information by a unit, as registered."""

    id: int
    at: Timestamp
    unit_id: int | None
    unit_name: str | None
    actor: str = Field(description="`user:<username>`, `token:<id>`, `cli:<user>`")
    subject_id: int | None = Field(
        description="None: a check of an identifier that named no subject (`object_id` "
        "holds the identifier's digest)"
    )
    purpose: str
    note: str | None = Field(description="the check's own purpose (`procurement` ...)")
    what: str = Field(description="`check`, `check.linked`, `subject.lookup`, `record` ...")
    object_id: str | None
    returned: dict[str, list[int | str]] | None = Field(
        description="the check: the ids of the entries, linked entries and records and the "
        "codes of the measures it returned"
    )
    answer_digest: str | None = Field(description="SHA-256 of the answer (the check)")


class LoggedOut(Out):
    """The session ended: its token is refused from now on (`auth.revoked_token`)."""

    revoked: bool
    actor: str = Field(description="whose session it was")
