"""How list entries change, one entry or a hundred thousand at once.

Every change goes through the domain's transition table, appends a history row, writes
the notices and publications it calls for (Art 28, Op(11), Op(17), DIS-4), and an audit
event. The sweep and the designating unit's own actions share these functions, so an
automatic designation is the same designation as a manual one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from creditreg.domain.kernel.audit import digest
from creditreg.domain.kernel.events import event
from creditreg.domain.lists.entries import (
    FOLLOWED_BY_SCRUTINY,
    RESTORATION,
    Action,
    EntryStatus,
    RemovalReason,
    Validity,
    check_removal,
    transition,
)
from creditreg.domain.lists.notices import (
    CORRECTION,
    NOTICE_LANGUAGE,
    REMOVAL_REASONS,
    RESPONSIBLE_PERSONS,
    RIGHT_TO_OBJECT_LATER,
    period_text,
    restoration_text,
)
from creditreg.domain.lists.standards import ListType
from creditreg.domain.subjects.identifiers import SubjectKind
from creditreg.services.kernel import audit, events
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.lists.entry_writer import (
    ORIGIN_AFTER_REMOVAL,
    REPORT_UPWARD,
    Changes,
    Writer,
    chunks,
    derived_entry,
    public_subject,
    update_many,
)
from creditreg.services.lists.measure_refs import texts_of
from creditreg.store.lists import queries
from creditreg.store.lists.tables import (
    list_entry,
    list_entry_event,
    list_entry_person,
    list_entry_record,
    list_notice,
    restoration_application,
    upward_report,
)


def designate_rows(w: Writer, rows: Sequence[Any]) -> Changes:
    """LST-2..4: designation; validity from today; publication, upward report, cross-effects.
    Set-based: a sweep designating thousands costs a few statements per table."""
    changes = Changes()
    updates = []
    for row in rows:
        list_type = ListType(row.list_type)
        after = transition(list_type, EntryStatus(row.status), Action.DESIGNATE)
        until = Validity(w.today, row.validity_months).until
        updates.append({"_id": row.id, "_status": after.value, "_valid_until": until})
        w.history(row.id, "designate", row.status, after.value, detail={"valid_until": str(until)})
        content = {
            "subject": public_subject(row.subject_info),
            "facts": row.facts,
            "basis": row.basis,
            "designated_on": w.today.isoformat(),
            "valid_until": until.isoformat(),
        }
        # DIS-4, Op(11): published exactly for the validity period.
        w.publish(row, "designation", content, until)
        if list_type in (ListType.BLACKLIST, ListType.RED_LIST):
            # Art 28, Op(15): the subject is told the decision, its period, the measures
            # and whether and how it may restore its credit, not left to find it.
            told: dict[str, Any] = {
                **content,
                "measures": list(texts_of(row.measures)),
                "right_to_object": RIGHT_TO_OBJECT_LATER[NOTICE_LANGUAGE],
            }
            if list_type is ListType.BLACKLIST:
                told["restoration"] = restoration_text(
                    bool(row.restorable),
                    int(row.restoration_after_months or 0),
                    str(row.restoration_method or ""),
                    until,
                )
                if row.subject_info.get("kind") != SubjectKind.NATURAL_PERSON.value:
                    told["responsible_persons"] = RESPONSIBLE_PERSONS[NOTICE_LANGUAGE]
            w.notice(row, "designation_notice", "subject", "written", told)
        if list_type is ListType.KEY_SCRUTINY:
            # LST-4, Op(17): the subject is warned and told the scrutiny period.
            w.notice(
                row,
                "warning",
                "subject",
                "written",
                {
                    **content,
                    "scrutiny_period": period_text(w.today, until),
                    "measures": list(texts_of(row.measures)),
                },
            )
            w.rechecks.add(row.subject_id)
        changes.designated.append(row.id)
    update_many(w, updates, designated_on=w.today)
    queue_reports(w, changes.designated)
    changes.merge(_cross_effects(w, rows))
    return changes


def queue_reports(w: Writer, entry_ids: Sequence[int]) -> None:
    """LST-9, Op(10): queued for the upper-level platform, due 10 working days on; each
    deadline stored with its explanation (CAL-3)."""
    if not entry_ids:
        return
    due = calendar_service.register_deadlines(
        w.conn, w.ctx, w.calendar, "list_entry", entry_ids, REPORT_UPWARD, w.today
    )
    queries.insert_reports(
        w.conn, [{"entry_id": eid, "due_date": due, "queued_at": w.now} for eid in entry_ids]
    )


def live_entries(
    conn: sa.Connection, subject_id: int, list_type: ListType, field_code: str | None = None
) -> list[Any]:
    return live_entries_of(conn, [subject_id], list_type, field_code)


def live_entries_of(
    conn: sa.Connection,
    subject_ids: Sequence[int],
    list_type: ListType,
    field_code: str | None = None,
) -> list[Any]:
    """The live entries of these subjects on one list (in one field, if given)."""
    found: list[Any] = []
    for part in chunks(sorted(set(subject_ids))):
        query = sa.select(list_entry).where(
            list_entry.c.subject_id.in_(part),
            list_entry.c.list_type == list_type.value,
            list_entry.c.status != EntryStatus.REMOVED.value,
        )
        if field_code is not None:
            query = query.where(list_entry.c.field == field_code)
        found += conn.execute(query.order_by(list_entry.c.id)).all()
    return found


def _cross_effects(w: Writer, rows: Sequence[Any]) -> Changes:
    """Op(7): a blacklisted subject leaves every red list (and its key scrutiny in the field,
    which the blacklist supersedes); Op(19): key scrutiny also ends red-list entries."""
    changes = Changes()
    black = [r for r in rows if r.list_type == ListType.BLACKLIST.value]
    scrutiny = [r for r in rows if r.list_type == ListType.KEY_SCRUTINY.value]
    if black:
        reds = live_entries_of(w.conn, [r.subject_id for r in black], ListType.RED_LIST)
        changes.merge(remove_rows(w, reds, RemovalReason.BLACKLISTED))
        pairs = {(r.subject_id, r.field) for r in black}
        superseded = [
            e
            for e in live_entries_of(w.conn, [r.subject_id for r in black], ListType.KEY_SCRUTINY)
            if (e.subject_id, e.field) in pairs
        ]
        changes.merge(remove_rows(w, superseded, RemovalReason.BLACKLISTED))
    if scrutiny:
        reds = live_entries_of(w.conn, [r.subject_id for r in scrutiny], ListType.RED_LIST)
        changes.merge(remove_rows(w, reds, RemovalReason.KEY_SCRUTINY))
    return changes


def remove_rows(
    w: Writer,
    rows: Iterable[Any],
    reason: RemovalReason,
    scrutiny_months: int | None = None,
    note: str = "",
) -> Changes:
    """RST-3, RST-4: removal to the archive; published where the entry was (DIS-4);
    a blacklist removal (not for error) puts the subject under key scrutiny (Op(18))."""
    changes = Changes()
    updates = []
    follow = []
    rows = list(rows)
    published = published_channels(w.conn, [r.id for r in rows], w.today)
    for row in rows:
        list_type = ListType(row.list_type)
        check_removal(list_type, reason)
        after = transition(list_type, EntryStatus(row.status), Action.REMOVE)
        updates.append({"_id": row.id, "_status": after.value})
        w.history(row.id, "remove", row.status, after.value, reason.value, {"note": note})
        channels = published.get(row.id)
        if channels:
            # Op(20), Art 37: removal announced through the channels the entry was
            # actually published on (stored facts: an entry objected to during its notice
            # window was never public, and its removal is not published either).
            w.publish(
                row,
                "removal",
                {
                    "subject": public_subject(row.subject_info),
                    "removed_on": w.today.isoformat(),
                    "reason": reason.value,
                },
                w.notice_until,
                channels=channels,
            )
        if row.designated_on is not None:
            # RST-3, Art 37: the subject is told it left the list, and why.
            w.notice(
                row,
                "removal_notice",
                "subject",
                "written",
                {
                    "removed_on": w.today.isoformat(),
                    "removal_reason": REMOVAL_REASONS[reason][NOTICE_LANGUAGE],
                    # A unit's own words; a timer's note ("record 6") is no sentence.
                    "note": note if w.principal.unit_id is not None else "",
                },
            )
        if list_type is ListType.KEY_SCRUTINY:
            w.rechecks.add(row.subject_id)
        changes.removed.append(row.id)
        # Op(18): key scrutiny follows a removal from the blacklist, so only an entry that
        # was designated (a preliminary or notified one never put the subject on it).
        if (
            list_type is ListType.BLACKLIST
            and reason in FOLLOWED_BY_SCRUTINY
            and row.designated_on is not None
        ):
            follow.append(row)
    update_many(w, updates, removed_on=w.today, removal_reason=reason.value)
    end_publications(w, changes.removed)
    close_pending(w, changes.removed, f"entry removed: {reason.value}")
    if follow:
        changes.merge(_key_scrutiny_after(w, follow, scrutiny_months))
    return changes


# The publications of an entry itself (not its removal or correction notices).
ENTRY_PUBLICATIONS = ("designation", "announcement", "alert")


def published_channels(
    conn: sa.Connection, entry_ids: Sequence[int], today: date
) -> dict[int, list[str]]:
    """The channels each entry has actually been published on (stored publications)."""
    found: dict[int, set[str]] = {}
    for part in chunks(sorted(set(entry_ids))):
        for r in conn.execute(
            sa.select(list_notice.c.entry_id, list_notice.c.channel).where(
                list_notice.c.entry_id.in_(part),
                list_notice.c.audience == "public",
                list_notice.c.kind.in_(ENTRY_PUBLICATIONS),
                list_notice.c.issued_on <= today,
            )
        ):
            found.setdefault(r.entry_id, set()).add(r.channel)
    return {k: sorted(v) for k, v in found.items()}


def end_publications(w: Writer, entry_ids: Sequence[int]) -> None:
    """DIS-4: an entry is published exactly while it is in force; when it ends early its
    publications end the day before (a lifted big-data warning's alert included)."""
    yesterday = w.today - timedelta(days=1)
    for part in chunks(entry_ids):
        w.conn.execute(
            list_notice.update()
            .where(
                list_notice.c.entry_id.in_(part),
                list_notice.c.audience == "public",
                list_notice.c.kind.in_(ENTRY_PUBLICATIONS),
                sa.or_(
                    list_notice.c.visible_until.is_(None), list_notice.c.visible_until >= w.today
                ),
            )
            .values(visible_until=yesterday)
        )


def close_pending(w: Writer, entry_ids: Sequence[int], why: str) -> None:
    """When entries end, what was pending on them ends too, through its lifecycle:
    restoration applications are closed. (Open objections are the rights context's: it
    closes them when it hears `list_entry.removed`.)"""
    if not entry_ids:
        return
    apps: list[Any] = []
    for part in chunks(entry_ids):
        apps += w.conn.execute(
            sa.select(restoration_application.c.id, restoration_application.c.status).where(
                restoration_application.c.entry_id.in_(part),
                restoration_application.c.status == "pending",
            )
        ).all()
    for a in apps:
        RESTORATION.next(a.status, "close")
    queries.set_restoration_status(w.conn, [a.id for a in apps], "closed", note=why)
    for a in apps:
        w.domain_events.append(
            event(
                "restoration_application.closed", "restoration_application", a.id, on=str(w.today)
            )
        )
        w.audits.append(
            audit.Event(
                "restoration.close",
                "restoration_application",
                a.id,
                before={"status": a.status},
                after={"status": "closed"},
                detail={"reason": why},
            )
        )


def _key_scrutiny_after(w: Writer, rows: Sequence[Any], months: int | None) -> Changes:
    """RST-3, Op(18): after a blacklist, key scrutiny for the period its unit set."""
    changes = Changes()
    taken = {
        (e.subject_id, e.field)
        for e in live_entries_of(w.conn, [r.subject_id for r in rows], ListType.KEY_SCRUTINY)
    }
    values = []
    for row in rows:
        if (row.subject_id, row.field) in taken:
            changes.skipped.append(
                {"entry": row.id, "why": "already under key scrutiny in this field"}
            )
            continue
        taken.add((row.subject_id, row.field))
        period = months or row.scrutiny_months
        values.append(
            {
                **derived_entry(w, ListType.KEY_SCRUTINY, row.subject_id, row.subject_info),
                "field": row.field,
                "designating_unit_id": row.designating_unit_id,
                "origin": ORIGIN_AFTER_REMOVAL,
                "facts": f"移出失信联合惩戒对象名单（名单条目{row.id}）后转入重点关注名单",
                "basis": "《指导意见》第（十八）项：移出黑名单后转入重点关注名单",
                "rule_inputs": {"after_entry": row.id},
                "validity_months": period,
                "valid_until": Validity(w.today, period).until,
            }
        )
    if not values:
        return changes
    queries.insert_entries(w.conn, values)
    # One live key-scrutiny entry per subject and field (the unique index): find the ids.
    made = {
        (e.subject_id, e.field): e.id
        for e in live_entries_of(w.conn, [v["subject_id"] for v in values], ListType.KEY_SCRUTINY)
    }
    new_ids = [made[(v["subject_id"], v["field"])] for v in values]
    # ING-7, Art 42: key scrutiny after a blacklist rests on what the blacklist rested on:
    # a record withdrawn later revokes it too, as it would have revoked the blacklist.
    after = {
        new_id: v["rule_inputs"]["after_entry"] for new_id, v in zip(new_ids, values, strict=True)
    }
    rested: dict[int, list[int]] = {}
    for some in chunks(list(after.values())):
        for link in w.conn.execute(
            sa.select(list_entry_record).where(list_entry_record.c.entry_id.in_(some))
        ):
            rested.setdefault(int(link.entry_id), []).append(int(link.record_id))
    links = [
        {"entry_id": new_id, "record_id": record_id}
        for new_id, old_id in after.items()
        for record_id in rested.get(old_id, [])
    ]
    if links:
        w.conn.execute(list_entry_record.insert(), links)
    for new_id, v in zip(new_ids, values, strict=True):
        w.history(
            new_id, "designate", None, EntryStatus.DESIGNATED.value, "after blacklist removal"
        )
        follow = SimpleNamespace(id=new_id, **v)
        w.notice(
            follow,
            "warning",
            "subject",
            "written",
            {
                "scrutiny_period": period_text(w.today, v["valid_until"]),
                "after_entry": v["rule_inputs"]["after_entry"],
            },
        )
        w.rechecks.add(v["subject_id"])
        changes.followups.append(new_id)
    queue_reports(w, new_ids)
    return changes


@dataclass(frozen=True, slots=True)
class ErrorDeletion:
    """What an entry deleted in error was, for its correction (OBJ-5, Op(23)): whom to
    apologize to, what to clarify where and until when, what incentives to reclaim."""

    entry_id: int
    subject_id: int
    designating_unit_id: int | None
    list_type: str
    field: str
    standard_code: str | None
    subject_name: str
    designated_on: date | None
    measures: tuple[str, ...]
    channels: tuple[str, ...]
    public_until: date | None


def delete_error(w: Writer, row: Any, note: str) -> ErrorDeletion:
    """RST-3(1), RST-5, Op(20): an entry made in error is deleted and not kept; where it
    had been published, a correction goes out on the same channels (Op(23))."""
    list_type = ListType(row.list_type)
    transition(list_type, EntryStatus(row.status), Action.DELETE_ERROR)
    channels = published_channels(w.conn, [row.id], w.today).get(row.id)
    if channels:
        # Op(23): where it had been public, a correction on the same channels.
        w.publish(
            row,
            "correction",
            {"correction": CORRECTION[NOTICE_LANGUAGE]},
            w.notice_until,
            detached=True,
            channels=channels,
        )
    if list_type is ListType.KEY_SCRUTINY:
        w.rechecks.add(row.subject_id)
    deletion = ErrorDeletion(
        entry_id=int(row.id),
        subject_id=int(row.subject_id),
        designating_unit_id=row.designating_unit_id,
        list_type=row.list_type,
        field=row.field,
        standard_code=row.standard_code,
        subject_name=str(row.subject_info.get("name", "")),
        designated_on=row.designated_on,
        measures=texts_of(row.measures),
        channels=tuple(channels or ()),
        public_until=w.notice_until if channels else None,
    )
    # The history goes too: an error entry is not stored (Op(20)). What it owned is
    # deleted by the erasers registered for list entries (erase_owned below); the outbox
    # keeps only ids, kinds, times and digests of its events, and the audit chain only
    # that an entry was deleted, by whom, and the digest of why.
    w.events = [e for e in w.events if e["entry_id"] != row.id]
    w.notices = [n for n in w.notices if n["entry_id"] != row.id]
    events.erase(w.conn, w.ctx, "list_entry", str(row.id))
    w.conn.execute(list_entry.delete().where(list_entry.c.id == row.id))
    w.audits.append(
        audit.Event(
            "entry.delete_error",
            "list_entry",
            row.id,
            before={"status": row.status},
            detail={"note_digest": digest(note), "list_type": row.list_type},
        )
    )
    w.domain_events.append(
        event(
            "list_entry.deleted_in_error",
            "list_entry",
            row.id,
            entry_id=row.id,
            list_type=row.list_type,
            on=w.today.isoformat(),
        )
    )
    return deletion


def erase_owned(conn: sa.Connection, entry_id: str) -> list[tuple[str, str]]:
    """The rows an entry owns, deleted with it when it was made in error (RST-5, Op(20));
    registered at bootstrap as the eraser of list entries. Returns the owned objects whose
    events lose their payloads too."""
    owner = int(entry_id)
    owned = [
        ("restoration_application", str(i))
        for i in conn.execute(
            sa.select(restoration_application.c.id).where(
                restoration_application.c.entry_id == owner
            )
        ).scalars()
    ]
    for table in (
        list_entry_person,
        list_entry_record,
        list_entry_event,
        list_notice,
        restoration_application,
        upward_report,
    ):
        conn.execute(table.delete().where(table.c.entry_id == owner))
    return owned
