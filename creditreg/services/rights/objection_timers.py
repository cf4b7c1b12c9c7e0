"""The objections' timers (SEC-5, Art 65; Art 41): objections, providers' answers and
reconsiderations past their deadlines are told once to the platform operator and to the
unit that owes them; objections migrated without a deadline get theirs."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.domain.rights.objections import ENTRY_RULE, OPEN, Status
from creditreg.services.access import inbox
from creditreg.services.kernel import audit
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.kernel.sweep import StepRun, SweepSteps
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
    return len(fresh)


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
            reconsideration.c.id, reconsideration.c.department_unit_id, reconsideration.c.due_date
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
