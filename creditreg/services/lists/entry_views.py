"""The lists read (LST-7, DIS-2, DIS-3, SEC-2): an entry, its history and its
procedures' documents as the caller may see them (masked for a unit that is no party to
the procedure, registered when it names a natural person), the searches, the upward
reports and what is published where until when."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal, UnitKind
from creditreg.domain.access.query_register import QueryPurpose
from creditreg.domain.errors import NotFound, parse_enum
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.lists.entries import (
    EntryStatus,
    in_force,
)
from creditreg.domain.lists.standards import FIELDS, ListType
from creditreg.domain.privacy import (
    mask_identifiers_in_text,
    mask_known,
    mask_personal_number,
    mask_published,
)
from creditreg.domain.subjects.identifiers import (
    SubjectKind,
)
from creditreg.services.access import query_register
from creditreg.services.context import Context
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.lists.entry_writer import personal_numbers
from creditreg.services.lists.measure_refs import texts_of
from creditreg.services.lists.views import (
    EntryDetailView,
    EntryView,
    ListFieldView,
    PublicationView,
    UpwardReportView,
)
from creditreg.store.lists.tables import (
    list_entry,
    list_entry_event,
    list_entry_record,
    list_notice,
    restoration_application,
    upward_report,
)

# --- reading ----------------------------------------------------------------------------


def entry_row(conn: sa.Connection, entry_id: int) -> Any:
    row = conn.execute(sa.select(list_entry).where(list_entry.c.id == entry_id)).first()
    if row is None:
        raise NotFound("entry.not_found", f"no list entry {entry_id}")
    return row


def _mask_info(info: Mapping[str, Any], principal: Principal) -> dict[str, Any]:
    """Op(11), Op(24): personal document numbers only for units allowed to see them."""
    if Permission.PERSONAL_READ in principal.permissions:
        return dict(info)
    out = dict(info)
    if out.get("kind") == SubjectKind.NATURAL_PERSON.value:
        out["id_number"] = mask_personal_number(str(out.get("id_number", "")))
    out["responsible_persons"] = [
        {**p, "id_number": mask_personal_number(str(p.get("id_number") or ""))}
        for p in out.get("responsible_persons", [])
    ]
    return out


def _masked(text: str, principal: Principal, info: Mapping[str, Any]) -> str:
    """Free text as a unit without personal:read may see it (DIS-3, Op(24)): numbers of a
    personal number's shape masked, and the personal numbers the entry's subject
    information holds (`info`), whatever their shape."""
    if Permission.PERSONAL_READ in principal.permissions:
        return text
    return mask_identifiers_in_text(mask_known(text, personal_numbers(info)))


# Extension point: which of these entries are under objection (OBJ-1, Art 41). The rights
# context, which owns objections, fills it at bootstrap; lists never names it.
OBJECTION_MARKERS = "lists.objection_markers"
ObjectionMarker = Callable[[sa.Connection, Sequence[int]], set[int]]


def under_objection(conn: sa.Connection, ctx: Context, entry_ids: Sequence[int]) -> set[int]:
    """The entries of `entry_ids` that carry the "under objection" marker (异议标注)."""
    marked: set[int] = set()
    if entry_ids:
        for marker in ctx.registry.extensions.get(OBJECTION_MARKERS, []):
            marked |= marker(conn, entry_ids)
    return marked


def summary(row: Any, principal: Principal, marked: bool = False) -> EntryView:
    """LST-7: an entry's summary, as `search` lists it (one row, no other table)."""
    return {
        "id": row.id,
        "list_type": row.list_type,
        "field": row.field,
        "status": row.status,
        "origin": row.origin,
        "subject_id": row.subject_id,
        "subject": _mask_info(row.subject_info, principal),
        "designating_unit_id": row.designating_unit_id,
        "standard_id": row.standard_id,
        "standard_code": row.standard_code,
        "facts": _masked(row.facts, principal, row.subject_info),
        "basis": _masked(row.basis, principal, row.subject_info),
        "measures": list(texts_of(row.measures)),
        "severity": row.severity,
        "channels": row.channels,
        "validity_months": row.validity_months,
        "restoration": {
            "restorable": row.restorable,
            "method": row.restoration_method,
            "after_months": row.restoration_after_months,
        },
        "scrutiny_months_after_removal": row.scrutiny_months,
        "window_due": _iso(row.window_due),
        "preliminary_on": _iso(row.preliminary_on),
        "designated_on": _iso(row.designated_on),
        "valid_until": _iso(row.valid_until),
        "removed_on": _iso(row.removed_on),
        "removal_reason": row.removal_reason,
        "suspended_from": row.suspended_from,
        # OBJ-1, Art 41: the marker while an objection to it is open.
        "under_objection": marked,
    }


