"""The steps of an objection after receipt (OBJ-2, OBJ-3, OBJ-6; Art 41; Op(22)):
acceptance first, said to the objector; escalation to the provider, whose answer is due
within 3 working days; pauses for inspection, testing, quarantine, evaluation or expert
review; the decision with its reasons, and the correction it calls for."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, parse_enum
from creditreg.domain.kernel.actor import Actor
from creditreg.domain.kernel.calendar import Span
from creditreg.domain.lists.entries import EntryStatus
from creditreg.domain.records.lifecycle import RecordStatus
from creditreg.domain.rights.objections import (
    OPEN,
    PROVIDER_ANSWER_RULE,
    Correction,
    Outcome,
    Pause,
    PauseKind,
    Status,
    TargetType,
    Track,
    check_pause,
    clean_reason,
    decision_rule,
    pause_end,
)
from creditreg.services.access import query_register
from creditreg.services.context import Context
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.lists import entry_steps, entry_views
from creditreg.services.rights import corrections
from creditreg.services.rights import objection_targets as targets
from creditreg.services.rights.objection_lifecycle import (
    move,
    row_of,
    step,
    tell_objector,
    tell_unit,
)
from creditreg.services.rights.objection_views import ObjectionDetailView, UpheldEntryView
from creditreg.services.rights.objections import detail
from creditreg.store.rights.objection_tables import objection, objection_pause


def _deciding(
    conn: sa.Connection, principal: Principal, objection_id: int
) -> tuple[Any, targets.Target]:
    """The objection and its target, if `principal` decides it (Art 41; Op(22))."""
    row = row_of(conn, objection_id)
    target = targets.load(conn, TargetType(row.target_type), row.target_id)
    if not targets.may_decide(principal, target):
        who = (
            "the platform" if target.deciding_unit_id is None else f"unit {target.deciding_unit_id}"
        )
        raise Forbidden(
            "objection.not_decider",
            f"objection {objection_id} is accepted and decided by {who} "
            "(Art 41: the platform for records; Op(22): the designating unit for entries)",
        )
    return row, target


def answered(
    conn: sa.Connection, ctx: Context, principal: Principal, objection_id: int
) -> ObjectionDetailView:
    """The objection as the unit that took a step on it gets it back: its grounds and
    history are the subject's information, so the read is registered (SEC-2, Op(24)) as
    a `GET` of it would be."""
    row = row_of(conn, objection_id)
    query_register.record(conn, ctx, principal, [row.subject_id], "objection", object_id=row.id)
    return detail(conn, ctx, row)


def _pauses(conn: sa.Connection, objection_id: int) -> list[Span]:
    """The ended pauses, as spans the deadline does not count (Art 41)."""
    return [
        Pause(PauseKind(p.kind), p.start_on, p.end_on, p.reason).span()
        for p in conn.execute(
            sa.select(objection_pause)
            .where(
                objection_pause.c.objection_id == objection_id,
                objection_pause.c.end_on.is_not(None),
            )
            .order_by(objection_pause.c.id)
        )
    ]


def _recount(conn: sa.Connection, ctx: Context, row: Any, track: Track, old_code: str) -> date:
    """The decision deadline counted again from receipt under `track`, with every pause."""
    rule = decision_rule(TargetType(row.target_type), track)
    stored = calendar_service.reset_deadline(
        conn,
        ctx,
        calendar_service.load(conn),
        "objection",
        row.id,
        old_code,
        rule,
        row.received_on,
        _pauses(conn, row.id),
    )
    due: date = stored["due_date"]
    conn.execute(objection.update().where(objection.c.id == row.id).values(due_date=due))
    return due


def accept(
    ctx: Context,
    principal: Principal,
    objection_id: int,
    *,
    accepted: bool,
    reason: str,
    track: str | None = None,
) -> ObjectionDetailView:
    """OBJ-6, Op(22): acceptance is decided first and said, with the reason. A record's
    objection accepted on the provider track goes to the provider at once (Art 41)."""
    why = clean_reason(reason)
    chosen = parse_enum(Track, track, "objection.bad_track") if track else None
    with ctx.db.write() as conn:
        row, target = _deciding(conn, principal, objection_id)
        if chosen is not None and target.type is TargetType.LIST_ENTRY:
            raise InvalidInput(
                "objection.track_not_applicable",
                "an objection to an entry is verified by its designating unit (Op(22)); "
                "tracks are for records",
            )
        today = ctx.today()
        if not accepted:
            move(
                conn,
                ctx,
                principal,
                row,
                "reject",
                why,
                decided_on=today,
                decided_by=principal.actor,
                outcome_reason=why,
            )
            tell_objector(
                conn,
                ctx,
                row,
                "objection.rejected",
                f"objection {row.id} is not accepted: {why}",
                message_zh=f"异议不予受理：{why}",
            )
            _resume_entry(conn, ctx, principal, row, f"objection {row.id} not accepted")
            return answered(conn, ctx, principal, objection_id)
        move(conn, ctx, principal, row, "accept", why, accepted_on=today, acceptance_reason=why)
        entry = (
            entry_views.entry_row(conn, row.target_id)
            if target.type is TargetType.LIST_ENTRY
            else None
        )
        if entry is not None and entry.status == EntryStatus.DESIGNATED.value:
            # OBJ-6, Op(22): accepted, an objection to a designated entry suspends it (its
            # measures) until it is decided; one to an entry in its procedure did at once.
            entry_steps.suspend_for_objection(conn, ctx, principal, entry, why)
        # SEC-5, Art 65: accepted after its deadline, the objector is told the deadline
        # has passed, never a day gone by as if it were still to come.
        late = row.due_date is not None and row.due_date < ctx.today()
        tell_objector(
            conn,
            ctx,
            row,
            "objection.accepted",
            f"objection {row.id} is accepted ({why}); the decision "
            + (f"was due {row.due_date}: it is late" if late else f"is due {row.due_date}"),
            message_zh=f"异议已受理（{why}），处理决定期限为{row.due_date}"
            + ("（该期限已过，属逾期处理，平台已记录并督办）" if late else ""),
        )
        if chosen is Track.PROVIDER:
            _escalate(conn, ctx, principal, row_of(conn, objection_id), why)
        return answered(conn, ctx, principal, objection_id)


def escalate(
    ctx: Context, principal: Principal, objection_id: int, reason: str
) -> ObjectionDetailView:
    """Art 41: the platform needs the provider to verify: 7 working days from receipt for
    the decision, 3 from today for the provider's answer."""
    why = clean_reason(reason)
    with ctx.db.write() as conn:
        row, target = _deciding(conn, principal, objection_id)
        if target.type is not TargetType.RECORD:
            raise InvalidInput(
                "objection.track_not_applicable",
                "an objection to an entry is verified by its designating unit (Op(22))",
            )
        _escalate(conn, ctx, principal, row, why)
        return answered(conn, ctx, principal, objection_id)


