"""What the lists context registers at bootstrap: how it reacts to records' events, the
due dates it keeps beside its deadlines, what an entry owns, and the blacklist's hold on
the display of a subject's records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.kernel.events import DomainEvent
from creditreg.domain.lists.entries import EntryStatus
from creditreg.domain.lists.standards import ListType
from creditreg.domain.records.catalog import Character
from creditreg.services.access import inbox
from creditreg.services.context import Context
from creditreg.services.kernel.registry import Registry
from creditreg.services.lists import entry_steps
from creditreg.services.lists.entries import window_rule
from creditreg.services.lists.entry_changes import erase_owned
from creditreg.services.records.lifecycle import DISPLAY_HOLDS
from creditreg.store.lists import queries
from creditreg.store.lists.tables import list_entry, restoration_application, upward_report
from creditreg.store.records.tables import record


def _revoke_entries(conn: sa.Connection, ctx: Context, batch: Sequence[DomainEvent]) -> None:
    """ING-7, Art 42: a withdrawn record revokes the entries resting on it, in the same
    transaction (a failure here rolls the withdrawal back)."""
    for e in batch:
        entry_steps.revoke_resting_on(conn, ctx, SYSTEM, int(e.payload["record_id"]))


def _red_list_conduct(conn: sa.Connection, ctx: Context, batch: Sequence[DomainEvent]) -> None:
    """RST-4(2), Op(19): a red-listed subject with a verified untrustworthy record may no
    longer merit incentives; the designating unit judges (removal for `unfit_conduct`),
    so it is told, once per entry and record, in the verification's transaction."""
    record_ids = sorted({int(e.payload["record_id"]) for e in batch if "record_id" in e.payload})
    if not record_ids:
        return
    found = conn.execute(
        sa.select(record.c.id, record.c.subject_id).where(
            record.c.id.in_(record_ids),
            record.c.character == Character.UNTRUSTWORTHY.value,
        )
    ).all()
    if not found:
        return
    by_subject: dict[int, list[int]] = {}
    for r in found:
        by_subject.setdefault(int(r.subject_id), []).append(int(r.id))
    red = conn.execute(
        sa.select(list_entry.c.id, list_entry.c.subject_id, list_entry.c.designating_unit_id).where(
            list_entry.c.subject_id.in_(list(by_subject)),
            list_entry.c.list_type == ListType.RED_LIST.value,
            list_entry.c.status == EntryStatus.DESIGNATED.value,
        )
    ).all()
    owners: dict[str, set[int]] = {}
    entries_of: dict[str, list[int]] = {}
    for e in red:
        for rid in by_subject[int(e.subject_id)]:
            owners.setdefault(str(rid), set()).add(int(e.designating_unit_id))
            entries_of.setdefault(str(rid), []).append(int(e.id))

    def said(rid: str) -> str:
        listed = ", ".join(str(i) for i in sorted(entries_of[rid]))
        return (
            f"record {rid} (untrustworthy, verified) is of a subject on the red list "
            f"(entry {listed}): remove the entry if the conduct makes incentives "
            "inappropriate (Op(19), reason unfit_conduct)"
        )

    inbox.tell_once(conn, ctx.now(), "red_list.untrustworthy_record", "record", owners, said)


def _report_moved(conn: sa.Connection, owner_id: str, old: date, new: date) -> None:
    conn.execute(
        upward_report.update().where(upward_report.c.entry_id == int(owner_id)).values(due_date=new)
    )


def register(registry: Registry) -> None:
    """Subscribers, deadline followers, the entry eraser and the display hold."""
    registry.subscribe("record.withdrawn", _revoke_entries)
    registry.subscribe("record.verified", _red_list_conduct)
    for window in ("blacklist_objection", "red_list_announcement"):
        registry.follow_copy("list_entry", window, list_entry.c.id, list_entry.c.window_due)
    # LST-2, LST-3: the notice and the announcement state the window's end.
    registry.keep_told("list_entry", "blacklist_objection")
    registry.keep_told("list_entry", "red_list_announcement")
    for list_type in (ListType.BLACKLIST, ListType.RED_LIST):
        rule = window_rule(list_type, 0)  # what it says does not depend on its days
        registry.describe_rule(rule.code, rule.text)
    registry.follow("list_entry", "report_upward", _report_moved)
    # CAL-2, SEC-5: a restoration application's decision follows its recounted deadline.
    registry.follow_copy(
        "restoration_application",
        "restoration",
        restoration_application.c.id,
        restoration_application.c.due_date,
    )
    registry.on_erase("list_entry", erase_owned)
    # DIS-2, Art 19: while the subject is on a blacklist, its records stay displayed.
    registry.extend(DISPLAY_HOLDS, queries.blacklist_hold)