def view(
    conn: sa.Connection,
    ctx: Context,
    row: Any,
    principal: Principal,
    purpose: QueryPurpose = query_register.DUTIES,
) -> EntryDetailView:
    """LST-7: everything an entry holds: the summary (with its objection marker), its
    grounds, records, rule inputs, notices, history, restoration applications and upward
    report. Its objections are the rights context's (`/api/v1/objections`).

    SEC-2, Op(24): whoever gets it, from a read or as the answer to a step it took, has
    read the subject's information: registered here, in the caller's transaction, with
    `purpose` (a subject's own reads are not queries)."""
    query_register.record(
        conn, ctx, principal, [row.subject_id], "list_entry", purpose, object_id=row.id
    )
    report = conn.execute(
        sa.select(upward_report).where(upward_report.c.entry_id == row.id)
    ).first()
    # Op(24), DIS-3: a unit that is no party to the procedure (an implementing unit, LST-9;
    # another designating unit) sees what was published and the entry's steps, not what
    # passed between the subject and the designating unit: the written notices,
    # objection grounds and applications, and the reasons and details of the history,
    # which may quote them.
    party = _party(principal, row)
    return {
        **summary(row, principal, row.id in under_objection(conn, ctx, [row.id])),
        "window": _window(conn, row),
        "rule_inputs": row.rule_inputs,
        "records": list(
            conn.execute(
                sa.select(list_entry_record.c.record_id)
                .where(list_entry_record.c.entry_id == row.id)
                .order_by(list_entry_record.c.record_id)
            ).scalars()
        ),
        "history": [
            {
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "on": e.on_date.isoformat(),
                "actor": e.actor if party else mask_identifiers_in_text(e.actor),
                "reason": _masked(e.reason, principal, row.subject_info) if party else "",
                "detail": e.detail if party else {},
            }
            for e in conn.execute(
                sa.select(list_entry_event)
                .where(list_entry_event.c.entry_id == row.id)
                .order_by(list_entry_event.c.id)
            )
        ],
        "notices": [
            {
                "id": n.id,
                "kind": n.kind,
                "audience": n.audience,
                "channel": n.channel,
                "issued_on": n.issued_on.isoformat(),
                "visible_until": _iso(n.visible_until),
                "content": n.content
                if Permission.PERSONAL_READ in principal.permissions
                else mask_published(n.content, personal_numbers(row.subject_info)),
            }
            for n in conn.execute(
                sa.select(list_notice)
                .where(list_notice.c.entry_id == row.id)
                .where(sa.true() if party else list_notice.c.audience == "public")
                .order_by(list_notice.c.id)
            )
        ],
        "restoration_applications": _rows_of(conn, restoration_application, row.id)
        if party
        else [],
        "upward_report": (
            {"status": report.status, "due_date": report.due_date.isoformat()} if report else None
        ),
    }


def _window(conn: sa.Connection, row: Any) -> dict[str, Any] | None:
    """CAL-3: the running window's end as stored with its count (provisional on a year
    whose holidays are not yet published), or None when none runs."""
    if row.window_due is None:
        return None
    counted = [
        d
        for d in calendar_service.deadlines_in(conn, "list_entry", row.id)
        if d["due_date"] == row.window_due
    ]
    if not counted:
        return None
    last = counted[-1]
    return {
        "due": last["due_date"],
        "provisional": bool(last["provisional"]),
        "explanation": last["explanation"],
    }


