"""Corrections of errors (OBJ-5; Op(23), Art 66). An entry or record found to be made in
error, by the unit that made it or through an objection or reconsideration, is corrected
in one transaction with everything Op(23) asks for:

- the entry is deleted and not kept (Op(20)); the record is withdrawn or returned to its
  provider to be fixed;
- the unit that made the error apologizes to the subject in writing (its inbox, or the
  printable notice with an activation code);
- where the item had been public, a reputation-restoring notice goes out on the same
  channels, for the notice period (stored facts: channels, from, until);
- incentives a red-listed subject received in error are listed for reclaiming; the
  `correction.recorded` event carries them to the measures context's notices;
- compensation claims are recorded and decided (`compensation.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypedDict

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Forbidden, InvalidInput, NotFound, parse_enum
from creditreg.domain.kernel.actor import Actor, Permission
from creditreg.domain.kernel.audit import digest
from creditreg.domain.kernel.events import event
from creditreg.domain.lists.standards import ListType
from creditreg.domain.privacy import mask_identifiers_in_text
from creditreg.domain.records.catalog import Disclosure
from creditreg.domain.records.classification import add_months
from creditreg.domain.records.lifecycle import RecordAction, RecordStatus
from creditreg.domain.rights.corrections import Apology, Done, clean_error
from creditreg.domain.rights.objections import Correction, TargetType
from creditreg.services.access import query_register, subject_accounts
from creditreg.services.context import Context
from creditreg.services.kernel import audit, events
from creditreg.services.lists import entry_steps
from creditreg.services.lists.entry_changes import ErrorDeletion
from creditreg.services.lists.entry_writer import LIST_LABELS
from creditreg.services.records import lifecycle as record_lifecycle
from creditreg.services.rights import notices
from creditreg.services.rights import objection_targets as targets
from creditreg.services.rights.objection_lifecycle import tell_unit
from creditreg.store.access.tables import unit
from creditreg.store.rights import correction_queries as queries
from creditreg.store.rights.correction_tables import correction
from creditreg.store.subjects.tables import subject

# Where the platform itself publishes: its portal (the reputation-restoring notice of a
# record shown there; an entry's goes on the channels the entry was published on).
PLATFORM_CHANNEL = "platform_portal"


class CorrectionView(TypedDict):
    id: int
    target_type: str
    target_id: int
    subject_id: int
    unit_id: int | None
    list_type: str | None
    matter: str
    done: str
    error: str
    objection_id: int | None
    apology_notice_id: int | None
    public_channels: list[str]
    public_from: str | None
    public_until: str | None
    reclaim: list[str]
    corrected_on: str
    made_by: str


class PublicCorrectionView(TypedDict):
    id: int
    subject_name: str
    matter: str
    statement: str
    channels: list[str]
    corrected_on: str
    public_until: str


def _unit_name(conn: sa.Connection, unit_id: int | None) -> str:
    if unit_id is None:
        return "信用信息共享平台"
    name = conn.execute(sa.select(unit.c.name).where(unit.c.id == unit_id)).scalar_one_or_none()
    return str(name or f"单位 {unit_id}")


# Op(20): nothing of an entry made in error is kept, its grounds and the words that
# found it wrong included (they repeat its facts): its correction says only this, and the
# audit chain keeps the digest of what the unit wrote.
ENTRY_ERROR = "经核查，该名单认定系错误认定，已删除且不予保留（《指导意见》第（二十）项）"


def _record(
    conn: sa.Connection,
    ctx: Context,
    actor: Actor,
    *,
    values: dict[str, Any],
    error: str,
    kept: str | None = None,
) -> int:
    """Store the correction, deliver the apology, write the audit and the event. `kept`
    is what the correction and the apology say of the error, when not `error` itself."""
    said = error if kept is None else kept
    today = ctx.today()
    correction_id = queries.insert_correction(
        conn,
        {
            **values,
            "error": said,
            "corrected_on": today,
            "made_by": actor.actor,
            "created_at": ctx.now(),
        },
    )
    channels = tuple(values["public_channels"])
    apology = Apology(
        unit_name=_unit_name(conn, values["unit_id"]),
        matter=values["matter"],
        error=said,
        done=Done(values["done"]),
        corrected_on=today,
        channels=channels,
        public_until=values["public_until"],
        correction_id=correction_id,
    )
    notice_id = notices.deliver(
        conn,
        ctx,
        subject_id=int(values["subject_id"]),
        kind="apology",
        content=apology.content(),
        source=("correction", str(correction_id)),
        owner=("correction", str(correction_id)),
        unit_id=values["unit_id"],
    )
    conn.execute(
        correction.update()
        .where(correction.c.id == correction_id)
        .values(apology_notice_id=notice_id)
    )
    audit.record(
        conn,
        ctx,
        actor,
        "correction.record",
        "correction",
        correction_id,
        after={
            "target_type": values["target_type"],
            "target_id": values["target_id"],
            "done": values["done"],
        },
        # The error may describe the subject: the chain keeps its digest (as for entries).
        detail={"error_digest": digest(error), "reclaim": len(values["reclaim"])},
    )
    events.emit(
        conn,
        ctx,
        [
            event(
                "correction.recorded",
                "correction",
                correction_id,
                correction_id=correction_id,
                target_type=values["target_type"],
                target_id=values["target_id"],
                subject_id=values["subject_id"],
                list_type=values["list_type"],
                reclaim=bool(values["reclaim"]),
                on=today.isoformat(),
            )
        ],
    )
    return correction_id


def add_reclaim(conn: sa.Connection, correction_id: int, items: Sequence[str]) -> None:
    """OBJ-5, Op(23): incentives the contexts above know were given because of the entry
    (what checks told implementing units to apply), added to those the correction lists
    for reclaiming, each once, in the correction's transaction."""
    row = conn.execute(
        sa.select(correction.c.reclaim).where(correction.c.id == correction_id)
    ).first()
    if row is None:
        return
    listed = list(row.reclaim or [])
    fresh = [item for item in dict.fromkeys(items) if item not in listed]
    if fresh:
        conn.execute(
            correction.update()
            .where(correction.c.id == correction_id)
            .values(reclaim=[*listed, *fresh])
        )


