"""Feedback on measures applied (MEA-4, LST-7; Op(9), Op(12), Op(13)).

An implementing unit reports which measure it applied to which subject, when and in
which case file. The report is held to what the check told that unit: a measure the check
never returned to it for that subject (and that fact) is refused, so feedback cannot
invent an obligation. The platform counts the reports by measure, field, unit and month,
exports them as CSV, and marks typical cases; each entry shows the measures applied
because of it (LST-7). Audited; an event (`measure_feedback.reported`) tells the contexts
above and the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from creditreg.clock import local_date
from creditreg.domain.access.principals import Principal, UnitKind
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.events import DomainEvent
from creditreg.domain.lists.entries import in_force
from creditreg.domain.measures.feedback import Applied, clean_applied, matching
from creditreg.domain.records.lifecycle import LIVE
from creditreg.services.access import query_register as register
from creditreg.services.context import Context
from creditreg.services.kernel import audit, events
from creditreg.services.lists import entry_views
from creditreg.store.access.query_register import query_register
from creditreg.store.access.tables import unit
from creditreg.store.lists.tables import list_entry
from creditreg.store.measures.feedback_tables import measure_feedback
from creditreg.store.measures.tables import measure
from creditreg.store.records.tables import catalog_item, record

CHECKED = ("check",)
MAX_PAGE = 1000


@dataclass(frozen=True)
class FeedbackView:
    """One report of a measure applied."""

    id: int
    unit_id: int
    unit_name: str | None
    subject_id: int
    measure_code: str
    kind: str
    entry_id: int | None
    record_id: int | None
    check_id: int
    field: str
    applied_on: date
    case_file: str
    note: str | None
    typical: bool
    typical_note: str | None
    created_at: datetime


def implementing_unit(principal: Principal) -> int:
    principal.require(Permission.MEASURES_CHECK)
    if principal.unit_kind is not UnitKind.IMPLEMENTING_UNIT or principal.unit_id is None:
        raise Forbidden(
            "measure_feedback.not_implementing_unit",
            "only implementing units report the measures they applied",
        )
    return int(principal.unit_id)


def report(
    ctx: Context,
    principal: Principal,
    *,
    subject_id: int,
    measure_code: str,
    applied_on: date,
    case_file: str,
    entry_id: int | None = None,
    record_id: int | None = None,
    note: str | None = None,
) -> FeedbackView:
    """MEA-4: the unit applied `measure_code` to the subject on `applied_on` in
    `case_file`; refused unless a check by this unit returned that measure for that subject
    (and for the fact named, when one is) on or before that day."""
    unit_id = implementing_unit(principal)
    applied = clean_applied(
        measure_code, applied_on, case_file, ctx.today(), entry_id, record_id, note
    )
    with ctx.db.write() as conn:
        kept_from = local_date(register.since(ctx))
        check_id, (fact_kind, fact_id) = _returned_by_a_check(
            conn, unit_id, subject_id, applied, kept_from
        )
        duplicate = conn.execute(
            sa.select(measure_feedback.c.id).where(
                measure_feedback.c.unit_id == unit_id,
                measure_feedback.c.subject_id == subject_id,
                measure_feedback.c.measure_code == applied.measure_code,
                measure_feedback.c.case_file == applied.case_file,
            )
        ).first()
        if duplicate is not None:
            raise Conflict(
                "measure_feedback.duplicate",
                f"this measure was reported for this subject in case file "
                f"{applied.case_file!r} already (feedback {duplicate.id})",
            )
        kind = conn.execute(
            sa.select(measure.c.kind).where(measure.c.code == applied.measure_code)
        ).scalar_one()
        values = {
            "unit_id": unit_id,
            "subject_id": subject_id,
            "measure_code": applied.measure_code,
            "kind": kind,
            "entry_id": fact_id if fact_kind == "entry" else None,
            "record_id": fact_id if fact_kind == "record" else None,
            "check_id": check_id,
            "field": _field(conn, fact_kind, fact_id, applied.applied_on),
            "applied_on": applied.applied_on,
            "case_file": applied.case_file,
            "note": applied.note,
            "typical": False,
            "actor": principal.actor[:120],
            "created_at": ctx.now(),
        }
        try:
            with conn.begin_nested():
                fid = int(
                    conn.execute(
                        measure_feedback.insert().values(values).returning(measure_feedback.c.id)
                    ).scalar_one()
                )
        except sa.exc.IntegrityError:
            # The same report sent twice at once: the unique constraint keeps one.
            raise Conflict(
                "measure_feedback.duplicate",
                f"this measure was reported for this subject in case file "
                f"{applied.case_file!r} already",
            ) from None
        audit.record(
            conn,
            ctx,
            principal,
            "measure_feedback.report",
            "measure_feedback",
            fid,
            after={k: v for k, v in values.items() if k not in ("note", "created_at")},
        )
        events.emit(
            conn,
            ctx,
            [
                DomainEvent(
                    "measure_feedback.reported",
                    "measure_feedback",
                    str(fid),
                    {
                        "unit_id": unit_id,
                        "subject_id": subject_id,
                        "measure_code": applied.measure_code,
                        "entry_id": values["entry_id"],
                        "record_id": values["record_id"],
                        "applied_on": applied.applied_on.isoformat(),
                    },
                )
            ],
        )
        return _views(conn, [measure_feedback.c.id == fid])[0]


def _returned_by_a_check(
    conn: sa.Connection, unit_id: int, subject_id: int, applied: Applied, kept_from: date
) -> tuple[int, tuple[str, int]]:
    """The newest check by `unit_id` of `subject_id`, on or before the day applied, that
    returned the measure (for the fact named); and that fact."""
    rows = conn.execute(
        sa.select(query_register.c.id, query_register.c.at, query_register.c.returned)
        .where(
            query_register.c.subject_id == subject_id,
            query_register.c.unit_id == unit_id,
            query_register.c.what.in_(CHECKED),
        )
        .order_by(query_register.c.id.desc())
    ).all()
    facts: dict[tuple[str, int], int] = {}
    for r in rows:
        if local_date(r.at) > applied.applied_on or not r.returned:
            continue
        returned: dict[str, Any] = r.returned
        for fact in matching(list(returned.get("triggers", [])), applied):
            facts.setdefault(fact, int(r.id))
    if not facts:
        raise InvalidInput(
            "measure_feedback.not_returned",
            f"no check by your unit returned measure {applied.measure_code} for this subject"
            + (" and this fact" if applied.entry_id or applied.record_id else "")
            + f" on or before {applied.applied_on}: feedback reports what the check obliged"
            + (
                f" (the register keeps checks for two years, RIG-2: none before {kept_from} "
                "is held unless feedback rests on it)"
                if applied.applied_on < kept_from
                else ""
            ),
        )
    if len(facts) > 1:
        named = ", ".join(f"{kind} {fid}" for kind, fid in sorted(facts))
        raise InvalidInput(
            "measure_feedback.trigger_required",
            f"the check returned {applied.measure_code} for several facts ({named}): name "
            "the entry_id or record_id it was applied because of",
        )
    ((fact, check_id),) = facts.items()
    return check_id, fact


def _field(conn: sa.Connection, kind: str, fact_id: int, on: date) -> str:
    """The field of the fact the measure answers, which must still have been in force on
    the day the measure was applied (a measure applied after its entry ended, or after its
    record left the check, answers nothing: MEA-5)."""
    row: Any
    if kind == "entry":
        row = conn.execute(
            sa.select(
                list_entry.c.field,
                list_entry.c.designated_on,
                list_entry.c.valid_until,
                list_entry.c.removed_on,
            ).where(list_entry.c.id == fact_id)
        ).first()
        live = row is not None and in_force(row.designated_on, row.valid_until, row.removed_on, on)
    else:
        row = conn.execute(
            sa.select(catalog_item.c.field, record.c.status)
            .join(record, record.c.catalog_item_id == catalog_item.c.id)
            .where(record.c.id == fact_id)
        ).first()
        live = row is not None and row.status in LIVE
    if row is None:
        raise NotFound(
            "measure_feedback.fact_gone",
            f"the {kind} the measure answered is no longer kept (deleted in error)",
        )
    if not live:
        raise InvalidInput(
            "measure_feedback.fact_ended",
            f"the {kind} the measure answered was not in force on {on}: a measure applied "
            "after it ended answers nothing",
        )
    return str(row.field)


def _views(conn: sa.Connection, where: Sequence[sa.ColumnElement[bool]]) -> list[FeedbackView]:
    f = measure_feedback.c
    rows = conn.execute(
        sa.select(measure_feedback, unit.c.name.label("unit_name"))
        .outerjoin(unit, unit.c.id == f.unit_id)
        .where(*where)
        .order_by(f.id)
        .limit(MAX_PAGE)
    ).all()
    return [
        FeedbackView(
            id=r.id,
            unit_id=r.unit_id,
            unit_name=r.unit_name,
            subject_id=r.subject_id,
            measure_code=r.measure_code,
            kind=r.kind,
            entry_id=r.entry_id,
            record_id=r.record_id,
            check_id=r.check_id,
            field=r.field,
            applied_on=r.applied_on,
            case_file=r.case_file,
            note=r.note,
            typical=bool(r.typical),
            typical_note=r.typical_note,
            created_at=r.created_at,
        )
        for r in rows
    ]


def listing(
    ctx: Context,
    principal: Principal,
    *,
    unit_id: int | None = None,
    subject_id: int | None = None,
    measure_code: str | None = None,
    typical: bool | None = None,
) -> list[FeedbackView]:
    """The reports: an implementing unit sees its own, the platform's auditors every
    unit's (filtered)."""
    f = measure_feedback.c
    where: list[sa.ColumnElement[bool]] = []
    if Permission.AUDIT_READ not in principal.permissions:
        where.append(f.unit_id == implementing_unit(principal))
    if unit_id is not None:
        where.append(f.unit_id == unit_id)
    if subject_id is not None:
        where.append(f.subject_id == subject_id)
    if measure_code is not None:
        where.append(f.measure_code == measure_code.strip().upper())
    if typical is not None:
        where.append(f.typical == typical)
    with ctx.db.write() as conn:
        found = _views(conn, where)
        # SEC-2: reports name subjects; another unit's are a read of their information.
        register.record(
            conn,
            ctx,
            principal,
            [v.subject_id for v in found if v.unit_id != principal.unit_id],
            "measure_feedback",
        )
        return found