def _rows_of(conn: sa.Connection, table: sa.Table, entry_id: int) -> list[dict[str, Any]]:
    """An entry's rows of `table`, dates as ISO text."""
    return [
        {str(k): _iso(v) if isinstance(v, date) else v for k, v in r._asdict().items()}
        for r in conn.execute(
            sa.select(table).where(table.c.entry_id == entry_id).order_by(table.c.id)
        )
    ]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# LST-9: what is shared with the units that apply the lists: entries designated and not
# removed, and red-list announcements, which are public. An entry still in its procedure
# (proposed, notified) is the designating unit's and the platform's; a removed one is kept
# in the archive, not shown (RST-5, Op(20)): the units that applied it were told to stop.
# Asked which entries were in force on a past day (`as_of`, LST-7), a unit is answered
# from the archive too: that is the question it asks.
_SHARED = sa.or_(
    sa.and_(
        list_entry.c.designated_on.is_not(None),
        list_entry.c.status != EntryStatus.REMOVED.value,
    ),
    list_entry.c.status == EntryStatus.ANNOUNCED.value,
)
_SHARED_ON_A_PAST_DAY = sa.or_(
    list_entry.c.designated_on.is_not(None),
    list_entry.c.status == EntryStatus.ANNOUNCED.value,
)


def shared_with_units(row: Any) -> bool:
    """`_SHARED` for one entry."""
    return row.status == EntryStatus.ANNOUNCED.value or (
        row.designated_on is not None and row.status != EntryStatus.REMOVED.value
    )


def _party(principal: Principal, row: Any) -> bool:
    """A party to the entry's procedure: its designating unit, or the platform."""
    return (
        principal.unit_id is None
        or principal.unit_kind is UnitKind.PLATFORM_OPERATOR
        or principal.unit_id == row.designating_unit_id
    )


def sees_procedures(principal: Principal) -> bool:
    """Designating units and the platform's desk see entries in their procedure."""
    return bool({Permission.LISTS_DESIGNATE, Permission.LISTS_RECEIVE} & principal.permissions)


def get(
    ctx: Context,
    principal: Principal,
    entry_id: int,
    purpose: QueryPurpose = query_register.DUTIES,
) -> EntryDetailView:
    """LST-9: any authorized unit sees a designated entry at once; its read of the
    subject's entry is registered with its purpose (SEC-2)."""
    principal.require(Permission.LISTS_READ)
    with ctx.db.write() as conn:
        row = entry_row(conn, entry_id)
        if not (sees_procedures(principal) or shared_with_units(row)):
            raise NotFound("entry.not_found", f"no list entry {entry_id}")  # LST-9, RST-5
        return view(conn, ctx, row, principal, purpose)


def search(
    ctx: Context,
    principal: Principal,
    *,
    subject_id: int | None = None,
    list_type: str | None = None,
    status: str | None = None,
    as_of: date | None = None,
    limit: int = 100,
    purpose: QueryPurpose = query_register.DUTIES,
) -> list[EntryView]:
    """Entries, filtered; `as_of` answers which were in force on a past day (LST-7). Each
    subject whose entries are read is registered with the purpose (SEC-2)."""
    principal.require(Permission.LISTS_READ)
    query = sa.select(list_entry).order_by(list_entry.c.id).limit(max(1, min(limit, 1000)))
    if not sees_procedures(principal):
        query = query.where(_SHARED if as_of is None else _SHARED_ON_A_PAST_DAY)
    if subject_id is not None:
        query = query.where(list_entry.c.subject_id == subject_id)
    if list_type:
        query = query.where(
            list_entry.c.list_type == parse_enum(ListType, list_type, "entry.bad_list_type").value
        )
    if status:
        query = query.where(
            list_entry.c.status == parse_enum(EntryStatus, status, "entry.bad_status").value
        )
    if as_of is not None:
        query = query.where(
            list_entry.c.designated_on <= as_of,
            sa.or_(list_entry.c.valid_until.is_(None), list_entry.c.valid_until >= as_of),
            sa.or_(list_entry.c.removed_on.is_(None), list_entry.c.removed_on > as_of),
        )
    with ctx.db.write() as conn:
        rows = conn.execute(query).all()
        marked = under_objection(conn, ctx, [r.id for r in rows])
        result = [summary(r, principal, r.id in marked) for r in rows]
        read = [r.subject_id for r in rows]
        query_register.record(conn, ctx, principal, read, "list_entries", purpose)
    if as_of is not None:
        # The domain's own rule decides; the query only narrows by index.
        keep = {r.id for r in rows if in_force(r.designated_on, r.valid_until, r.removed_on, as_of)}
        result = [e for e in result if e["id"] in keep]
    return result


