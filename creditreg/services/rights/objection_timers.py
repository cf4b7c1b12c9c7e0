"""The objections' timers (SEC-5, Art 65; Art 41): objections, providers' answers and
reconsiderations past their deadlines are told once to the platform operator and to the
unit that owes them; objections migrated without a deadline get theirs."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from creditreg.domain.rights.objections import ENTRY_RULE, OPEN, ObjectorKind, Status
from creditreg.services.access import inbox
from creditreg.services.kernel import audit
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.kernel.sweep import StepRun, SweepSteps
from creditreg.services.rights import notices
from creditreg.services.rights.objection_lifecycle import TARGETS_ZH
from creditreg.store.rights.objection_tables import objection, reconsideration

OPEN_VALUES = [s.value for s in OPEN]


def register_sweep_steps(steps: SweepSteps) -> None:
    """After the lists context's overdue flags (55, 56)."""
    steps.register("overdue_objections", _overdue_objections, order=57)


def _overdue_objections(run: StepRun) -> None:
    with run.write() as conn:
        run.add("objection_deadlines_registered", _missing_deadlines(conn, run))
    with run.write() as conn:
        run.add("objections_overdue", _late_decisions(conn, run))
        run.add("provider_answers_overdue", _late_answers(conn, run))
        run.add("reconsiderations_overdue", _late_reconsiderations(conn, run))


def _missing_deadlines(conn: sa.Connection, run: StepRun) -> int:
    """CAL-3: an open objection migrated from before issue 10 (an entry's, typed in by an
    operator) gets its Art 41 deadline, counted from its receipt."""
    rows = conn.execute(
        sa.select(objection.c.id, objection.c.received_on).where(
            objection.c.status.in_(OPEN_VALUES), objection.c.due_date.is_(None)
        )
    ).all()
    if not rows:
        return 0
    cal = calendar_service.load(conn)
    for r in rows:
        stored = calendar_service.register_deadline(
            conn, run.ctx, cal, "objection", r.id, ENTRY_RULE, r.received_on
        )
        conn.execute(
            objection.update().where(objection.c.id == r.id).values(due_date=stored["due_date"])
        )
    return len(rows)


def _late_decisions(conn: sa.Connection, run: StepRun) -> int:
    today = run.ctx.today()
    late = conn.execute(
        sa.select(objection.c.id, objection.c.deciding_unit_id, objection.c.due_date).where(
            objection.c.status.in_(OPEN_VALUES),
            objection.c.due_date < today,
            objection.c.paused_since.is_(None),  # a paused clock is not late (Art 41)
        )
    ).all()
    due = {str(r.id): r.due_date for r in late}
    fresh = inbox.tell_once(
        conn,
        run.ctx.now(),
        "objection.overdue",
        "objection",
        {str(r.id): [r.deciding_unit_id] if r.deciding_unit_id else [] for r in late},
        lambda o: (
            f"objection {o} was due {due[o]} (Art 41: "
            + calendar_service.explanation_of(conn, "objection", o)
            + ") and is not decided"
        ),
    )
    _audit(conn, run, "objection.overdue_flagged", fresh)
    _tell_the_subject(conn, run, [int(i) for i in fresh], due, "异议处理")
    return len(fresh)


def _tell_the_subject(
    conn: sa.Connection, run: StepRun, ids: list[int], due: dict[str, Any], matter: str
) -> None:
    """SEC-5, Art 65: a subject that objected from its account is told, once, that the
    decision it waits for is late, and that the platform has flagged it; the decision
    itself comes in its own notice."""
    if not ids:
        return
    rows = conn.execute(
        sa.select(
            objection.c.id,
            objection.c.objector_subject_id,
            objection.c.target_type,
            objection.c.target_id,
        ).where(
            objection.c.id.in_(ids),
            objection.c.objector_kind == ObjectorKind.SUBJECT_ACCOUNT.value,
            objection.c.objector_subject_id.is_not(None),
        )
    ).all()
    for r in rows:
        notices.deliver(
            conn,
            run.ctx,
            subject_id=int(r.objector_subject_id),
            kind="late_decision",
            content={
                "matter": f"{matter}：异议 {r.id}（{TARGETS_ZH.get(r.target_type, r.target_type)} "
                f"{r.target_id}）",
                "due_on": str(due[str(r.id)]),
                "note": "处理单位未在期限内作出决定，平台已记录并督办（《条例》第六十五条）；"
                "作出决定后将另行告知。",
            },
            source=("objection", f"{r.id}:{matter}:late"),
            # It holds no facts: like the decision it waits for, it outlives an entry
            # deleted in error (Op(20)), whose notices go with it.
            owner=("objection_outcome", str(r.id)),
        )


def _late_answers(conn: sa.Connection, run: StepRun) -> int:
    today = run.ctx.today()
    late = conn.execute(
        sa.select(objection.c.id, objection.c.provider_unit_id, objection.c.answer_due).where(
            objection.c.status == Status.VERIFYING.value,
            objection.c.answer_due < today,
            objection.c.paused_since.is_(None),
        )
    ).all()
    due = {str(r.id): r.answer_due for r in late}
    fresh = inbox.tell_once(
        conn,
        run.ctx.now(),
        "objection.answer_overdue",
        "objection",
        {str(r.id): [r.provider_unit_id] if r.provider_unit_id else [] for r in late},
        lambda o: (
            f"objection {o}: the provider's verification was due {due[o]} (Art 41: 3 working "
            "days from being asked) and is not answered"
        ),
    )
    _audit(conn, run, "objection.answer_overdue_flagged", fresh)
    return len(fresh)


def _late_reconsiderations(conn: sa.Connection, run: StepRun) -> int:
    today = run.ctx.today()
    late = conn.execute(
        sa.select(
            reconsideration.c.id,
            reconsideration.c.objection_id,
            reconsideration.c.department_unit_id,
            reconsideration.c.due_date,
        ).where(reconsideration.c.status == "received", reconsideration.c.due_date < today)
    ).all()
    due = {str(r.id): r.due_date for r in late}
    fresh = inbox.tell_once(
        conn,
        run.ctx.now(),
        "reconsideration.overdue",
        "reconsideration",
        {str(r.id): [r.department_unit_id] for r in late},
        lambda o: f"reconsideration {o} was due {due[o]} and is not decided",
    )
    _audit(conn, run, "reconsideration.overdue_flagged", fresh)
    objection_of = {str(r.id): int(r.objection_id) for r in late}
    _tell_the_subject(
        conn,
        run,
        [objection_of[i] for i in fresh],
        {str(objection_of[i]): due[i] for i in fresh},
        "复核",
    )
    return len(fresh)


def _audit(conn: sa.Connection, run: StepRun, action: str, fresh: list[str]) -> None:
    if fresh:
        audit.record(
            conn,
            run.ctx,
            run.actor,
            action,
            "objection",
            "*",
            detail={"ids": [int(i) for i in fresh]},
        )