def _escalate(conn: sa.Connection, ctx: Context, actor: Actor, row: Any, why: str) -> None:
    today = ctx.today()
    cal = calendar_service.load(conn)
    asked = calendar_service.register_deadline(
        conn, ctx, cal, "objection", row.id, PROVIDER_ANSWER_RULE, today
    )
    move(
        conn,
        ctx,
        actor,
        row,
        "escalate",
        why,
        track=Track.PROVIDER.value,
        asked_on=today,
        answer_due=asked["due_date"],
    )
    due = _recount(
        conn,
        ctx,
        row_of(conn, row.id),
        Track.PROVIDER,
        decision_rule(TargetType.RECORD, Track.PLATFORM).code,
    )
    if row.provider_unit_id is not None:
        tell_unit(
            conn,
            ctx,
            row.provider_unit_id,
            "objection.verify",
            row.id,
            f"objection {row.id} to your record {row.target_id}: verify it and answer by "
            f"{asked['due_date']} ({asked['explanation']}); the platform decides by {due}",
        )


def answer(ctx: Context, principal: Principal, objection_id: int, text: str) -> ObjectionDetailView:
    """Art 41: the provider's verification, within 3 working days of being asked."""
    said = clean_reason(text)
    with ctx.db.write() as conn:
        row = row_of(conn, objection_id)
        if principal.unit_id is None or principal.unit_id != row.provider_unit_id:
            raise Forbidden(
                "objection.not_provider",
                f"only unit {row.provider_unit_id}, which provided the record, answers",
            )
        move(conn, ctx, principal, row, "answer", said, answer=said)
        return answered(conn, ctx, principal, objection_id)