def of_entry(ctx: Context, principal: Principal, entry_id: int) -> list[FeedbackView]:
    """LST-7, Op(9): the history of the measures applied because of an entry: every
    unit's to the entry's parties, its own to another unit."""
    principal.require(Permission.LISTS_READ)
    with ctx.db.write() as conn:
        entry = conn.execute(sa.select(list_entry).where(list_entry.c.id == entry_id)).first()
        # LST-9, RST-5: an entry the caller may not read (in its procedure, or removed and
        # archived) is none to it, here as where the entry itself is read.
        if entry is None or not (
            entry_views.sees_procedures(principal) or entry_views.shared_with_units(entry)
        ):
            raise NotFound("entry.not_found", f"no entry {entry_id}")
        subject_id = entry.subject_id
        which = [measure_feedback.c.entry_id == entry_id]
        # Op(24): another implementing unit's case files and notes are its own; the
        # entry's parties (its designating unit, the platform) see every unit's.
        party = (
            principal.unit_id is None
            or principal.unit_kind is UnitKind.PLATFORM_OPERATOR
            or principal.unit_id == entry.designating_unit_id
        )
        if not party:
            which.append(measure_feedback.c.unit_id == principal.unit_id)
        found = _views(conn, which)
        # SEC-2: the history names the subject's case files: a registered read.
        if found:
            register.record(
                conn,
                ctx,
                principal,
                [int(subject_id)],
                "entry.applied_measures",
                object_id=entry_id,
            )
        return found


