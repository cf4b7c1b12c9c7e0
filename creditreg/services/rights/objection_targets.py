"""What an objection is about: a record or a list entry, as the objector may see it, and
who decides (Art 41: the platform for records; Op(22): the designating unit for entries).
Rights sits above records and lists, so it reads them directly; they learn of objections
only through the markers it registers and the events it hears."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Conflict, NotFound
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.lists.entries import EntryStatus
from creditreg.domain.records.catalog import Disclosure
from creditreg.domain.records.lifecycle import LIVE as RECORD_LIVE
from creditreg.domain.rights.objections import OPEN, ObjectorKind, TargetType
from creditreg.services.lists.entry_changes import ENTRY_PUBLICATIONS
from creditreg.services.rights.objectors import Objector
from creditreg.store.lists.tables import list_entry, list_notice
from creditreg.store.records.tables import record
from creditreg.store.rights.objection_tables import objection


@dataclass(frozen=True, slots=True)
class Target:
    """The record or entry objected to, and who acts on an objection to it."""

    type: TargetType
    id: int
    subject_id: int
    # None: the platform decides (records, Art 41; entries the platform made itself).
    deciding_unit_id: int | None
    provider_unit_id: int | None
    row: Any


def _not_found(target_type: TargetType, target_id: int) -> NotFound:
    if target_type is TargetType.RECORD:
        return NotFound("record.not_found", f"no record {target_id}")
    return NotFound("entry.not_found", f"no list entry {target_id}")


def load(conn: sa.Connection, target_type: TargetType, target_id: int) -> Target:
    """The target as stored (for those who handle its objections)."""
    if target_type is TargetType.RECORD:
        row = conn.execute(sa.select(record).where(record.c.id == target_id)).first()
        if row is None:
            raise _not_found(target_type, target_id)
        return Target(target_type, row.id, row.subject_id, None, row.providing_unit_id, row)
    row = conn.execute(sa.select(list_entry).where(list_entry.c.id == target_id)).first()
    if row is None:
        raise _not_found(target_type, target_id)
    return Target(target_type, row.id, row.subject_id, row.designating_unit_id, None, row)


def visible(
    conn: sa.Connection, objector: Objector, target_type: TargetType, target_id: int
) -> Target:
    """The target as the objector may see it; one it may not see is answered as one that
    does not exist (404), so that objecting never tells what the platform holds."""
    target = load(conn, target_type, target_id)
    if not _may_see(conn, objector, target):
        raise _not_found(target_type, target_id)
    if target.type is TargetType.RECORD and target.row.status not in RECORD_LIVE:
        raise Conflict(
            "objection.target_ended",
            f"record {target.id} is {target.row.status}: it is no longer used or shown",
        )
    if target.type is TargetType.LIST_ENTRY and target.row.status in (
        EntryStatus.REMOVED.value,
        EntryStatus.DELETED.value,
    ):
        raise Conflict("objection.target_ended", f"entry {target.id} is {target.row.status}")
    return target


def _may_see(conn: sa.Connection, objector: Objector, target: Target) -> bool:
    if objector.kind is ObjectorKind.SUBJECT_ACCOUNT:
        # A subject sees (and objects to) what the platform holds about itself (Art 40, 41).
        return objector.subject_id == target.subject_id
    principal = objector.principal
    if target.type is TargetType.RECORD:
        if principal is not None and (
            principal.unit_id == target.provider_unit_id
            or Permission.RECORDS_VERIFY in principal.permissions
        ):
            return True
        shown = {Disclosure.PUBLIC_DISPLAY.value}
        if principal is not None:
            # Art 18: government sharing is open to the units of government.
            shown.add(Disclosure.GOVERNMENT_SHARING.value)
        return str(target.row.disclosure) in shown
    if principal is not None and Permission.LISTS_READ in principal.permissions:
        return True  # LST-9: every authorized unit sees the entries
    return _published(conn, target.id)


def _published(conn: sa.Connection, entry_id: int) -> bool:
    """DIS-4: is the entry published today (what anyone may see of the lists)?"""
    return (
        conn.execute(
            sa.select(list_notice.c.id)
            .where(
                list_notice.c.entry_id == entry_id,
                list_notice.c.audience == "public",
                list_notice.c.kind.in_(ENTRY_PUBLICATIONS),
            )
            .limit(1)
        ).first()
        is not None
    )


def may_decide(principal: Principal, target: Target) -> bool:
    """Art 41: the platform decides objections to records; Op(22): the designating unit
    decides objections to its entries (the platform those it made itself)."""
    if target.type is TargetType.RECORD or target.deciding_unit_id is None:
        return Permission.OBJECTIONS_HANDLE in principal.permissions and (
            principal.unit_id is None or principal.unit_kind is None or _platform(principal)
        )
    # Op(22), as for restoration (Op(18)): the platform's operator is not the designating
    # unit; it acts for it with --unit.
    return (
        Permission.LISTS_DESIGNATE in principal.permissions
        and principal.unit_id == target.deciding_unit_id
    )


def _platform(principal: Principal) -> bool:
    return principal.unit_kind is not None and principal.unit_kind.value == "platform_operator"


def markers(target_type: TargetType) -> Any:
    """The marker function records or lists calls: which of these ids are under objection."""

    def marked(conn: sa.Connection, ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        for start in range(0, len(ids), 1000):
            found |= set(
                conn.execute(
                    sa.select(objection.c.target_id).where(
                        objection.c.target_type == target_type.value,
                        objection.c.target_id.in_(list(ids[start : start + 1000])),
                        objection.c.status.in_([s.value for s in OPEN]),
                    )
                ).scalars()
            )
        return found

    return marked