def pause(
    ctx: Context, principal: Principal, objection_id: int, *, kind: str, reason: str
) -> ObjectionDetailView:
    """Art 41: inspection, testing, quarantine, evaluation or expert review stops the
    clock from today until it is resumed."""
    which = parse_enum(PauseKind, kind, "objection.bad_pause_kind")
    why = clean_reason(reason)
    with ctx.db.write() as conn:
        row, _ = _deciding(conn, principal, objection_id)
        check_pause(Status(row.status), row.paused_since is not None)
        today = ctx.today()
        conn.execute(
            objection_pause.insert().values(
                objection_id=row.id,
                kind=which.value,
                reason=why,
                start_on=today,
                started_by=principal.actor,
            )
        )
        conn.execute(objection.update().where(objection.c.id == row.id).values(paused_since=today))
        step(conn, ctx, principal, row, "pause", f"{which.value}: {why}")
        return answered(conn, ctx, principal, objection_id)


def resume(ctx: Context, principal: Principal, objection_id: int) -> ObjectionDetailView:
    """The pause ends the day before today; the deadlines are counted again without it."""
    with ctx.db.write() as conn:
        row, _ = _deciding(conn, principal, objection_id)
        _end_pause(conn, ctx, principal, row)
        return answered(conn, ctx, principal, objection_id)


def _end_pause(conn: sa.Connection, ctx: Context, actor: Actor, row: Any) -> None:
    if row.paused_since is None:
        raise Conflict("objection.not_paused", f"objection {row.id} is not paused")
    end = pause_end(row.paused_since, ctx.today())
    conn.execute(
        objection_pause.update()
        .where(objection_pause.c.objection_id == row.id, objection_pause.c.end_on.is_(None))
        .values(end_on=end, ended_by=actor.actor)
    )
    conn.execute(objection.update().where(objection.c.id == row.id).values(paused_since=None))
    track = Track(row.track)
    _recount(conn, ctx, row, track, decision_rule(TargetType(row.target_type), track).code)
    if row.asked_on is not None:
        # The provider's time limit is an objection-processing time limit too (Art 41).
        spans = [s for s in _pauses(conn, row.id) if s.end >= row.asked_on]
        stored = calendar_service.reset_deadline(
            conn,
            ctx,
            calendar_service.load(conn),
            "objection",
            row.id,
            PROVIDER_ANSWER_RULE.code,
            PROVIDER_ANSWER_RULE,
            row.asked_on,
            spans,
        )
        conn.execute(
            objection.update().where(objection.c.id == row.id).values(answer_due=stored["due_date"])
        )
    step(conn, ctx, actor, row, "resume", f"paused {row.paused_since}..{end}")