def entry_error(
    conn: sa.Connection,
    ctx: Context,
    actor: Actor,
    deletion: ErrorDeletion,
    error: str,
    objection_id: int | None = None,
) -> int:
    """OBJ-5, Op(23): the correction of an entry deleted in error (the lists context wrote
    the clarification on the channels it had been published on)."""
    label = LIST_LABELS[ListType(deletion.list_type)]
    red = deletion.list_type == ListType.RED_LIST.value
    return _record(
        conn,
        ctx,
        actor,
        values={
            "target_type": TargetType.LIST_ENTRY.value,
            "target_id": deletion.entry_id,
            "subject_id": deletion.subject_id,
            "unit_id": deletion.designating_unit_id,
            "list_type": deletion.list_type,
            "standard_code": deletion.standard_code,
            "matter": f"将您列入{label}（名单条目 {deletion.entry_id}）",
            "done": Done.DELETED.value,
            "objection_id": objection_id,
            "public_channels": list(deletion.channels),
            "public_name": deletion.subject_name if deletion.channels else None,
            "public_from": ctx.today() if deletion.channels else None,
            "public_until": deletion.public_until,
            # Op(23): "the rights and interests they received as joint incentives should
            # be reclaimed to the extent possible".
            "reclaim": list(deletion.measures) if red else [],
        },
        error=error,
        kept=ENTRY_ERROR,
    )


