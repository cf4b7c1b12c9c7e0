"""The list procedures, verb by verb (LST-1..4, LST-7..9, RST-3..5, STD-3, SUB-4).

propose -> notify (blacklist) / announce (red list) -> object / resolve -> designate ->
remove / delete_error. Each verb is one transaction: it checks the caller's scope
(LST-1), asks the domain's transition table, and writes history, notices and audit.
This module proposes an entry (scope, subject information, terms from the standard);
`entry_steps` takes it through its procedure; `entry_views` reads it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal, UnitKind
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, parse_enum
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.deadlines import DeadlineRule
from creditreg.domain.lists.entries import (
    EntryStatus,
)
from creditreg.domain.lists.notices import standard_cited
from creditreg.domain.lists.standards import ListType, Scope
from creditreg.domain.subjects.identifiers import (
    Identifier,
    IdType,
    LinkRole,
    SubjectKind,
    parse_identifier,
)
from creditreg.services.context import Context
from creditreg.services.lists import measure_refs, rules
from creditreg.services.lists.entry_changes import live_entries
from creditreg.services.lists.entry_views import entry_row, view
from creditreg.services.lists.entry_writer import ORIGIN_STANDARD, Writer, insert_entry
from creditreg.services.lists.views import (
    EntryDetailView,
)
from creditreg.store.lists.tables import (
    list_entry,
    list_entry_record,
)
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


def own_entry(principal: Principal, row: Any) -> None:
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


def refuse_blacklisted(conn: sa.Connection, subject_id: int) -> None:
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
            refuse_blacklisted(conn, subject_id)
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
