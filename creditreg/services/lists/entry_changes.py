"""How list entries change, one entry or a hundred thousand at once.

Every change goes through the domain's transition table, appends a history row, writes
the notices and publications it calls for (Art 28, Op(11), Op(17), DIS-4), and an audit
event. The sweep and the designating unit's own actions share these functions, so an
automatic designation is the same designation as a manual one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Conflict
from creditreg.domain.kernel.audit import digest
from creditreg.domain.kernel.calendar import WorkingCalendar
from creditreg.domain.kernel.deadlines import RULES
from creditreg.domain.kernel.events import DomainEvent, event
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
from creditreg.domain.lists.standards import DEFAULT_SEVERITY, ListType
from creditreg.domain.privacy import (
    mask_identifiers_in_text,
    mask_known,
    mask_personal_number,
    mask_published,
)
from creditreg.domain.records.classification import add_months
from creditreg.domain.subjects.identifiers import LinkRole, SubjectKind
from creditreg.services.context import Context
from creditreg.services.kernel import audit, events
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.lists.measure_refs import texts_of
from creditreg.services.lists.views import ChangesView
from creditreg.store import bulk
from creditreg.store.lists import queries
from creditreg.store.lists.tables import (
    list_entry,
    list_entry_event,
    list_entry_person,
    list_entry_record,
    list_notice,
    list_recheck,
    restoration_application,
    upward_report,
)

ORIGIN_STANDARD = "standard"
ORIGIN_KEY_SCRUTINY_CONDUCT = "key_scrutiny_conduct"  # LST-6
ORIGIN_AFTER_REMOVAL = "after_removal"  # RST-3, Op(18)
ORIGIN_AUTOMATIC = "automatic"  # LST-5

REPORT_UPWARD = RULES["report_upward"]  # LST-9, Op(10): 10 working days

LIST_LABELS = {
    ListType.RED_LIST: "守信联合激励对象名单",
    ListType.BLACKLIST: "失信联合惩戒对象名单",
    ListType.KEY_SCRUTINY: "重点关注名单",
    ListType.BIG_DATA_WARNING: "大数据警示名单",
}


def public_subject(info: dict[str, Any]) -> dict[str, Any]:
    """The subject as published (Op(9)): its name, kind and document type and number, a
    natural person's number masked (DIS-3); for an organization also its LEI where it has
    one and its legal representative or principal by name, document type and masked
    number (Op(9), Op(11): personal numbers are never published in clear)."""
    number = str(info.get("id_number", ""))
    person = info.get("kind") == SubjectKind.NATURAL_PERSON.value
    out: dict[str, Any] = {
        "name": info.get("name"),
        "kind": info.get("kind"),
        "id_type": info.get("id_type"),
        "id_number": mask_personal_number(number) if person else number,
    }
    if person:
        return out
    if info.get("lei"):
        out["lei"] = info["lei"]
    heads = [p for p in info.get("responsible_persons") or () if p.get("role") in _PUBLISHED_ROLES]
    if heads:
        # The legal representative before a principal, as the entry named them.
        head = min(heads, key=lambda p: _PUBLISHED_ROLES.index(str(p.get("role"))))
        out["legal_representative"] = {
            "role": head.get("role"),
            "name": head.get("name"),
            "id_type": head.get("id_type"),
            "id_number": mask_personal_number(str(head.get("id_number") or "")),
        }
    return out


# Who reads a notice outside the units: the public, and the subject on paper (DIS-3).
_MASKED_AUDIENCES = frozenset({"public", "subject"})

# Op(9): the person published with an organization's entry.
_PUBLISHED_ROLES = (LinkRole.LEGAL_REPRESENTATIVE.value, LinkRole.PRINCIPAL.value)


def _published_name(entry: Any, audience: str) -> str:
    name = str(entry.subject_info.get("name", ""))
    if audience != "public":
        return name
    return mask_identifiers_in_text(mask_known(name, personal_numbers(entry.subject_info)))


def personal_numbers(info: Mapping[str, Any]) -> list[str]:
    """The personal document numbers an entry's subject information holds: the subject's
    own (a natural person's, of any document type) and its responsible persons'. Published
    text is masked of them wherever they are written, in whatever shape (DIS-3)."""
    numbers = [str(p.get("id_number") or "") for p in info.get("responsible_persons") or []]
    if info.get("kind") == SubjectKind.NATURAL_PERSON.value:
        numbers.append(str(info.get("id_number") or ""))
    return [n for n in numbers if n]


@dataclass
class Changes:
    """What a set of changes did, for the caller's answer and the sweep's report."""

    designated: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    followups: list[int] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, other: Changes) -> None:
        self.designated += other.designated
        self.removed += other.removed
        self.deleted += other.deleted
        self.followups += other.followups
        self.skipped += other.skipped

    def as_dict(self) -> ChangesView:
        return {
            "designated": len(self.designated),
            "removed": len(self.removed),
            "deleted": len(self.deleted),
            "key_scrutiny_followups": len(self.followups),
            "skipped": self.skipped,
        }


class Writer:
    """Collects the rows of a set of changes and writes each table in one statement."""

    def __init__(self, conn: sa.Connection, ctx: Context, principal: Principal) -> None:
        self.conn, self.ctx, self.principal = conn, ctx, principal
        self.today = ctx.today()
        self.now = ctx.now()
        self.events: list[dict[str, Any]] = []
        self.notices: list[dict[str, Any]] = []
        self.audits: list[audit.Event] = []
        # Events said outright (a deletion in error); history rows become events in flush.
        self.domain_events: list[DomainEvent] = []
        self.rechecks: set[int] = set()
        self._calendar: WorkingCalendar | None = None

    @property
    def calendar(self) -> WorkingCalendar:
        if self._calendar is None:
            self._calendar = calendar_service.load(self.conn)
        return self._calendar

    def history(
        self,
        entry_id: int,
        action: str,
        before: str | None,
        after: str,
        reason: str = "",
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.events.append(
            {
                "entry_id": entry_id,
                "action": action,
                "from_status": before,
                "to_status": after,
                "on_date": self.today,
                "actor": self.principal.actor,
                "unit_id": self.principal.unit_id,
                "reason": reason,
                "detail": detail or {},
                "at": self.now,
            }
        )
        self.audits.append(
            audit.Event(
                f"entry.{action}",
                "list_entry",
                entry_id,
                before={"status": before} if before else None,
                after={"status": after},
                detail=_audit_reason(action, reason),
            )
        )

    def notice(
        self,
        entry: Any,
        kind: str,
        audience: str,
        channel: str,
        content: dict[str, Any],
        visible_until: date | None = None,
        detached: bool = False,
    ) -> None:
        """A notice about `entry`; `detached` ones outlive it (a correction of an error).
        A public notice is a publication: its channel, from (issued_on) and until
        (visible_until) are stored facts, never inferred from the entry's status."""
        self.notices.append(
            {
                "entry_id": None if detached else entry.id,
                "kind": kind,
                "audience": audience,
                "channel": channel,
                "list_type": entry.list_type,
                # DIS-3: the name is published; document numbers only masked, in content
                # and in a name that quotes one.
                "subject_name": _published_name(entry, audience),
                # DIS-3: published free text never carries a personal number (facts typed
                # by a unit may quote one), nor does a notice mailed to the subject: it
                # masks the subject's number at its head, and so in its text.
                "content": {
                    "list": LIST_LABELS[ListType(entry.list_type)],
                    **(
                        mask_published(content, personal_numbers(entry.subject_info))
                        if audience in _MASKED_AUDIENCES
                        else content
                    ),
                },
                "issued_on": self.today,
                "visible_until": visible_until,
                "created_at": self.now,
            }
        )

    def publish(
        self,
        entry: Any,
        kind: str,
        content: dict[str, Any],
        until: date | None,
        detached: bool = False,
        channels: Sequence[str] | None = None,
    ) -> None:
        """DIS-4: on the entry's channels (or the `channels` it was actually published on)."""
        for channel in entry.channels if channels is None else channels:
            self.notice(entry, kind, "public", channel, content, until, detached)

    @property
    def notice_until(self) -> date:
        """Removal and correction notices stay published for a configurable period, which
        the seeds leave open (default 3 months)."""
        return add_months(self.today, self.ctx.notice_months)

    def flush(self) -> None:
        changed = _entry_events(self.conn, self.events) + self.domain_events
        _insert_dicts(self.conn, list_entry_event, self.events)
        _insert_dicts(self.conn, list_notice, self.notices)
        if self.rechecks:
            queued = set(
                self.conn.execute(
                    sa.select(list_recheck.c.subject_id).where(
                        list_recheck.c.subject_id.in_(self.rechecks)
                    )
                ).scalars()
            )
            fresh = [{"subject_id": s, "queued_at": self.now} for s in self.rechecks - queued]
            if fresh:
                self.conn.execute(list_recheck.insert(), fresh)
        audit.record_many(self.conn, self.ctx, self.principal, self.audits)
        events.emit(self.conn, self.ctx, changed)
        self.events, self.notices, self.audits, self.rechecks = [], [], [], set()
        self.domain_events = []


def _audit_reason(action: str, reason: str) -> dict[str, Any] | None:
    """A removal's reason is a code; other reasons are free text (objection grounds, a
    verification's note) and may describe the subject, so the chain keeps their digest:
    an entry deleted in error leaves nothing readable in the audit log (Op(20))."""
    if not reason:
        return None
    if action == Action.REMOVE.value:
        return {"reason": reason}
    return {"reason_digest": digest(reason)}


# The event kind of each history action: `list_entry.<past tense>`.
EVENT_OF_ACTION = {
    "propose": "proposed",
    Action.NOTIFY.value: "notified",
    Action.ANNOUNCE.value: "announced",
    Action.OBJECT.value: "objected",
    Action.DISMISS_OBJECTION.value: "objection_dismissed",
    Action.DESIGNATE.value: "designated",
    Action.REMOVE.value: "removed",
}


def _entry_events(conn: sa.Connection, history: Sequence[dict[str, Any]]) -> list[DomainEvent]:
    """One domain event per history row: ids, list, field, statuses, date; a removal's
    reason code. Never the subject's name, number or the facts (the outbox is read by
    webhooks and federation)."""
    if not history:
        return []
    ids = sorted({h["entry_id"] for h in history})
    facts: dict[int, Any] = {}
    for part in _chunks(ids):
        for r in conn.execute(
            sa.select(
                list_entry.c.id, list_entry.c.list_type, list_entry.c.field, list_entry.c.subject_id
            ).where(list_entry.c.id.in_(part))
        ):
            facts[r.id] = r
    out = []
    for h in history:
        f = facts[h["entry_id"]]
        payload: dict[str, Any] = {
            "entry_id": f.id,
            "list_type": f.list_type,
            "field": f.field,
            "subject_id": f.subject_id,
            "from": h["from_status"],
            "to": h["to_status"],
            "on": h["on_date"].isoformat(),
        }
        if h["action"] == Action.REMOVE.value:
            payload["reason"] = h["reason"]
        kind = EVENT_OF_ACTION.get(h["action"], h["action"])
        out.append(event(f"list_entry.{kind}", "list_entry", f.id, **payload))
    return out


def _insert_dicts(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        columns = list(rows[0])
        bulk.insert_rows(conn, table, columns, [tuple(r[c] for c in columns) for r in rows])


def derived_entry(
    w: Writer, list_type: ListType, subject_id: int, subject_info: dict[str, Any]
) -> dict[str, Any]:
    """The columns of an entry the platform derives (key scrutiny after a blacklist, a
    big-data warning): designated today, under no standard, with no terms of its own;
    the caller adds field, origin, grounds and validity."""
    return {
        "list_type": list_type.value,
        "subject_id": subject_id,
        "subject_info": subject_info,
        "standard_id": None,
        "standard_code": None,
        "status": EntryStatus.DESIGNATED.value,
        "measures": [],
        "severity": DEFAULT_SEVERITY[list_type].value,
        "channels": [],
        "restorable": False,
        "restoration_method": "",
        "restoration_after_months": 0,
        "scrutiny_months": 0,
        "preliminary_on": w.today,
        "designated_on": w.today,
        "created_at": w.now,
        "updated_at": w.now,
    }


def insert_entry(conn: sa.Connection, ctx: Context, values: dict[str, Any]) -> int:
    """A new entry; a second live entry for the subject, list and field is refused by the
    unique index even when two designations race (the loser gets 409, nothing written)."""
    now = ctx.now()
    try:
        with conn.begin_nested():
            return queries.insert_entry(conn, {"created_at": now, "updated_at": now, **values})
    except sa.exc.IntegrityError:
        raise Conflict(
            "entry.already_listed",
            f"subject {values['subject_id']} already has a live {values['list_type']} entry "
            f"in {values['field'] or 'this list'}",
        ) from None


def _update_many(w: Writer, updates: list[dict[str, Any]], **same: Any) -> None:
    """Set each entry's new status (`_id`, `_status` and other `_column` keys) and shared
    values, grouped so that entries getting the same values share one UPDATE."""
    groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for u in updates:
        key = tuple(sorted((k[1:], v) for k, v in u.items() if k != "_id"))
        groups.setdefault(key, []).append(u["_id"])
    for key, ids in groups.items():
        values = dict(key)
        status = values.pop("status")
        queries.set_entry_status_many(w.conn, ids, status, w.now, **values, **same)


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    return queries.chunks(ids)


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
    _update_many(w, updates, designated_on=w.today)
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
    for part in _chunks(sorted(set(subject_ids))):
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
    _update_many(w, updates, removed_on=w.today, removal_reason=reason.value)
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
    for part in _chunks(sorted(set(entry_ids))):
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
    for part in _chunks(entry_ids):
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
    for part in _chunks(entry_ids):
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