def correct_record(
    conn: sa.Connection,
    ctx: Context,
    principal: Principal,
    target: targets.Target,
    fix: Correction,
    why: str,
) -> None:
    """A record found wrong is corrected by its provider's lifecycle (OBJ-3): returned to
    be corrected and submitted again, or withdrawn; its provider is told."""
    record_row = target.row
    if fix is Correction.RETURN:
        record_lifecycle.move(
            conn,
            ctx,
            principal,
            record_row,
            RecordAction.RETURN,
            detail={"reason": why},
            returned_reasons=[why],
        )
    else:
        record_lifecycle.move(
            conn,
            ctx,
            principal,
            record_row,
            RecordAction.WITHDRAW,
            detail={"reason": why},
            withdrawn_at=ctx.now(),
            withdraw_reason=why,
        )
    if target.provider_unit_id is not None:
        done = "returned to you" if fix is Correction.RETURN else "withdrawn"
        tell_unit(
            conn,
            ctx,
            target.provider_unit_id,
            "record.corrected",
            target.id,
            f"record {target.id} was {done} after it was found wrong: {why}. "
            "Submit a corrected record (Art 41)",
        )


def record_error(
    conn: sa.Connection,
    ctx: Context,
    principal: Principal,
    target: targets.Target,
    fix: Correction,
    error: str,
    objection_id: int | None = None,
) -> int:
    """OBJ-5, Op(23): a record found wrong is withdrawn or returned to be fixed, and the
    correction recorded with the provider's apology; a record that was on public display
    gets a reputation-restoring notice on the platform's portal for the notice period."""
    row = target.row
    was_public = (
        row.status == RecordStatus.VERIFIED.value
        and row.disclosure == Disclosure.PUBLIC_DISPLAY.value
    )
    correct_record(conn, ctx, principal, target, fix, error)
    until = add_months(ctx.today(), ctx.notice_months) if was_public else None
    name = None
    if was_public:
        name = conn.execute(
            sa.select(subject.c.name).where(subject.c.id == target.subject_id)
        ).scalar_one()
    return _record(
        conn,
        ctx,
        principal,
        values={
            "target_type": TargetType.RECORD.value,
            "target_id": target.id,
            "subject_id": target.subject_id,
            "unit_id": target.provider_unit_id,
            "list_type": None,
            "standard_code": None,
            "matter": f"您的信用记录（记录 {target.id}）",
            "done": (Done.RETURNED if fix is Correction.RETURN else Done.WITHDRAWN).value,
            "objection_id": objection_id,
            "public_channels": [PLATFORM_CHANNEL] if was_public else [],
            "public_name": name,
            "public_from": ctx.today() if was_public else None,
            "public_until": until,
            "reclaim": [],
        },
        error=error,
    )


def correct(
    ctx: Context,
    principal: Principal,
    *,
    target_type: str,
    target_id: int,
    error: str,
    fix: str | None = None,
) -> CorrectionView:
    """OBJ-5, Op(23), Art 66: the unit that made an entry or record finds it was made in
    error and corrects it: the designating unit deletes its entry; the platform or the
    providing unit withdraws or returns a record."""
    kind = parse_enum(TargetType, target_type, "correction.bad_target_type")
    text = clean_error(error)
    with ctx.db.write() as conn:
        if kind is TargetType.LIST_ENTRY:
            if fix is not None:
                raise InvalidInput(
                    "correction.fix_not_applicable",
                    "an entry made in error is deleted (Op(20)); `fix` is for records",
                )
            deletion = entry_steps.delete_own_in_error(conn, ctx, principal, target_id, text)
            correction_id = entry_error(conn, ctx, principal, deletion, text)
        else:
            how = parse_enum(Correction, fix, "correction.bad_fix") if fix else None
            if how is None:
                raise InvalidInput(
                    "correction.fix_required", "say how the record is corrected: withdraw or return"
                )
            target = targets.load(conn, kind, target_id)
            _may_correct_record(principal, target)
            correction_id = record_error(conn, ctx, principal, target, how, text)
        return _view(row_of(conn, correction_id))


def _may_correct_record(principal: Principal, target: targets.Target) -> None:
    """The platform (Art 41) or the record's own providing unit."""
    if Permission.OBJECTIONS_HANDLE in principal.permissions:
        return
    principal.require(Permission.RECORDS_SUBMIT)
    if principal.unit_id is None or principal.unit_id != target.provider_unit_id:
        raise Forbidden(
            "correction.not_your_record",
            f"record {target.id} is corrected by its providing unit or the platform",
        )


