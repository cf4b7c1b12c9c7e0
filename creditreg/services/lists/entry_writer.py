"""How a change of list entries is written (Art 28, Op(11), Op(17), DIS-4): the `Writer`
that collects a transaction's history rows, notices, publications, events and audit and
writes them in sets; the entry row builders; the subject as published. `entry_changes`
uses it for designation, removal and deletion in error."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Conflict
from creditreg.domain.kernel.audit import digest
from creditreg.domain.kernel.calendar import WorkingCalendar
from creditreg.domain.kernel.deadlines import RULES
from creditreg.domain.kernel.events import DomainEvent, event
from creditreg.domain.lists.entries import (
    Action,
    EntryStatus,
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
from creditreg.services.lists.views import ChangesView
from creditreg.store import bulk
from creditreg.store.lists import queries
from creditreg.store.lists.tables import (
    list_entry,
    list_entry_event,
    list_notice,
    list_recheck,
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
    for part in chunks(ids):
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


def update_many(w: Writer, updates: list[dict[str, Any]], **same: Any) -> None:
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


def chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    return queries.chunks(ids)