def decide(
    ctx: Context,
    principal: Principal,
    objection_id: int,
    *,
    outcome: str,
    reason: str,
    correction: str | None = None,
) -> ObjectionDetailView | UpheldEntryView:
    """OBJ-3, Art 41: the outcome with its reasons, told to the objector. An objection
    upheld on a record has the record corrected by the provider's lifecycle (returned to
    be corrected, or withdrawn); on an entry, the entry was made in error and is deleted
    with nothing of it kept (Op(20)), the objection included."""
    result = parse_enum(Outcome, outcome, "objection.bad_outcome")
    why = clean_reason(reason)
    fix = parse_enum(Correction, correction, "objection.bad_correction") if correction else None
    with ctx.db.write() as conn:
        row, target = _deciding(conn, principal, objection_id)
        if row.paused_since is not None and Status(row.status) in OPEN:
            raise Conflict(
                "objection.paused",
                f"objection {row.id} is paused since {row.paused_since}: resume it first",
            )
        today = ctx.today()
        if result is Outcome.DISMISSED:
            if fix is not None:
                raise InvalidInput(
                    "objection.correction_needs_upheld", "only an upheld objection corrects"
                )
            move(
                conn,
                ctx,
                principal,
                row,
                "dismiss",
                why,
                decided_on=today,
                decided_by=principal.actor,
                outcome_reason=why,
            )
            tell_objector(
                conn,
                ctx,
                row,
                "objection.decided",
                f"objection {row.id} is dismissed: {why}. If you are still "
                "dissatisfied you may apply for reconsideration (Art 28; Op(22))",
                message_zh=f"异议不成立：{why}。对处理结果仍有异议的，可以申请复核"
                "（《条例》第二十八条、《指导意见》第（二十二）项）",
            )
            _resume_entry(conn, ctx, principal, row, f"objection {row.id} dismissed")
            return answered(conn, ctx, principal, objection_id)
        if target.type is TargetType.RECORD:
            if fix is None:
                raise InvalidInput(
                    "objection.correction_required",
                    "say how the provider corrects the record: withdraw or return",
                )
            move(
                conn,
                ctx,
                principal,
                row,
                "uphold",
                why,
                decided_on=today,
                decided_by=principal.actor,
                outcome_reason=why,
                correction=fix.value,
            )
            corrections.record_error(
                conn, ctx, principal, target, fix, f"objection {row.id} upheld: {why}", row.id
            )
            tell_objector(
                conn,
                ctx,
                row,
                "objection.decided",
                f"objection {row.id} is upheld: {why}. The record is "
                + (
                    "withdrawn"
                    if fix is Correction.WITHDRAW
                    else "returned to its provider to be corrected"
                ),
                message_zh=f"异议成立：{why}。该信用记录"
                + ("已撤回" if fix is Correction.WITHDRAW else "已退回信息提供单位更正"),
            )
            return answered(conn, ctx, principal, objection_id)
        if fix is not None:
            raise InvalidInput(
                "objection.track_not_applicable",
                "an entry found in error is deleted (Op(20)); corrections are for records",
            )
        move(
            conn,
            ctx,
            principal,
            row,
            "uphold",
            why,
            decided_on=today,
            decided_by=principal.actor,
            outcome_reason=why,
        )
        tell_objector(
            conn,
            ctx,
            row,
            "objection.decided",
            f"objection {row.id} is upheld: the list entry was found to be made "
            "in error and is deleted (Op(20))",
            owner=("objection_outcome", str(row.id)),
            message_zh="异议成立：该名单信息经核实系错误认定，已予删除（《指导意见》第（二十）项）",
        )
        deletion = entry_steps.delete_for_error(conn, ctx, principal, target.id, why)
        # The objection goes with the entry (Op(20)); the correction outlives both.
        corrections.entry_error(conn, ctx, principal, deletion, why)
        return {
            "id": row.id,
            "status": Status.UPHELD.value,
            "target_type": row.target_type,
            "target_id": row.target_id,
            "target_deleted": True,
        }


def _resume_entry(conn: sa.Connection, ctx: Context, principal: Actor, row: Any, note: str) -> None:
    """Op(22): an entry whose last open objection ended without finding an error resumes."""
    if row.target_type != TargetType.LIST_ENTRY.value:
        return
    still = conn.execute(
        sa.select(objection.c.id).where(
            objection.c.target_type == TargetType.LIST_ENTRY.value,
            objection.c.target_id == row.target_id,
            objection.c.status.in_([s.value for s in OPEN]),
        )
    ).first()
    if still is None:
        who = (
            principal
            if isinstance(principal, Principal)
            else Principal(principal.actor, principal.unit_id)
        )
        entry_steps.resume_after_objection(conn, ctx, who, row.target_id, note)


def close_for(
    conn: sa.Connection,
    ctx: Context,
    actor: Actor,
    target_type: TargetType,
    target_ids: list[int],
    why: str,
) -> int:
    """The target ended first (a record withdrawn, returned or archived; an entry
    removed): its open objections are closed, and their objectors told."""
    rows = conn.execute(
        sa.select(objection).where(
            objection.c.target_type == target_type.value,
            objection.c.target_id.in_(target_ids),
            objection.c.status.in_([s.value for s in OPEN]),
        )
    ).all()
    for row in rows:
        if row.paused_since is not None:
            conn.execute(
                objection_pause.update()
                .where(objection_pause.c.objection_id == row.id, objection_pause.c.end_on.is_(None))
                .values(end_on=pause_end(row.paused_since, ctx.today()), ended_by=actor.actor)
            )
        move(
            conn,
            ctx,
            actor,
            row,
            "close",
            why,
            decided_on=ctx.today(),
            decided_by=actor.actor,
            outcome_reason=why,
            paused_since=None,
        )
        tell_objector(
            conn,
            ctx,
            row,
            "objection.closed",
            f"objection {row.id} is closed: {why}",
            message_zh=f"异议已终结：{why}",
        )
    return len(rows)


RECORD_ENDED = {
    "record.withdrawn": RecordStatus.WITHDRAWN.value,
    "record.returned": RecordStatus.RETURNED.value,
    "record.archived": RecordStatus.ARCHIVED.value,
}
