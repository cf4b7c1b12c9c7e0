"""Units, roles and scopes (SEC-1; Art 24(2), Op(24)), and subject accounts (issue 10).

Every user and API token of a unit belongs to that unit. What it may do is the
permissions of its roles (a token may hold fewer); where it may do it is its unit's
scope: region, level and fields. A subject account is a principal of its own kind: its
scope is its one credit subject, and it holds only `rights:self` (Art 40).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from creditreg.domain.errors import Forbidden, InvalidInput
from creditreg.domain.kernel.actor import Actor, Permission


class PrincipalKind(StrEnum):
    """A unit's user or token, or a credit subject's account."""

    UNIT = "unit"
    SUBJECT = "subject"


class UnitKind(StrEnum):
    PLATFORM_OPERATOR = "platform_operator"
    PROVIDING_UNIT = "providing_unit"
    DESIGNATING_UNIT = "designating_unit"
    IMPLEMENTING_UNIT = "implementing_unit"
    CREDIT_SERVICE_ESTABLISHMENT = "credit_service_establishment"
    # OBJ-3, Art 28, Op(22): reconsiders an objection's outcome for a dissatisfied objector.
    PROVINCIAL_DEPARTMENT = "provincial_department"


class Level(StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    COUNTY = "county"


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    OPERATOR = "operator"
    PROVIDER = "provider"
    DESIGNATOR = "designator"
    IMPLEMENTER = "implementer"
    AUDITOR = "auditor"
    UNIT_ADMIN = "unit_admin"
    RECONSIDERER = "reconsiderer"


P = Permission
# What only a subject account holds: no role of a unit gives it, so that a unit's token is
# never taken for a subject acting on itself.
SUBJECT_PERMISSIONS: frozenset[Permission] = frozenset({P.RIGHTS_SELF})
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PLATFORM_ADMIN: frozenset(Permission) - SUBJECT_PERMISSIONS,
    Role.OPERATOR: frozenset(
        {
            P.SUBJECTS_READ,
            P.SUBJECTS_WRITE,
            P.PERSONAL_READ,
            P.CALENDAR_WRITE,
            P.AUDIT_READ,
            P.CATALOG_WRITE,
            P.RECORDS_READ,
            P.RECORDS_VERIFY,
            P.RECORDS_SUBMIT,
            P.STANDARDS_WRITE,
            P.LISTS_READ,
            P.LISTS_RECEIVE,
            # SEC-5, Art 65: overdue verifications and restorations are flagged to it.
            P.INBOX_READ,
            # Art 41: the platform accepts and decides objections to records.
            P.OBJECTIONS_HANDLE,
            # Issue 10: binds subject accounts after checking an identity document.
            P.ACCOUNTS_ISSUE,
            # Issue 11, Art 29, Op(12): compiles the catalog of measures and the memoranda.
            P.MEASURES_WRITE,
            # Issue 11: the platform's own webhooks, and every unit's delivery log.
            P.WEBHOOKS_MANAGE,
        }
    ),
    Role.PROVIDER: frozenset(
        {
            P.SUBJECTS_READ,
            P.SUBJECTS_WRITE,
            P.CATALOG_FILE,
            P.RECORDS_SUBMIT,
            P.RECORDS_READ,
            P.INBOX_READ,
        }
    ),
    Role.DESIGNATOR: frozenset(
        {
            P.SUBJECTS_READ,
            P.PERSONAL_READ,
            P.STANDARDS_WRITE,
            P.LISTS_READ,
            P.LISTS_DESIGNATE,
            P.LISTS_RECEIVE,
            # SEC-5, Art 65: overdue restorations (and later objections) reach its inbox.
            P.INBOX_READ,
        }
    ),
    # MEA-3: the check; MEA-5, LST-9 (issue 11): stop and designation notices by inbox
    # and webhook.
    Role.IMPLEMENTER: frozenset(
        {P.SUBJECTS_READ, P.LISTS_READ, P.MEASURES_CHECK, P.WEBHOOKS_MANAGE}
    ),
    Role.AUDITOR: frozenset({P.AUDIT_READ, P.SUBJECTS_READ, P.LISTS_READ}),
    Role.UNIT_ADMIN: frozenset({P.TOKENS_MANAGE}),
    # OBJ-3, Op(22): the provincial department's reconsideration (its inbox tells it of
    # applications and of the late ones).
    Role.RECONSIDERER: frozenset({P.RECONSIDERATION_DECIDE, P.INBOX_READ}),
}

# Which roles a unit of each kind may give its people: the platform's own powers stay
# with the platform operator.
ROLES_FOR_KIND: dict[UnitKind, frozenset[Role]] = {
    UnitKind.PLATFORM_OPERATOR: frozenset(Role),
    UnitKind.PROVIDING_UNIT: frozenset({Role.PROVIDER, Role.UNIT_ADMIN}),
    UnitKind.DESIGNATING_UNIT: frozenset({Role.DESIGNATOR, Role.PROVIDER, Role.UNIT_ADMIN}),
    UnitKind.IMPLEMENTING_UNIT: frozenset({Role.IMPLEMENTER, Role.UNIT_ADMIN}),
    UnitKind.CREDIT_SERVICE_ESTABLISHMENT: frozenset({Role.PROVIDER, Role.UNIT_ADMIN}),
    UnitKind.PROVINCIAL_DEPARTMENT: frozenset({Role.RECONSIDERER, Role.UNIT_ADMIN}),
}

# How many leading digits of the 6-digit division code a level's region covers.
_LEVEL_PREFIX = {Level.NATIONAL: 0, Level.PROVINCIAL: 2, Level.MUNICIPAL: 4, Level.COUNTY: 6}
_REGION = re.compile(r"[0-9]{6}")


def validate_region(code: str) -> str:
    """A 6-digit administrative division code (GB/T 2260)."""
    if not _REGION.fullmatch(code):
        raise InvalidInput("unit.invalid_region", f"a region is a 6-digit division code: {code!r}")
    return code


def permissions_for(roles: frozenset[Role]) -> frozenset[Permission]:
    """The union of the roles' permissions."""
    result: set[Permission] = set()
    for role in roles:
        result |= ROLE_PERMISSIONS[role]
    return frozenset(result)


