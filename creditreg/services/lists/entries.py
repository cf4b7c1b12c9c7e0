"""The list procedures, verb by verb (LST-1..4, LST-7..9, RST-3..5, STD-3, SUB-4).

propose -> notify (blacklist) / announce (red list) -> object / resolve -> designate ->
remove / delete_error. Each verb is one transaction: it checks the caller's scope
(LST-1), asks the domain's transition table, and writes history, notices and audit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal, UnitKind
from creditreg.domain.access.query_register import QueryPurpose
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, parse_enum
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.deadlines import Deadline, DeadlineRule
from creditreg.domain.lists.entries import (
    LIVE,
    Action,
    EntryStatus,
    RemovalReason,
    in_force,
    transition,
)
from creditreg.domain.lists.notices import NOTICE_LANGUAGE, RIGHT_TO_OBJECT, standard_cited
from creditreg.domain.lists.standards import FIELDS, ListType, Scope
from creditreg.domain.privacy import (
    mask_identifiers_in_text,
    mask_known,
    mask_personal_number,
    mask_published,
)
from creditreg.domain.subjects.identifiers import (
    Identifier,
    IdType,
    LinkRole,
    SubjectKind,
    parse_identifier,
)
from creditreg.services.access import query_register
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.lists import measure_refs, rules
from creditreg.services.lists.entry_changes import (
    ORIGIN_STANDARD,
    Changes,
    ErrorDeletion,
    Writer,
    delete_error,
    designate_rows,
    insert_entry,
    live_entries,
    personal_numbers,
    public_subject,
    remove_rows,
)
from creditreg.services.lists.measure_refs import texts_of
from creditreg.services.lists.views import (
    EntryDetailView,
    EntryRemovedView,
    EntryView,
    ListFieldView,
    PublicationView,
    ReevaluationView,
    UpwardReportView,
)
from creditreg.store.access.tables import subject_account
from creditreg.store.lists import queries
from creditreg.store.lists.tables import (
    list_entry,
    list_entry_event,
    list_entry_record,
    list_notice,
    restoration_application,
    standard,
    upward_report,
)
from creditreg.store.records.tables import record
from creditreg.store.subjects.tables import subject, subject_link

DEFAULT_CHANNELS = {
    # Op(11): the designating unit's portal and the credit website.
    ListType.RED_LIST: ["unit_portal", "credit_website"],
    ListType.BLACKLIST: ["unit_portal", "credit_website"],
    # Op(16): key scrutiny is shared, and released externally only selectively.
    ListType.KEY_SCRUTINY: [],
}
CHANNELS = frozenset({"unit_portal", "credit_website", "enterprise_credit_system"})


def window_rule(list_type: ListType, days: int) -> DeadlineRule:
    if list_type is ListType.RED_LIST:
        return DeadlineRule(
            "red_list_announcement",
            "Op(8)",
            "announcement",
            days,
            "objections to a red list",
            "《条例》第二十八条、《指导意见》第（八）项：红名单公示期内的异议，自公示之日起计算",
        )
    return DeadlineRule(
        "blacklist_objection",
        "Art 28; Op(7)",
        "notice",
        days,
        "objections before designation",
        "《条例》第二十八条、《指导意见》第（七）项：认定前的异议期，自书面告知之日起计算",
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


def view(conn: sa.Connection, ctx: Context, row: Any, principal: Principal) -> EntryDetailView:
    """LST-7: everything an entry holds: the summary (with its objection marker), its
    grounds, records, rule inputs, notices, history, restoration applications and upward
    report. Its objections are the rights context's (`/api/v1/objections`)."""
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


# LST-9: what is shared with the units that apply the lists: entries designated (in force
# or since ended) and red-list announcements, which are public. An entry still in its
# procedure (proposed, notified) is the designating unit's and the platform's.
_SHARED = sa.or_(
    list_entry.c.designated_on.is_not(None),
    list_entry.c.status == EntryStatus.ANNOUNCED.value,
)


def _party(principal: Principal, row: Any) -> bool:
    """A party to the entry's procedure: its designating unit, or the platform."""
    return (
        principal.unit_id is None
        or principal.unit_kind is UnitKind.PLATFORM_OPERATOR
        or principal.unit_id == row.designating_unit_id
    )