# --- scope ------------------------------------------------------------------------------


def fields() -> list[ListFieldView]:
    """The field taxonomy (Op(3), Op(16)), public."""
    return [
        {"code": f.code, "label": f.label, "label_zh": f.label_zh, "key_field": f.key}
        for f in FIELDS.values()
    ]


def reports(ctx: Context, principal: Principal, overdue: bool = False) -> list[UpwardReportView]:
    """LST-9: the queue of reports to the upper-level platform, with their deadlines."""
    principal.require(Permission.LISTS_READ)
    query = (
        sa.select(upward_report, list_entry.c.list_type, list_entry.c.field)
        .join(list_entry, list_entry.c.id == upward_report.c.entry_id)
        .where(upward_report.c.status == "queued")
        .order_by(upward_report.c.due_date, upward_report.c.id)
    )
    if overdue:
        query = query.where(upward_report.c.due_date < ctx.today())
    with ctx.db.read() as conn:
        return [
            {
                "entry_id": r.entry_id,
                "list_type": r.list_type,
                "field": r.field,
                "status": r.status,
                "due_date": r.due_date.isoformat(),
                "explanation": calendar_service.explanation_of(conn, "list_entry", r.entry_id),
            }
            for r in conn.execute(query)
        ]


def publications(ctx: Context, list_type: str | None = None) -> list[PublicationView]:
    """DIS-4, DIS-5: what is published today (public): designations for exactly their
    validity, announcements during their window, alerts, removals and corrections. Personal
    numbers are masked (DIS-3)."""
    today = ctx.today()
    query = (
        sa.select(list_notice)
        .where(
            list_notice.c.audience == "public",
            sa.or_(list_notice.c.visible_until.is_(None), list_notice.c.visible_until >= today),
            list_notice.c.issued_on <= today,
        )
        .order_by(list_notice.c.id.desc())
        .limit(500)
    )
    if list_type:
        query = query.where(
            list_notice.c.list_type == parse_enum(ListType, list_type, "entry.bad_list_type").value
        )
    with ctx.db.read() as conn:
        rows = conn.execute(query).all()
        # OBJ-1, Art 41: a published entry under objection says so on every page.
        marked = under_objection(conn, ctx, sorted({r.entry_id for r in rows if r.entry_id}))
    # One item per publication, with every channel it is on (not one per channel).
    items: dict[tuple[Any, ...], PublicationView] = {}
    for r in rows:
        key = (r.entry_id, r.kind, r.issued_on, r.list_type, r.subject_name)
        item = items.get(key)
        if item is None:
            items[key] = {
                "id": r.id,
                "entry_id": r.entry_id,
                "kind": r.kind,
                "channels": [r.channel],
                "list_type": r.list_type,
                # DIS-3 (older rows too): a name typed with a number in it is masked.
                "subject_name": mask_identifiers_in_text(r.subject_name),
                "content": mask_published(r.content),
                "issued_on": r.issued_on.isoformat(),
                "visible_until": _iso(r.visible_until),
                "under_objection": r.entry_id in marked,
            }
        else:
            item["channels"] = sorted({*item["channels"], r.channel})
    return list(items.values())