def check_roles_for_unit(kind: UnitKind, roles: frozenset[Role]) -> None:
    """A unit can only give roles that fit its kind."""
    extra = roles - ROLES_FOR_KIND[kind]
    if extra:
        raise InvalidInput(
            "unit.role_not_allowed",
            f"a {kind.value} cannot give role(s) {', '.join(sorted(extra))}",
        )


@dataclass(frozen=True, slots=True)
class Principal(Actor):
    """Who is calling: a user or an API token, with its unit's scope (built on the kernel's
    Actor, which is what the audit log records)."""

    unit_kind: UnitKind | None = None
    region: str = "000000"
    level: Level = Level.NATIONAL
    fields: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[Role] = field(default_factory=frozenset)
    # Issue 10: a subject account's principal names its one subject; a unit's has none.
    kind: PrincipalKind = PrincipalKind.UNIT
    subject_id: int | None = None

    @property
    def is_subject(self) -> bool:
        """True for a subject account (or an operator acting on a subject's behalf)."""
        return self.kind is PrincipalKind.SUBJECT

    def owns_subject(self, subject_id: int) -> bool:
        """True when this is a subject principal scoped to `subject_id`."""
        return self.is_subject and self.subject_id == subject_id

    def covers_region(self, region: str) -> bool:
        """True when `region` lies inside the principal's unit's region at its level."""
        keep = _LEVEL_PREFIX[self.level]
        return region[:keep] == self.region[:keep]

    def require_region(self, region: str) -> None:
        """Raise 403 `access.outside_region` unless the principal's region covers `region`."""
        if not self.covers_region(region):
            raise Forbidden(
                "access.outside_region",
                f"{self.actor} acts in region {self.region} ({self.level.value}), not {region}",
            )

    def require_field(self, field_code: str) -> None:
        """Raise 403 `access.outside_field` unless the unit is competent for `field_code`."""
        if field_code not in self.fields:
            raise Forbidden(
                "access.outside_field", f"{self.actor} is not competent for field {field_code!r}"
            )


SYSTEM = Principal(
    actor="system",
    unit_id=None,
    unit_kind=None,
    region="000000",
    level=Level.NATIONAL,
    fields=frozenset(),
    permissions=frozenset(Permission),
    roles=frozenset({Role.PLATFORM_ADMIN}),
)


def subject_principal(actor: str, subject_id: int) -> Principal:
    """A subject account's principal: scoped to its one subject, holding only what a
    subject may do on itself (SEC-1 as amended by issue 10). `actor` names the account, or
    the operator and the subject when an operator acts on the subject's behalf."""
    return Principal(
        actor=actor,
        unit_id=None,
        unit_kind=None,
        permissions=SUBJECT_PERMISSIONS,
        kind=PrincipalKind.SUBJECT,
        subject_id=subject_id,
    )


def not_your_subject(principal: Principal, subject_id: int) -> Forbidden:
    """The refusal a subject principal meets when it asks about another subject."""
    return Forbidden(
        "account.not_your_subject",
        f"{principal.actor} acts for subject {principal.subject_id}, not subject {subject_id}",
    )