def mark_typical(
    ctx: Context, principal: Principal, feedback_id: int, typical: bool, note: str | None
) -> FeedbackView:
    """Op(13): the platform marks (or unmarks) a report as a typical case, with why."""
    principal.require(Permission.MEASURES_WRITE)
    text = note.strip() if note else None
    if typical and not text:
        raise InvalidInput("measure_feedback.typical_needs_note", "say why the case is typical")
    with ctx.db.write() as conn:
        before = conn.execute(
            sa.select(measure_feedback.c.typical).where(measure_feedback.c.id == feedback_id)
        ).first()
        if before is None:
            raise NotFound("measure_feedback.not_found", f"no feedback {feedback_id}")
        conn.execute(
            measure_feedback.update()
            .where(measure_feedback.c.id == feedback_id)
            .values(
                typical=typical,
                typical_note=text if typical else None,
                typical_by=principal.actor[:120] if typical else None,
                typical_at=ctx.now() if typical else None,
            )
        )
        audit.record(
            conn,
            ctx,
            principal,
            "measure_feedback.typical",
            "measure_feedback",
            feedback_id,
            before={"typical": bool(before.typical)},
            after={"typical": typical, "note": text},
        )
        return _views(conn, [measure_feedback.c.id == feedback_id])[0]


def erase_of_entry(conn: sa.Connection, entry_id: str) -> list[tuple[str, str]]:
    """Op(20): an entry deleted in error is not kept, nor are the reports of measures
    applied because of it (their case files and subject); their events lose their payloads.
    The ids-only exposure rows stay, so that the units are still told to stop."""
    ids = [
        str(i)
        for i in conn.execute(
            sa.select(measure_feedback.c.id).where(measure_feedback.c.entry_id == int(entry_id))
        ).scalars()
    ]
    if ids:
        conn.execute(measure_feedback.delete().where(measure_feedback.c.entry_id == int(entry_id)))
    return [("measure_feedback", i) for i in ids]