def _sees_procedures(principal: Principal) -> bool:
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
        if not (
            _sees_procedures(principal)
            or row.designated_on is not None
            or row.status == EntryStatus.ANNOUNCED.value
        ):
            raise NotFound("entry.not_found", f"no list entry {entry_id}")  # LST-9
        query_register.record(
            conn, ctx, principal, [row.subject_id], "list_entry", purpose, object_id=entry_id
        )
        return view(conn, ctx, row, principal)


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
    if not _sees_procedures(principal):
        query = query.where(_SHARED)
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


def subject_region(row: Any) -> str | None:
    """Where a subject belongs: its region, else the division code its identifier carries."""
    if row.region:
        return str(row.region)
    if row.id_type == IdType.USCC.value:
        return str(row.id_number[2:8])
    if row.id_type == IdType.RIC.value:
        return str(row.id_number[:6])
    return None


def check_scope(principal: Principal, field_code: str, region: str | None) -> None:
    """LST-1, Op(6), Art 28: a designating unit acts only within its fields and region."""
    principal.require(Permission.LISTS_DESIGNATE)
    if principal.unit_id is None:
        return  # the platform itself (the sweep, a machine operator)
    if principal.unit_kind is not UnitKind.DESIGNATING_UNIT:
        raise Forbidden("access.not_designating_unit", "only a designating unit designates")
    principal.require_field(field_code)
    if region is not None:
        principal.require_region(region)


def _own_entry(principal: Principal, row: Any) -> None:
    """Only the unit that made an entry acts on it (the person designating bears it, Op(2))."""
    principal.require(Permission.LISTS_DESIGNATE)
    if principal.unit_id is not None and principal.unit_id != row.designating_unit_id:
        raise Forbidden(
            "entry.not_designating_unit",
            f"entry {row.id} was made by unit {row.designating_unit_id}; only it may act on it",
        )


# --- propose ----------------------------------------------------------------------------


