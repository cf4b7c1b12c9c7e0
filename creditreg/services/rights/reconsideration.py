"""Reconsideration (OBJ-3; Art 28; Op(22)): an objector still dissatisfied with a decision
(not accepted, or dismissed) applies to the provincial department, which decides within
the configured working days (the seeds leave the time open; default 15)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal, UnitKind
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, parse_enum
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.events import event
from creditreg.domain.rights.objections import (
    RECONSIDERABLE,
    RECONSIDERATION,
    Correction,
    Status,
    TargetType,
    clean_grounds,
    clean_reason,
    reconsideration_rule,
)
from creditreg.services.access import query_register
from creditreg.services.context import Context
from creditreg.services.kernel import audit, events
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.lists import entry_steps
from creditreg.services.rights import corrections
from creditreg.services.rights import objection_targets as targets
from creditreg.services.rights.objection_lifecycle import row_of, step, tell_objector, tell_unit
from creditreg.services.rights.objection_views import ReconsiderationView
from creditreg.services.rights.objections import reconsideration_view
from creditreg.services.rights.objectors import Objector
from creditreg.store.access.tables import unit
from creditreg.store.rights import objection_queries as queries
from creditreg.store.rights.objection_tables import objection, reconsideration


def _department(conn: sa.Connection) -> int:
    """The provincial department that reconsiders (the first active one)."""
    found = conn.execute(
        sa.select(unit.c.id)
        .where(unit.c.kind == UnitKind.PROVINCIAL_DEPARTMENT.value, unit.c.active)
        .order_by(unit.c.id)
    ).scalar()
    if found is None:
        raise Conflict(
            "reconsideration.no_department",
            "no provincial department is registered to reconsider (a unit of kind "
            "provincial_department)",
        )
    return int(found)


def apply(ctx: Context, objector: Objector, objection_id: int, grounds: str) -> ReconsiderationView:
    """OBJ-3: the objector applies, with its grounds, once per objection."""
    text = clean_grounds(grounds)
    today = ctx.today()
    with ctx.db.write() as conn:
        row = row_of(conn, objection_id)
        if row.objector_key != objector.key:
            raise NotFound("objection.not_found", f"no objection {objection_id} of yours")
        if Status(row.status) not in RECONSIDERABLE:
            raise Conflict(
                "reconsideration.not_reconsiderable",
                f"objection {objection_id} is {row.status}: only a decision the objector "
                "lost (not accepted, dismissed) is reconsidered",
            )
        taken = conn.execute(
            sa.select(reconsideration.c.id).where(reconsideration.c.objection_id == objection_id)
        ).first()
        if taken is not None:
            raise Conflict(
                "reconsideration.exists", f"objection {objection_id} was taken to reconsideration"
            )
        department = _department(conn)
        rule = reconsideration_rule(ctx.reconsideration_working_days)
        new_id = queries.insert_reconsideration(
            conn,
            {
                "objection_id": objection_id,
                "department_unit_id": department,
                "grounds": text,
                "status": "received",
                "received_on": today,
                "due_date": today,
                "created_at": ctx.now(),
            },
        )
        stored = calendar_service.register_deadline(
            conn, ctx, calendar_service.load(conn), "reconsideration", new_id, rule, today
        )
        conn.execute(
            reconsideration.update()
            .where(reconsideration.c.id == new_id)
            .values(due_date=stored["due_date"])
        )
        step(conn, ctx, objector.actor, row, "reconsideration_applied", f"reconsideration {new_id}")
        tell_unit(
            conn,
            ctx,
            department,
            "reconsideration.received",
            objection_id,
            f"reconsideration {new_id} of objection {objection_id} received {today}; "
            f"due {stored['due_date']} ({stored['explanation']})",
        )
        return reconsideration_view(conn, _row(conn, new_id), today)


def _row(conn: sa.Connection, reconsideration_id: int) -> Any:
    found = conn.execute(
        sa.select(reconsideration).where(reconsideration.c.id == reconsideration_id)
    ).first()
    if found is None:
        raise NotFound("reconsideration.not_found", f"no reconsideration {reconsideration_id}")
    return found


def decide(
    ctx: Context,
    principal: Principal,
    reconsideration_id: int,
    *,
    outcome: str,
    reason: str,
    correction: str | None = None,
) -> ReconsiderationView:
    """The provincial department upholds the decision, or revises it: the objection was
    right, and the record is corrected (withdrawn or returned) or the entry, made in
    error, deleted (Op(20))."""
    principal.require(Permission.RECONSIDERATION_DECIDE)
    if outcome not in ("upheld", "revised"):
        raise InvalidInput("reconsideration.bad_outcome", "the outcome is 'upheld' or 'revised'")
    why = clean_reason(reason)
    fix = parse_enum(Correction, correction, "objection.bad_correction") if correction else None
    today = ctx.today()
    with ctx.db.write() as conn:
        r = _row(conn, reconsideration_id)
        if principal.unit_id is not None and principal.unit_id != r.department_unit_id:
            raise Forbidden(
                "reconsideration.not_department",
                f"reconsideration {reconsideration_id} is for unit {r.department_unit_id}",
            )
        after = RECONSIDERATION.next(r.status, "uphold" if outcome == "upheld" else "revise")
        queries.set_reconsideration_status(
            conn, r.id, after, outcome_reason=why, decided_on=today, decided_by=principal.actor
        )
        obj = row_of(conn, r.objection_id)
        events.emit(
            conn,
            ctx,
            [
                event(
                    f"reconsideration.{after}",
                    "reconsideration",
                    r.id,
                    reconsideration_id=r.id,
                    objection_id=obj.id,
                    objector_subject_id=obj.objector_subject_id,
                    on=today.isoformat(),
                )
            ],
        )
        audit.record(
            conn,
            ctx,
            principal,
            f"reconsideration.{after}",
            "reconsideration",
            r.id,
            before={"status": r.status},
            after={"status": after},
        )
        step(conn, ctx, principal, obj, f"reconsideration_{after}", why)
        view = reconsideration_view(conn, _row(conn, r.id), today)
        # SEC-2: the answer carries the grounds of the subject's objection, as the list does.
        query_register.record(
            conn, ctx, principal, [obj.subject_id], "reconsideration", object_id=r.id
        )
        target = targets.load(conn, TargetType(obj.target_type), obj.target_id)
        entry_deleted = after == "revised" and target.type is TargetType.LIST_ENTRY
        # OBJ-3: the objector is told the decision. An entry found made in error is
        # deleted with its objections and the notices about it (Op(20)); the decision,
        # like the unit's own upholding of an objection, outlives it and holds no facts.
        # Its reasons may restate the entry's facts: a decision that outlives the entry
        # says the outcome only (the department's reasons stay with its decision).
        if entry_deleted:
            said = (
                f"复核结果：{_AFTER_ZH[after]}。该名单信息系错误认定，已予删除"
                "（《指导意见》第（二十）项）。"
            )
            message = (
                f"reconsideration of objection {obj.id}: revised; the entry was made in error "
                "and is deleted (Op(20))"
            )
        else:
            said = f"复核结果：{_AFTER_ZH.get(after, after)}。{why.rstrip('。')}。"
            message = f"reconsideration of objection {obj.id}: {after}: {why}"
        tell_objector(
            conn,
            ctx,
            obj,
            "reconsideration.decided",
            message,
            owner=("objection_outcome", str(obj.id)) if entry_deleted else None,
            message_zh=said,
        )
        if obj.deciding_unit_id is not None:
            tell_unit(
                conn,
                ctx,
                obj.deciding_unit_id,
                "reconsideration.decided",
                obj.id,
                f"reconsideration of objection {obj.id}: {after}: {why}",
            )
        if after == "revised":
            if target.type is TargetType.RECORD:
                corrections.record_error(
                    conn,
                    ctx,
                    principal,
                    target,
                    fix or Correction.WITHDRAW,
                    f"reconsideration {r.id} revised objection {obj.id}: {why}",
                    obj.id,
                )
            else:
                deletion = entry_steps.delete_for_error(conn, ctx, principal, target.id, why)
                corrections.entry_error(conn, ctx, principal, deletion, why)
        return view


# What a reconsideration's outcome says in the subject's Chinese notice.
_AFTER_ZH = {"upheld": "维持原处理结果", "revised": "变更原处理结果，异议成立"}


def listing(
    ctx: Context, principal: Principal, *, overdue: bool = False
) -> list[ReconsiderationView]:
    """The applications for reconsideration: the department's own, or all for the
    platform; the late ones with `overdue` (SEC-5)."""
    if not (
        {Permission.RECONSIDERATION_DECIDE, Permission.OBJECTIONS_HANDLE} & principal.permissions
    ):
        principal.require(Permission.RECONSIDERATION_DECIDE)
    today = ctx.today()
    query = (
        sa.select(reconsideration, objection.c.subject_id)
        .join(objection, objection.c.id == reconsideration.c.objection_id)
        .order_by(reconsideration.c.due_date, reconsideration.c.id)
    )
    if principal.unit_kind is UnitKind.PROVINCIAL_DEPARTMENT:
        query = query.where(reconsideration.c.department_unit_id == principal.unit_id)
    if overdue:
        query = query.where(
            reconsideration.c.status == "received", reconsideration.c.due_date < today
        )
    with ctx.db.write() as conn:
        rows = conn.execute(query).all()
        # SEC-2: each application carries the grounds of its subject's objection.
        query_register.record(
            conn, ctx, principal, [int(r.subject_id) for r in rows], "reconsideration"
        )
        return [reconsideration_view(conn, r, today) for r in rows]