def row_of(conn: sa.Connection, correction_id: int) -> Any:
    """A correction's row, or 404 `correction.not_found`."""
    row = conn.execute(sa.select(correction).where(correction.c.id == correction_id)).first()
    if row is None:
        raise NotFound("correction.not_found", f"no correction {correction_id}")
    return row


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _view(row: Any) -> CorrectionView:
    return {
        "id": row.id,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "subject_id": row.subject_id,
        "unit_id": row.unit_id,
        "list_type": row.list_type,
        "matter": row.matter,
        "done": row.done,
        "error": row.error,
        "objection_id": row.objection_id,
        "apology_notice_id": row.apology_notice_id,
        "public_channels": list(row.public_channels),
        "public_from": _iso(row.public_from),
        "public_until": _iso(row.public_until),
        "reclaim": list(row.reclaim),
        "corrected_on": row.corrected_on.isoformat(),
        "made_by": row.made_by,
    }


def may_read(principal: Principal, row: Any) -> bool:
    """The subject itself; the unit that made the error; the platform; and, for the
    incentives to reclaim (Op(23)), the units that read the lists."""
    if principal.subject_id is not None:
        return bool(principal.subject_id == row.subject_id)
    if Permission.OBJECTIONS_HANDLE in principal.permissions:
        return True
    if principal.unit_id is not None and principal.unit_id == row.unit_id:
        return True
    return bool(row.reclaim) and Permission.LISTS_READ in principal.permissions


def get(ctx: Context, principal: Principal, correction_id: int) -> CorrectionView:
    with query_register.reading(ctx, principal) as conn:
        row = row_of(conn, correction_id)
        if not may_read(principal, row):
            raise NotFound("correction.not_found", f"no correction {correction_id}")
        query_register.record(
            conn, ctx, principal, [row.subject_id], "correction", object_id=correction_id
        )
        return _view(row)


def listing(
    ctx: Context,
    principal: Principal,
    *,
    subject_id: int | None = None,
    reclaim: bool | None = None,
) -> list[CorrectionView]:
    """The corrections one may read, newest first; a subject sees its own (and only
    its own: asking for another subject's is refused and audited)."""
    query = sa.select(correction).order_by(correction.c.id.desc())
    if principal.subject_id is not None:
        if subject_id is not None and subject_id != principal.subject_id:
            subject_accounts.require_subject(
                ctx, principal, subject_id, Permission.OBJECTIONS_HANDLE, action="correction.list"
            )
        subject_id = principal.subject_id
    if subject_id is not None:
        query = query.where(correction.c.subject_id == subject_id)
    with query_register.reading(ctx, principal) as conn:
        rows = [r for r in conn.execute(query) if may_read(principal, r)]
        if reclaim is not None:
            rows = [r for r in rows if bool(r.reclaim) is reclaim]
        # SEC-2: a correction names its subject and what was wrong.
        query_register.record(conn, ctx, principal, [r.subject_id for r in rows], "correction")
    return [_view(r) for r in rows]


def public(ctx: Context) -> list[PublicCorrectionView]:
    """The reputation-restoring notices published today (Op(23)): each only within its
    period, never after it."""
    today = ctx.today()
    with ctx.db.read() as conn:
        rows = conn.execute(
            sa.select(correction)
            .where(
                correction.c.public_until.is_not(None),
                correction.c.public_until >= today,
                correction.c.public_from <= today,
            )
            .order_by(correction.c.id.desc())
        ).all()
    return [
        {
            "id": r.id,
            "subject_name": mask_identifiers_in_text(r.public_name or ""),  # DIS-3
            "matter": r.matter.replace("您", "该主体", 1),
            "statement": (
                f"经核查，{r.matter.replace('您', '该主体', 1)}系工作失误所致，"
                f"已于{r.corrected_on.isoformat()}更正，特此澄清（《指导意见》第（二十三）项）。"
            ),
            "channels": list(r.public_channels),
            "corrected_on": r.corrected_on.isoformat(),
            "public_until": r.public_until.isoformat(),
        }
        for r in rows
    ]