def _responsible_persons(
    conn: sa.Connection, subject_id: int, today: date, given: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """SUB-4, Art 35: registered links in force, and the persons the unit names."""
    people: list[dict[str, Any]] = []
    for r in conn.execute(
        sa.select(subject_link.c.role, subject.c.name, subject.c.id_type, subject.c.id_number)
        .join(subject, subject.c.id == subject_link.c.person_id)
        .where(
            subject_link.c.organization_id == subject_id,
            subject_link.c.valid_from <= today,
            sa.or_(subject_link.c.valid_to.is_(None), subject_link.c.valid_to >= today),
        )
        .order_by(subject_link.c.id)
    ):
        people.append(
            {"role": r.role, "name": r.name, "id_type": r.id_type, "id_number": r.id_number}
        )
    for p in given:
        role = parse_enum(LinkRole, str(p.get("role", "")), "entry.bad_person_role")
        name = str(p.get("name", "")).strip()
        if not name:
            raise InvalidInput("entry.bad_person", "a responsible person needs a name")
        id_type = parse_enum(IdType, str(p.get("id_type", "ric")), "entry.bad_person")
        ident = parse_identifier(id_type, str(p.get("id_number", "")), today)
        _same_as_registered(conn, ident, name)
        people.append(
            {"role": role.value, "name": name, "id_type": id_type.value, "id_number": ident.number}
        )
    # A person both linked and named (in the same role) is listed once.
    return list({(p["role"], p["id_type"], p["id_number"]): p for p in people}.values())


def _same_as_registered(conn: sa.Connection, ident: Identifier, name: str) -> None:
    """A person named with the number of a registered subject is that subject: a natural
    person of that name (SUB-2), else `subject.person_mismatch` (nothing of the registered
    subject is said)."""
    registered = conn.execute(
        sa.select(subject.c.kind, subject.c.name).where(
            subject.c.id_type == ident.type.value, subject.c.id_number == ident.number
        )
    ).first()
    if registered is None:
        return  # a person the platform does not record as a subject
    if registered.kind != SubjectKind.NATURAL_PERSON.value or registered.name != name:
        raise InvalidInput(
            "subject.person_mismatch",
            f"the {ident.type.value} given for {name} is registered for another person",
        )


def _subject_info(
    conn: sa.Connection,
    srow: Any,
    today: date,
    list_type: ListType,
    given: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """LST-7, Op(9): the subject's basic information as of the entry."""
    persons = (
        _responsible_persons(conn, srow.id, today, given)
        if srow.kind != SubjectKind.NATURAL_PERSON.value
        else []
    )
    if (
        list_type is ListType.BLACKLIST
        and srow.kind != SubjectKind.NATURAL_PERSON.value
        and not any(p["role"] in ("legal_representative", "principal") for p in persons)
    ):
        raise Conflict(
            "entry.no_responsible_person",
            "a blacklist entry of an organization names its legal representative or principal "
            "(Art 35): link one to the subject or name one in responsible_persons",
        )
    return {
        "name": srow.name,
        "kind": srow.kind,
        "id_type": srow.id_type,
        "id_number": srow.id_number,
        "lei": srow.lei,
        "region": subject_region(srow),
        "responsible_persons": persons,
    }


def is_blacklisted(conn: sa.Connection, subject_id: int) -> bool:
    """Op(8): is the subject on any blacklist in force?"""
    return (
        conn.execute(
            sa.select(list_entry.c.id)
            .where(
                list_entry.c.subject_id == subject_id,
                list_entry.c.list_type == ListType.BLACKLIST.value,
                list_entry.c.status.in_((EntryStatus.DESIGNATED.value, EntryStatus.OBJECTED.value)),
                list_entry.c.designated_on.is_not(None),
            )
            .limit(1)
        ).first()
        is not None
    )


def _refuse_blacklisted(conn: sa.Connection, subject_id: int) -> None:
    if is_blacklisted(conn, subject_id):
        raise Conflict(
            "entry.subject_blacklisted",
            f"subject {subject_id} is on a blacklist and cannot enter a red list (Op(8))",
        )


def _terms(std: rules.Standard, terms: Mapping[str, Any]) -> dict[str, Any]:
    """LST-8: the designating unit sets validity and restoration terms (the standard's by
    default)."""
    d = std.draft
    given = terms.get("validity_months")
    months = int(d.validity_months if given is None else given)  # 0 is refused, not ignored
    if not 1 <= months <= 120:
        raise InvalidInput("entry.bad_validity", "validity is 1 to 120 months (Art 37)")
    restorable = bool(terms.get("restorable", d.restoration.restorable))
    method = str(terms.get("restoration_method") or d.restoration.method)
    after = int(terms.get("restoration_after_months", d.restoration.after_months))
    if restorable and d.list_type is not ListType.BLACKLIST:
        raise InvalidInput("entry.bad_restoration", "restoration terms are for blacklists")
    if restorable and not method.strip():
        raise InvalidInput("entry.bad_restoration", "say how credit can be restored (Op(15))")
    if restorable and not 0 <= after <= months:
        raise InvalidInput(
            "entry.bad_restoration", "restoration comes after 0 months up to the validity period"
        )
    given = terms.get("scrutiny_months")
    scrutiny = int(d.scrutiny_months if given is None else given)
    if given is not None and not 1 <= scrutiny <= 60:
        # Stored, a length beyond the calendar's years stopped every sweep at the removal.
        raise InvalidInput("entry.bad_scrutiny", "key scrutiny lasts 1 to 60 months")
    given = terms.get("channels")
    if given is not None and not given:
        raise InvalidInput(
            "entry.bad_channel",
            f"name at least one channel (or none, for the standard's); "
            f"one of: {', '.join(sorted(CHANNELS))}",
        )
    channels = list(given or DEFAULT_CHANNELS[d.list_type])
    unknown = set(channels) - CHANNELS
    if unknown:
        raise InvalidInput(
            "entry.bad_channel",
            f"unknown channel(s) {', '.join(sorted(unknown))}; "
            f"one of: {', '.join(sorted(CHANNELS))}",
        )
    return {
        "validity_months": months,
        "restorable": restorable,
        "restoration_method": method if restorable else "",
        "restoration_after_months": after if restorable else 0,
        "scrutiny_months": scrutiny,
        "channels": channels,
        "measures": [dict(r) for r in std.measure_refs],
        "severity": d.severity.value,  # MEA-6: the entry is as severe as its standard
    }


def _measures(
    conn: sa.Connection, ctx: Context, std: rules.Standard, terms: Mapping[str, Any]
) -> dict[str, Any]:
    """The designating unit may name other catalog measures than its standard's, checked
    against the catalog for the standard's list and severity (MEA-6, Art 31)."""
    codes = terms.get("measures")
    if not codes:
        return {}
    d = std.draft
    wanted = list(dict.fromkeys(str(c).strip().upper() for c in codes))
    return {"measures": measure_refs.resolve(conn, ctx, d.list_type, d.severity, wanted)}


def propose(
    ctx: Context,
    principal: Principal,
    *,
    standard_code: str,
    subject_id: int,
    facts: str,
    terms: Mapping[str, Any] | None = None,
    responsible_persons: Sequence[Mapping[str, Any]] = (),
    origin: str = ORIGIN_STANDARD,
) -> EntryDetailView:
    """STD-2, Op(7), Op(8): a preliminary entry the standard's rule supports today."""
    principal.require(Permission.LISTS_DESIGNATE)
    if not facts.strip():
        raise InvalidInput("entry.no_facts", "state the facts of the conduct (Op(9))")
    today = ctx.today()
    with ctx.db.write() as conn:
        std = rules.current(conn, standard_code)
        d = std.draft
        srow = conn.execute(sa.select(subject).where(subject.c.id == subject_id)).first()
        if srow is None:
            raise NotFound("subject.not_found", f"no subject {subject_id}")
        region = subject_region(srow)
        check_scope(principal, d.field, region)
        if d.scope is Scope.LOCAL and region is not None and d.region is not None:
            keep = len(d.region.rstrip("0")) if d.region.rstrip("0") else 0
            if region[:keep] != d.region[:keep]:
                raise Forbidden(
                    "standard.outside_region",
                    f"{d.code} is a local standard of {d.region}; subject is in {region}",
                )
        if live_entries(conn, subject_id, d.list_type, d.field):
            raise Conflict(
                "entry.already_listed",
                f"subject {subject_id} already has a {d.list_type.value} entry in {d.field}",
            )
        if d.list_type is ListType.RED_LIST:
            _refuse_blacklisted(conn, subject_id)
        qualifies, inputs = rules.matching_records(conn, d.rule, today, subject_id)
        if not qualifies:
            raise Conflict(
                "entry.not_qualified",
                f"subject {subject_id} does not meet {d.code} v{std.version}: "
                f"{inputs['count']} matching record(s) for: {inputs['rule_text']}",
                rule_inputs=inputs,
            )
        info = _subject_info(conn, srow, today, d.list_type, responsible_persons)
        entry_id = insert_entry(
            conn,
            ctx,
            {
                "list_type": d.list_type.value,
                "field": d.field,
                "subject_id": subject_id,
                "designating_unit_id": principal.unit_id,
                "standard_id": std.id,
                "standard_code": d.code,
                "status": EntryStatus.PRELIMINARY.value,
                "origin": origin,
                "subject_info": info,
                "facts": facts.strip(),
                "basis": standard_cited(d.title, d.code, std.version, d.legal_basis),
                "rule_inputs": {"standard": d.code, "version": std.version, **inputs},
                "preliminary_on": today,
                **_terms(std, terms or {}),
                **_measures(conn, ctx, std, terms or {}),
            },
        )
        conn.execute(
            list_entry_record.insert(),
            [{"entry_id": entry_id, "record_id": r["id"]} for r in inputs["records"]],
        )
        w = Writer(conn, ctx, principal)
        w.history(
            entry_id,
            "propose",
            None,
            EntryStatus.PRELIMINARY.value,
            detail={"standard": d.code, "version": std.version},
        )
        w.flush()
        return view(conn, ctx, entry_row(conn, entry_id), principal)


# --- notice, announcement, objections, designation --------------------------------------

# The printed notice's deadline, before its delivery date is known.
DELIVERY_WINDOW_ZH = (
    "自本告知书送达之日起{days}个工作日内可以提出异议（期限自送达之日起计算；{basis}）"
)


def _open_window(
    conn: sa.Connection, ctx: Context, w: Writer, row: Any, action: Action, held: bool = False
) -> tuple[date, Deadline]:
    """The objection or announcement window opened: its due date, and the deadline it
    counts (for a notice to explain). `held`: the window waits for the notice's delivery
    (`awaits_delivery`): the deadline is stored, counted from today until the delivery
    date is recorded, and the entry has no window end yet, so nothing designates it."""
    # The move judged first: an entry that has no window (key scrutiny follows a removal
    # without a standard) is refused as the illegal move it is.
    after = transition(ListType(row.list_type), EntryStatus(row.status), action)
    rule = _window_rule(conn, row)
    stored = calendar_service.register_deadline(
        conn, ctx, w.calendar, "list_entry", row.id, rule, ctx.today()
    )
    due: date = stored["due_date"]
    queries.set_entry_status(conn, row.id, after.value, ctx.now(), window_due=None if held else due)
    detail = {"awaits_delivery": True} if held else {"window_due": str(due)}
    w.history(row.id, action.value, row.status, after.value, detail=detail)
    return due, Deadline(rule, ctx.today())


def _window_rule(conn: sa.Connection, row: Any) -> DeadlineRule:
    """The objection or announcement window's rule, as the entry's standard sets it."""
    std = rules.load(conn, row.standard_id)
    return window_rule(ListType(row.list_type), std.draft.window_days)


def awaits_delivery(conn: sa.Connection, row: Any) -> bool:
    """LST-2, Op(7), Art 28: the subject, a person or an organization, is told in advance.
    One with an account gets the written notice in its inbox at once; for one without,
    the designating unit delivers the printed notice, and the objection window runs from
    the delivery date it records (`window_from_delivery`), never from the day the notice
    was printed."""
    if row.list_type != ListType.BLACKLIST.value:
        return False
    account = conn.execute(
        sa.select(subject_account.c.id)
        .where(subject_account.c.subject_id == row.subject_id, subject_account.c.active)
        .limit(1)
    ).first()
    return account is None


def window_from_delivery(
    conn: sa.Connection, ctx: Context, principal: Principal, entry_id: int, delivered_on: date
) -> date | None:
    """The written notice was delivered on `delivered_on`: an entry whose window waited
    for it gets its window counted from that day (the rights context calls this when the
    unit records the delivery). None when the entry was not waiting (delivered in the
    inbox, removed, or its window already counted)."""
    row = entry_row(conn, entry_id)
    waiting = row.status == EntryStatus.NOTIFIED.value or (
        row.status == EntryStatus.OBJECTED.value
        and row.suspended_from == EntryStatus.NOTIFIED.value
    )
    if not waiting or row.window_due is not None:
        return None
    w = Writer(conn, ctx, principal)
    rule = _window_rule(conn, row)
    stored = calendar_service.reset_deadline(
        conn, ctx, w.calendar, "list_entry", row.id, rule.code, rule, delivered_on
    )
    due: date = stored["due_date"]
    queries.set_window_due(conn, row.id, due, ctx.now())
    w.history(
        row.id,
        "notice_delivered",
        row.status,
        row.status,
        detail={"delivered_on": delivered_on.isoformat(), "window_due": str(due)},
    )
    w.flush()
    return due


def notify(ctx: Context, principal: Principal, entry_id: int) -> EntryDetailView:
    """LST-2, Art 28: the written notice (basis, reason, measures, right to object, the
    deadline). Designation can only follow it, after the objection window."""
    with ctx.db.write() as conn:
        row = entry_row(conn, entry_id)
        _own_entry(principal, row)
        w = Writer(conn, ctx, principal)
        held = awaits_delivery(conn, row)
        due, deadline = _open_window(conn, ctx, w, row, Action.NOTIFY, held=held)
        w.notice(
            row,
            "written_notice",
            "subject",
            "written",
            {
                "basis": row.basis,
                "reason": row.facts,
                # Art 28: the notice quotes the measures' texts, not their catalog codes.
                "measures": list(texts_of(row.measures)),
                # Issued in Chinese throughout (a trial finding: the right to object
                # and the deadline's explanation were English in a Chinese notice).
                "right_to_object": RIGHT_TO_OBJECT[NOTICE_LANGUAGE],
                # A printed notice's deadline is counted from its delivery (unknown yet).
                "objection_deadline": None if held else due.isoformat(),
                "explanation": (
                    DELIVERY_WINDOW_ZH.format(
                        days=deadline.rule.working_days, basis=deadline.rule.zh
                    )
                    if held
                    else deadline.explain_zh(w.calendar)
                ),
            },
        )
        w.flush()
        return view(conn, ctx, entry_row(conn, entry_id), principal)


def announce(ctx: Context, principal: Principal, entry_id: int) -> EntryDetailView:
    """LST-3, Op(8): cross-check against every blacklist, then announce publicly."""
    with ctx.db.write() as conn:
        row = entry_row(conn, entry_id)
        _own_entry(principal, row)
        if row.list_type == ListType.RED_LIST.value:
            _refuse_blacklisted(conn, row.subject_id)
        w = Writer(conn, ctx, principal)
        due, _ = _open_window(conn, ctx, w, row, Action.ANNOUNCE)
        w.publish(
            row,
            "announcement",
            {
                "subject": public_subject(row.subject_info),
                "facts": row.facts,
                "basis": row.basis,
                "objection_deadline": due.isoformat(),
            },
            due,
        )
        w.flush()
        return view(conn, ctx, entry_row(conn, entry_id), principal)


def suspend_for_objection(
    conn: sa.Connection, ctx: Context, principal: Principal, row: Any, grounds: str
) -> bool:
    """Op(22), Art 28: an objection received suspends the entry until it is verified (the
    objection itself is the rights context's). False when an earlier objection already
    suspended it; `entry.illegal_transition` when the entry cannot be objected to now."""
    if row.status == EntryStatus.OBJECTED.value:
        return False
    after = transition(ListType(row.list_type), EntryStatus(row.status), Action.OBJECT)
    queries.set_entry_status(conn, row.id, after.value, ctx.now(), suspended_from=row.status)
    w = Writer(conn, ctx, principal)
    w.history(row.id, "object", row.status, after.value, grounds)
    w.flush()
    return True


def resume_after_objection(
    conn: sa.Connection, ctx: Context, principal: Principal, entry_id: int, note: str
) -> bool:
    """Op(22): the last open objection ended without finding an error (not accepted,
    dismissed): the entry's procedure resumes where it was suspended. False when the entry
    is not suspended (it was removed meanwhile, or never was)."""
    row = entry_row(conn, entry_id)
    if row.status != EntryStatus.OBJECTED.value:
        return False
    after = transition(
        ListType(row.list_type),
        EntryStatus(row.status),
        Action.DISMISS_OBJECTION,
        EntryStatus(row.suspended_from),
    )
    queries.set_entry_status(conn, entry_id, after.value, ctx.now(), suspended_from=None)
    w = Writer(conn, ctx, principal)
    w.history(entry_id, "dismiss_objection", row.status, after.value, note)
    w.flush()
    return True


def delete_for_error(
    conn: sa.Connection, ctx: Context, principal: Principal, entry_id: int, note: str
) -> ErrorDeletion:
    """RST-3(1), Op(20): an objection upheld finds the entry made in error: it is deleted
    and nothing of it is kept (what it owns goes with it, through the erasers). The caller
    (the rights context's correction) apologizes and records the correction (Op(23))."""
    row = entry_row(conn, entry_id)
    w = Writer(conn, ctx, principal)
    deletion = delete_error(w, row, note)
    w.flush()
    return deletion


def designate(ctx: Context, principal: Principal, entry_id: int) -> EntryDetailView:
    """LST-2..4: designation, only after the notice or announcement window has ended."""
    with ctx.db.write() as conn:
        row = entry_row(conn, entry_id)
        _own_entry(principal, row)
        list_type = ListType(row.list_type)
        transition(list_type, EntryStatus(row.status), Action.DESIGNATE)
        if row.status == EntryStatus.NOTIFIED.value and row.window_due is None:
            raise Conflict(
                "entry.notice_not_delivered",
                "the written notice to the subject has not been recorded as "
                "delivered; the objection window runs from its delivery (Op(7), Art 28)",
            )
        if row.window_due is not None and row.window_due >= ctx.today():
            raise Conflict(
                "entry.window_open",
                f"the {'announcement' if list_type is ListType.RED_LIST else 'objection'} "
                f"window is open until {row.window_due}; designation comes after it",
            )
        if list_type is ListType.RED_LIST:
            _refuse_blacklisted(conn, row.subject_id)
        w = Writer(conn, ctx, principal)
        designate_rows(w, [row])
        w.flush()
        return view(conn, ctx, entry_row(conn, entry_id), principal)


def remove(
    ctx: Context,
    principal: Principal,
    entry_id: int,
    *,
    reason: str,
    note: str = "",
    scrutiny_months: int | None = None,
) -> EntryRemovedView:
    """RST-3, RST-4: removal by the designating unit (expiry and standard changes are the
    sweep's and the standard's; restoration goes through its application)."""
    parsed = parse_enum(RemovalReason, reason, "entry.bad_removal_reason")
    if parsed is RemovalReason.RESTORATION:
        raise InvalidInput(
            "entry.restoration_needs_application",
            "removal by restoration follows an application and the unit's consent (RST-1, RST-2)",
        )
    if scrutiny_months is not None and not 1 <= scrutiny_months <= 60:
        raise InvalidInput("entry.bad_scrutiny", "key scrutiny lasts 1 to 60 months")
    with ctx.db.write() as conn:
        row = entry_row(conn, entry_id)
        _own_entry(principal, row)
        if parsed is RemovalReason.EXPIRY and not (
            row.designated_on is not None
            and row.valid_until is not None
            and row.valid_until < ctx.today()
        ):
            # The public removal notice would say "validity ended" (有效期届满): only true
            # of a designated entry past its validity (which the sweep removes anyway).
            raise Conflict(
                "entry.not_expired",
                f"entry {entry_id} is valid until {row.valid_until}"
                if row.designated_on is not None
                else f"entry {entry_id} was never designated: it has no validity to end",
            )
        if parsed is RemovalReason.STANDARD_CHANGED and not _standard_changed(conn, row):
            # STD-3: the removal notice says the standard changed; only true once a later
            # version of the entry's standard was published.
            raise Conflict(
                "entry.standard_unchanged",
                f"entry {entry_id}'s standard has no version later than the one it was made "
                "under: publish the new version (its re-evaluation removes the entries it no "
                "longer supports), or give the true reason",
            )
        w = Writer(conn, ctx, principal)
        changes = remove_rows(w, [row], parsed, scrutiny_months, note)
        w.flush()
        return {**view(conn, ctx, entry_row(conn, entry_id), principal), **changes.as_dict()}


def _standard_changed(conn: sa.Connection, row: Any) -> bool:
    """Whether a version of the entry's standard later than its own was published."""
    if row.standard_id is None:
        return False
    made_under = standard.alias("made_under")
    later = conn.execute(
        sa.select(standard.c.id)
        .join(made_under, made_under.c.id == row.standard_id)
        .where(standard.c.code == made_under.c.code, standard.c.version > made_under.c.version)
        .limit(1)
    ).first()
    return later is not None


def delete_own_in_error(
    conn: sa.Connection, ctx: Context, principal: Principal, entry_id: int, note: str
) -> ErrorDeletion:
    """RST-3(1), RST-4(1): the designating unit deletes an entry it found to be in error;
    inside the correction's transaction (rights: apology and clarification, Op(23))."""
    if not note.strip():
        raise InvalidInput("entry.no_reason", "say what the error was")
    row = entry_row(conn, entry_id)
    _own_entry(principal, row)
    return delete_for_error(conn, ctx, principal, entry_id, note.strip())


# --- re-evaluation and withdrawal ---------------------------------------------------------


def reevaluate(
    conn: sa.Connection, ctx: Context, principal: Principal, std: rules.Standard
) -> ReevaluationView:
    """STD-3, Op(18)-(19): entries under `std`'s code that the new version no longer
    supports are removed with reason standard_changed. Set-based: one query finds them."""
    today = ctx.today()
    qualifying = rules.qualifying(std.draft.rule, today).with_only_columns(record.c.subject_id)
    base = sa.select(list_entry).where(
        list_entry.c.standard_code == std.code,
        list_entry.c.status != EntryStatus.REMOVED.value,
    )
    checked = conn.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
    failing = conn.execute(
        base.where(list_entry.c.subject_id.not_in(qualifying)).order_by(list_entry.c.id)
    ).all()
    w = Writer(conn, ctx, principal)
    changes = remove_rows(w, failing, RemovalReason.STANDARD_CHANGED, note=f"v{std.version}")
    w.audits.append(
        audit.Event(
            "standard.reevaluate",
            "standard",
            std.id,
            detail={
                "code": std.code,
                "version": std.version,
                "checked": int(checked),
                "removed": len(failing),
            },
        )
    )
    w.flush()
    return {"checked": int(checked), **changes.as_dict()}


def revoke_resting_on(
    conn: sa.Connection, ctx: Context, principal: Principal, record_id: int
) -> Changes:
    """ING-7, Art 42: every live entry resting on a withdrawn record is revoked the same day."""
    rows = conn.execute(
        sa.select(list_entry)
        .join(list_entry_record, list_entry_record.c.entry_id == list_entry.c.id)
        .where(
            list_entry_record.c.record_id == record_id,
            list_entry.c.status.in_([s.value for s in LIVE]),
        )
    ).all()
    w = Writer(conn, ctx, principal)
    changes = remove_rows(w, rows, RemovalReason.BASIS_REVOKED, note=f"record {record_id}")
    w.flush()
    return changes


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
