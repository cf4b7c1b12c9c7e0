"""Who acts: the value type the audit log records, and the vocabulary of permissions.

The kernel is the lowest context, so the audit log, the calendar and the clock, which
check permissions of their own, find both here; the access context builds its principals
(units, roles, scopes) on `Actor`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from creditreg.domain.errors import Forbidden


class Permission(StrEnum):
    SUBJECTS_READ = "subjects:read"
    SUBJECTS_WRITE = "subjects:write"
    # Unmasked personal identifiers (Op(11), Op(24)); without it they are masked.
    PERSONAL_READ = "personal:read"
    CALENDAR_WRITE = "calendar:write"
    UNITS_ADMIN = "units:admin"
    TOKENS_MANAGE = "tokens:manage"  # tokens of one's own unit
    AUDIT_READ = "audit:read"
    CLOCK_CONTROL = "clock:control"
    CATALOG_WRITE = "catalog:write"  # draft and approve public catalog items (Art 11)
    CATALOG_FILE = "catalog:file"  # file a market catalog item of one's own (Art 14)
    RECORDS_SUBMIT = "records:submit"
    RECORDS_READ = "records:read"
    RECORDS_VERIFY = "records:verify"  # the platform's data verification (Art 17)
    INBOX_READ = "inbox:read"
    STANDARDS_WRITE = "standards:write"  # publish designation standards of one's fields (Op(3))
    LISTS_READ = "lists:read"  # entries in force, for every authorized unit (LST-9)
    LISTS_DESIGNATE = "lists:designate"  # run the list procedures (Op(6), Art 28)
    # Receive objections and restoration applications for a subject (Art 41, 43).
    LISTS_RECEIVE = "lists:receive"
    # Issue 10, part 4: accept and decide objections to records for the platform (Art 41).
    OBJECTIONS_HANDLE = "objections:handle"
    # Issue 10, part 4: the provincial department reconsiders objections' outcomes (Art 28).
    RECONSIDERATION_DECIDE = "reconsideration:decide"
    # Issue 10: bind subject accounts after an identity check (activation codes).
    ACCOUNTS_ISSUE = "accounts:issue"
    # Issue 10: a subject account acting on its own subject, and only on it (Art 40).
    RIGHTS_SELF = "rights:self"
    # Issue 11: the catalog of measures and the memoranda of cooperation (Art 29, Op(12)).
    MEASURES_WRITE = "measures:write"
    # MEA-3, Op(12): the check, for implementing units inside their own workflows.
    MEASURES_CHECK = "measures:check"
    # Issue 11, MEA-5, LST-9: a unit's webhook endpoints, subscriptions and delivery log.
    WEBHOOKS_MANAGE = "webhooks:manage"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something: "user:alice", "token:12", "system", with the unit it acted for
    and the permissions it held."""

    actor: str
    unit_id: int | None
    permissions: frozenset[Permission] = field(default_factory=frozenset)

    def require(self, permission: Permission) -> None:
        """Raise 403 `access.missing_permission` unless the actor holds `permission`."""
        if permission not in self.permissions:
            raise Forbidden(
                "access.missing_permission",
                f"{self.actor} lacks the permission {permission.value}",
                permission=permission.value,
            )
