"""The working-day calendar with operator overrides (CAL-1..3), and stored deadlines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from creditreg.domain.kernel.actor import Actor, Permission
from creditreg.domain.kernel.calendar import (
    Count,
    Day,
    DayOverride,
    DaySource,
    Span,
    WorkingCalendar,
)
from creditreg.domain.kernel.calendar import parse_schedule as parse_schedule_text
from creditreg.domain.kernel.deadlines import RULES, Deadline, DeadlineRule
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.kernel.views import DeadlineView
from creditreg.store import bulk
from creditreg.store.kernel.tables import calendar_day, calendar_year, deadline


def load(conn: sa.Connection) -> WorkingCalendar:
    """The calendar as the database has it now (overrides and loaded schedules)."""
    overrides = [
        DayOverride(r.day, r.working, DaySource(r.source), r.note)
        for r in conn.execute(sa.select(calendar_day))
    ]
    years = conn.execute(sa.select(calendar_year.c.year)).scalars().all()
    return WorkingCalendar(overrides, years)


def current(ctx: Context) -> WorkingCalendar:
    """The calendar, read in its own transaction."""
    with ctx.db.read() as conn:
        return load(conn)


def day(ctx: Context, which: date) -> Day:
    """One day and why it is or is not a working day."""
    return current(ctx).day(which)


def count(ctx: Context, start: date, n: int, pauses: Iterable[Span] = ()) -> Count:
    """The end of the n-th working day after `start` (CAL-1), explained."""
    return current(ctx).add_working_days(start, n, pauses)


def between(ctx: Context, start: date, end: date, pauses: Iterable[Span] = ()) -> int:
    """Working days after `start` up to and including `end`."""
    return current(ctx).working_days_between(start, end, pauses)


def set_day(
    ctx: Context, actor: Actor, which: date, working: bool, note: str = ""
) -> tuple[Day, int]:
    """CAL-2: an operator corrects one day; deadlines that span it are recomputed."""
    actor.require(Permission.CALENDAR_WRITE)
    with ctx.db.write() as conn:
        before = load(conn).day(which)
        conn.execute(calendar_day.delete().where(calendar_day.c.day == which))
        conn.execute(
            calendar_day.insert().values(
                day=which,
                working=working,
                source=DaySource.OVERRIDE.value,
                note=note[:200],
                set_by=actor.actor,
                set_at=ctx.now(),
            )
        )
        cal = load(conn)
        touched = recompute(
            conn, ctx, cal, (deadline.c.start_date < which) & (deadline.c.due_date >= which)
        )
        audit.record(
            conn,
            ctx,
            actor,
            "calendar.set_day",
            "calendar_day",
            which.isoformat(),
            before={"working": before.working, "source": before.source.value},
            after={"working": working, "note": note},
            detail={"recomputed_deadlines": touched},
        )
        return cal.day(which), touched


@dataclass(frozen=True)
class ScheduleLoad:
    """What loading an official schedule did."""

    year: int
    days: int
    recomputed: int
    still_provisional: int


def load_schedule(ctx: Context, actor: Actor, text: str) -> ScheduleLoad:
    """CAL-2: load a year's official schedule; every deadline that touches it is recomputed.

    The file is the authority for its year: it replaces every stored day of that year,
    including earlier one-day corrections.
    """
    actor.require(Permission.CALENDAR_WRITE)
    year, days = parse_schedule_text(text)
    now = ctx.now()
    first, last = date(year, 1, 1), date(year, 12, 31)
    with ctx.db.write() as conn:
        conn.execute(calendar_day.delete().where(calendar_day.c.day.between(first, last)))
        conn.execute(calendar_year.delete().where(calendar_year.c.year == year))
        conn.execute(
            calendar_day.insert(),
            [
                {
                    "day": d.day,
                    "working": d.working,
                    "source": d.source.value,
                    "note": d.note,
                    "set_by": actor.actor,
                    "set_at": now,
                }
                for d in days
            ],
        )
        conn.execute(
            calendar_year.insert().values(
                year=year, days=len(days), loaded_by=actor.actor, loaded_at=now
            )
        )
        cal = load(conn)
        touched = recompute(
            conn,
            ctx,
            cal,
            deadline.c.provisional.is_(True)
            | ((deadline.c.start_date < last) & (deadline.c.due_date >= first)),
        )
        remaining = conn.execute(
            sa.select(sa.func.count()).select_from(deadline).where(deadline.c.provisional.is_(True))
        ).scalar_one()
        audit.record(
            conn,
            ctx,
            actor,
            "calendar.load_schedule",
            "calendar_year",
            year,
            after=[(d.day.isoformat(), d.working, d.note) for d in days],
            detail={"days": len(days), "recomputed_deadlines": touched},
        )
    return ScheduleLoad(year, len(days), touched, remaining)


def _pauses_from_json(raw: list[dict[str, str]]) -> tuple[Span, ...]:
    return tuple(
        Span(date.fromisoformat(p["start"]), date.fromisoformat(p["end"]), p.get("reason", ""))
        for p in raw
    )


def _pauses_to_json(pauses: Iterable[Span]) -> list[dict[str, str]]:
    return [
        {"start": p.start.isoformat(), "end": p.end.isoformat(), "reason": p.reason} for p in pauses
    ]


def register_deadline(
    conn: sa.Connection,
    ctx: Context,
    cal: WorkingCalendar,
    owner_type: str,
    owner_id: str | int,
    rule: DeadlineRule,
    start: date,
    pauses: Iterable[Span] = (),
) -> dict[str, Any]:
    """CAL-3: store a deadline with its rule so it can be explained and recomputed."""
    values = deadline_values(ctx, cal, owner_type, owner_id, rule, start, pauses)
    new_id = conn.execute(deadline.insert().values(**values).returning(deadline.c.id)).scalar_one()
    return {"id": new_id, **values}


def register_deadlines(
    conn: sa.Connection,
    ctx: Context,
    cal: WorkingCalendar,
    owner_type: str,
    owner_ids: Sequence[int],
    rule: DeadlineRule,
    start: date,
) -> date:
    """CAL-3 for many owners with the same rule and start (a sweep's designations): one
    computation, one bulk insert. Returns the due date they share."""
    one = deadline_values(ctx, cal, owner_type, 0, rule, start)
    columns = list(one)
    rows = [tuple(str(i) if c == "owner_id" else one[c] for c in columns) for i in owner_ids]
    bulk.insert_rows(conn, deadline, columns, rows)
    due: date = one["due_date"]
    return due


def deadline_values(
    ctx: Context,
    cal: WorkingCalendar,
    owner_type: str,
    owner_id: str | int,
    rule: DeadlineRule,
    start: date,
    pauses: Iterable[Span] = (),
) -> dict[str, Any]:
    """A deadline's stored columns: its rule, start, pauses, due date and explanation."""
    item = Deadline(rule, start, tuple(pauses))
    result = item.compute(cal)
    return {
        "owner_type": owner_type,
        "owner_id": str(owner_id),
        "rule_code": rule.code,
        "basis": rule.basis,
        "start_event": rule.start_event,
        "working_days": rule.working_days,
        "start_date": start,
        "pauses": _pauses_to_json(item.pauses),
        "due_date": result.due,
        "provisional": result.provisional,
        "explanation": item.explain(cal),
        "computed_at": ctx.now(),
    }


def recompute(
    conn: sa.Connection, ctx: Context, cal: WorkingCalendar, where: sa.ColumnElement[bool]
) -> int:
    """Recompute the stored deadlines selected by `where`; returns how many changed."""
    changed = 0
    rows = conn.execute(sa.select(deadline).where(where)).all()
    for row in rows:
        # The stored rule governs: it is the rule in force when the count started.
        known = RULES.get(row.rule_code)
        text = known.text if known else ctx.registry.rule_texts.get(row.rule_code, row.rule_code)
        rule = DeadlineRule(row.rule_code, row.basis, row.start_event, row.working_days, text)
        item = Deadline(rule, row.start_date, _pauses_from_json(row.pauses))
        result = item.compute(cal)
        due, explanation = result.due, item.explain(cal)
        if due < row.due_date and (row.owner_type, row.rule_code) in ctx.registry.told:
            # The holder of the right was told the later date: it stands.
            due = row.due_date
            explanation += f"; {due.isoformat()} stands, as told (never brought forward)"
        if due != row.due_date or result.provisional != row.provisional:
            changed += 1
            for follower in ctx.registry.followers.get((row.owner_type, row.rule_code), ()):
                follower(conn, row.owner_id, row.due_date, due)
        conn.execute(
            deadline.update()
            .where(deadline.c.id == row.id)
            .values(
                due_date=due,
                provisional=result.provisional,
                explanation=explanation,
                computed_at=ctx.now(),
            )
        )
    return changed


def deadlines_for(ctx: Context, owner_type: str, owner_id: str | int) -> list[DeadlineView]:
    """The stored deadlines of one object."""
    with ctx.db.read() as conn:
        return deadlines_in(conn, owner_type, owner_id)


def deadlines_in(conn: sa.Connection, owner_type: str, owner_id: str | int) -> list[DeadlineView]:
    """The stored deadlines of one object, inside the caller's transaction."""
    rows = conn.execute(
        sa.select(deadline)
        .where(deadline.c.owner_type == owner_type, deadline.c.owner_id == str(owner_id))
        .order_by(deadline.c.id)
    ).all()
    return [
        {
            "id": r.id,
            "owner_type": r.owner_type,
            "owner_id": r.owner_id,
            "rule_code": r.rule_code,
            "basis": r.basis,
            "start_event": r.start_event,
            "working_days": r.working_days,
            "start_date": r.start_date,
            "pauses": list(r.pauses),
            "due_date": r.due_date,
            "provisional": r.provisional,
            "explanation": r.explanation,
            "computed_at": r.computed_at,
        }
        for r in rows
    ]


def explanation_of(conn: sa.Connection, owner_type: str, owner_id: str | int) -> str:
    """How an object's latest deadline was counted (CAL-3), or "" when it has none."""
    rows = deadlines_in(conn, owner_type, owner_id)
    return rows[-1]["explanation"] if rows else ""


def reset_deadline(
    conn: sa.Connection,
    ctx: Context,
    cal: WorkingCalendar,
    owner_type: str,
    owner_id: str | int,
    old_rule_code: str,
    rule: DeadlineRule,
    start: date,
    pauses: Iterable[Span] = (),
) -> dict[str, Any]:
    """CAL-3: an owner's stored deadline counted again, in place: its rule changed (an
    objection escalated to the provider, Art 41) or a pause ended. Registers it when the
    owner has none under `old_rule_code`."""
    values = deadline_values(ctx, cal, owner_type, owner_id, rule, start, pauses)
    found = conn.execute(
        sa.select(deadline.c.id).where(
            deadline.c.owner_type == owner_type,
            deadline.c.owner_id == str(owner_id),
            deadline.c.rule_code == old_rule_code,
        )
    ).scalar()
    if found is None:
        return register_deadline(conn, ctx, cal, owner_type, owner_id, rule, start, pauses)
    conn.execute(deadline.update().where(deadline.c.id == found).values(**values))
    return {"id": found, **values}
