"""The query register (SEC-2, Op(24), Art 40): the one function every context calls when
a unit reads a subject's information, in the transaction of its read.

A unit's read is registered with its purpose; a subject reading itself (its account, or an
operator acting on its behalf) is not a query by a unit and is not registered. The subject
sees the rows of the last two years (self-inquiry, credit reports); the sweep removes
older ones (`register_sweep_steps`).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.access.query_register import (
    PURPOSE_LABELS_ZH,
    RETENTION_MONTHS,
    Purpose,
    QueryPurpose,
)
from creditreg.services.context import Context
from creditreg.services.kernel.sweep import StepRun, SweepSteps
from creditreg.store.access.query_register import query_register
from creditreg.store.access.tables import unit
from creditreg.store.fast import insert_once

DUTIES = QueryPurpose()
_COLUMNS = ("at", "unit_id", "actor", "subject_id", "purpose", "note", "what", "object_id")


def registers(principal: Principal) -> bool:
    """Whether `principal`'s reads are queries to register: a unit's, not a subject's own."""
    return not principal.is_subject


def _row(
    ctx: Context,
    principal: Principal,
    subject_id: int,
    what: str,
    purpose: QueryPurpose,
    object_id: str | int | None,
    at: datetime,
) -> dict[str, object]:
    return {
        "at": at,
        "unit_id": principal.unit_id,
        "actor": principal.actor[:120],
        "subject_id": subject_id,
        "purpose": purpose.purpose.value,
        "note": purpose.note,
        "what": what,
        "object_id": None if object_id is None else str(object_id),
    }


def record(
    conn: sa.Connection,
    ctx: Context,
    principal: Principal,
    subject_ids: Iterable[int],
    what: str,
    purpose: QueryPurpose = DUTIES,
    object_id: str | int | None = None,
) -> int:
    """Register that `principal` read the information of each of `subject_ids` (`what`:
    "subject", "record", "list_entry" ...), inside the caller's write transaction `conn`,
    so that a read whose registration fails is not served. Returns the rows written."""
    if not registers(principal):
        return 0
    now = ctx.now()
    rows = [
        _row(ctx, principal, sid, what, purpose, object_id, now)
        for sid in dict.fromkeys(subject_ids)
    ]
    if rows:
        conn.execute(query_register.insert(), rows)  # Core executemany, one round trip
    return len(rows)


def record_now(
    ctx: Context,
    principal: Principal,
    subject_id: int,
    what: str,
    purpose: QueryPurpose = DUTIES,
) -> None:
    """The hot path's registration (a subject lookup reads through creditreg.store.fast
    with no transaction): one compiled INSERT that commits on its own, called before the
    read's answer leaves the service, so that an answer is never given unregistered."""
    if not registers(principal):
        return
    insert = insert_once(ctx.db, "query_register.insert", query_register, _COLUMNS)
    insert.execute(_row(ctx, principal, subject_id, what, purpose, None, ctx.now()))


@dataclass(frozen=True)
class QueryView:
    """One registered read, as the subject sees it (unit, purpose, time)."""

    at: datetime
    unit_id: int | None
    unit_name: str | None
    actor: str
    purpose: Purpose
    purpose_zh: str
    note: str | None
    what: str


def since(ctx: Context) -> datetime:
    """The start of the window the subject sees: two years back (Art 40)."""
    return add_months_utc(ctx.now(), -RETENTION_MONTHS)


def add_months_utc(at: datetime, months: int) -> datetime:
    """`at` moved by whole months (the day clamped to the month's end)."""
    index = at.month - 1 + months
    year, month = at.year + index // 12, index % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, monthrange(year, month)[1]))


def of_subject(conn: sa.Connection, ctx: Context, subject_id: int) -> list[QueryView]:
    """The subject's registered reads of the last two years, newest first."""
    rows = conn.execute(
        sa.select(query_register, unit.c.name.label("unit_name"))
        .outerjoin(unit, unit.c.id == query_register.c.unit_id)
        .where(query_register.c.subject_id == subject_id, query_register.c.at >= since(ctx))
        .order_by(query_register.c.at.desc(), query_register.c.id.desc())
    ).all()
    return [
        QueryView(
            at=r.at,
            unit_id=r.unit_id,
            unit_name=r.unit_name,
            actor=r.actor,
            purpose=Purpose(r.purpose),
            purpose_zh=PURPOSE_LABELS_ZH[Purpose(r.purpose)],
            note=r.note,
            what=r.what,
        )
        for r in rows
    ]


def _purge(run: StepRun) -> None:
    """Retention: rows older than two years leave the register, a chunk per transaction."""
    cutoff = since(run.ctx)
    while True:
        with run.write() as conn:
            ids = list(
                conn.execute(
                    sa.select(query_register.c.id)
                    .where(query_register.c.at < cutoff)
                    .order_by(query_register.c.at)
                    .limit(2000)
                ).scalars()
            )
            if not ids:
                return
            conn.execute(query_register.delete().where(query_register.c.id.in_(ids)))
        run.add("queries_expired", len(ids))


def register_sweep_steps(steps: SweepSteps) -> None:
    """The register's retention step (run after every context's own steps)."""
    steps.register("query_register_retention", _purge, order=90)
