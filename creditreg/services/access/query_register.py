"""The query register (SEC-2, Op(24), Art 40): the one function every context calls when
a unit reads a subject's information, in the transaction of its read.

A unit's read is registered with its purpose; a subject reading itself (its account, or an
operator acting on its behalf) is not a query by a unit and is not registered. The subject
sees the rows of the last two years (self-inquiry, credit reports); the sweep removes
older ones (`register_sweep_steps`).
"""

from __future__ import annotations

import csv
import io
from calendar import monthrange
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import orjson
import sqlalchemy as sa

from creditreg.clock import CST
from creditreg.domain.access.principals import SYSTEM, Principal
from creditreg.domain.access.query_register import (
    PURPOSE_LABELS_ZH,
    RETENTION_MONTHS,
    Purpose,
    QueryPurpose,
    parse_purpose,
)
from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.spreadsheet import safe_csv_cell
from creditreg.domain.privacy import mask_identifiers_in_text
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.kernel.registry import Registry
from creditreg.services.kernel.sweep import StepRun, SweepSteps
from creditreg.store.access.query_register import insert_many, insert_one, query_register
from creditreg.store.access.tables import unit
from creditreg.store.fast import insert_once
from creditreg.store.uow import DriverTx

DUTIES = QueryPurpose()
_COLUMNS = ("at", "unit_id", "actor", "subject_id", "purpose", "note", "what", "object_id")
MAX_REVIEW = 1000


def registers(principal: Principal) -> bool:
    """Whether `principal`'s reads are queries to register: a unit's, not a subject's own."""
    return not principal.is_subject


def reading(ctx: Context, principal: Principal | None) -> AbstractContextManager[sa.Connection]:
    """The transaction of a read: a write one when the read is registered (SEC-2), so that
    a read whose registration fails is not served; a subject's own takes no write lock."""
    registered = principal is not None and registers(principal)
    return ctx.db.write() if registered else ctx.db.read()


def _row(
    ctx: Context,
    principal: Principal,
    subject_id: int | None,
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
class Answered:
    """One answer to register with what it returned (the check, SEC-2): the subject (None
    for an identifier that named no subject, `object_id` then holds its digest), the ids
    of the entries, records and measures returned and a digest of the whole answer."""

    subject_id: int | None
    what: str
    purpose: QueryPurpose
    object_id: str | int | None = None
    returned: Mapping[str, Any] | None = None
    answer_digest: str | None = None


def record_answers(
    conn: sa.Connection | DriverTx,
    ctx: Context,
    principal: Principal,
    answers: Sequence[Answered],
) -> list[int]:
    """Register `answers` in the caller's transaction (one executemany round trip) and
    return their register ids in order: the answers leave only after it commits."""
    if not answers or not registers(principal):
        return []
    now = ctx.now()
    rows = [
        {
            **_row(ctx, principal, a.subject_id, a.what, a.purpose, a.object_id, now),
            "returned": None if a.returned is None else dict(a.returned),
            "answer_digest": a.answer_digest,
        }
        for a in answers
    ]
    if len(rows) == 1:  # a single check
        return [insert_one(conn, rows[0])]
    return insert_many(conn, rows)


@dataclass(frozen=True)
class RegisteredQuery:
    """One row of the register as the operator reviews it (Op(24))."""

    id: int
    at: datetime
    unit_id: int | None
    unit_name: str | None
    actor: str
    subject_id: int | None
    purpose: str
    note: str | None
    what: str
    object_id: str | None
    returned: dict[str, Any] | None
    answer_digest: str | None


def review(
    ctx: Context,
    principal: Principal,
    *,
    unit_id: int | None = None,
    subject_id: int | None = None,
    since_day: date | None = None,
    until_day: date | None = None,
    purpose: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[RegisteredQuery]:
    """SEC-2, Op(24): the register reviewed by the platform's auditors, filtered by unit,
    subject, period (local days, both included) and purpose, in id order from `after_id`."""
    principal.require(Permission.AUDIT_READ)
    if since_day and until_day and until_day < since_day:
        raise InvalidInput("query.bad_period", "the period ends before it begins")
    for day in (since_day, until_day):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidInput(
                "query.bad_period", f"a period's days lie between {FIRST_DAY} and {LAST_DAY}"
            )
    wanted = None if purpose is None else parse_purpose(purpose).purpose.value
    q = query_register.c
    where: list[sa.ColumnElement[bool]] = [q.id > after_id]
    if unit_id is not None:
        where.append(q.unit_id == unit_id)
    if subject_id is not None:
        where.append(q.subject_id == subject_id)
    if since_day is not None:
        where.append(q.at >= _midnight(since_day))
    if until_day is not None:
        where.append(q.at < _midnight(until_day + timedelta(days=1)))
    if wanted is not None:
        where.append(q.purpose == wanted)
    with ctx.db.read() as conn:
        rows = conn.execute(
            sa.select(query_register, unit.c.name.label("unit_name"))
            .outerjoin(unit, unit.c.id == q.unit_id)
            .where(*where)
            .order_by(q.id)
            .limit(min(max(limit, 1), MAX_REVIEW))
        ).all()
    return [
        RegisteredQuery(
            id=r.id,
            at=r.at,
            unit_id=r.unit_id,
            unit_name=r.unit_name,
            actor=r.actor,
            subject_id=r.subject_id,
            purpose=r.purpose,
            note=r.note,
            what=r.what,
            object_id=r.object_id,
            returned=r.returned,
            answer_digest=r.answer_digest,
        )
        for r in rows
    ]


CSV_COLUMNS = (
    "id",
    "at",
    "unit_id",
    "unit_name",
    "actor",
    "subject_id",
    "purpose",
    "note",
    "what",
    "object_id",
    "returned",
    "answer_digest",
)


def as_csv(rows: Sequence[RegisteredQuery]) -> str:
    """The reviewed rows as CSV (UTF-8, a header row; `returned` as compact JSON)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.id,
                r.at.isoformat(),
                r.unit_id or "",
                safe_csv_cell(r.unit_name),
                safe_csv_cell(r.actor),
                r.subject_id or "",
                r.purpose,
                safe_csv_cell(r.note),  # a caller's own words: no formula runs
                r.what,
                safe_csv_cell(r.object_id),
                "" if r.returned is None else orjson.dumps(r.returned).decode(),
                r.answer_digest or "",
            ]
        )
    return out.getvalue()


# The days a period may name: its midnights in China time must be times Python can hold.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9999, 12, 30)


def _midnight(day: date) -> datetime:
    """The start of `day` in China Standard Time (the calendar the operator speaks in)."""
    return datetime.combine(day, time(), tzinfo=CST)


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
            # A unit's note may quote someone else's number (DIS-3): never in clear here.
            note=None if r.note is None else mask_identifiers_in_text(r.note),
            what=r.what,
        )
        for r in rows
    ]


# The extension point through which an upper context keeps register rows past their two
# years: each extension is a SELECT of one column, the ids of rows that are still the
# evidence of something that context holds.
HOLDS = "query_register.holds"


def hold(registry: Registry, held: sa.Select[Any]) -> None:
    """Keep the register rows `held` selects (their ids) past the retention period."""
    registry.extend(HOLDS, held)


def _purge(run: StepRun) -> None:
    """Retention: rows older than two years leave the register, a chunk per transaction,
    but for those another context holds (`hold`)."""
    cutoff = since(run.ctx)
    query = sa.select(query_register.c.id).where(query_register.c.at < cutoff)
    for held in run.ctx.registry.extensions.get(HOLDS, ()):
        query = query.where(query_register.c.id.not_in(held))
    while True:
        with run.write() as conn:
            ids = list(conn.execute(query.order_by(query_register.c.at).limit(2000)).scalars())
            if not ids:
                return
            conn.execute(query_register.delete().where(query_register.c.id.in_(ids)))
            # SEC-3: the register loses rows only with a trace (which ids, up to when).
            audit.record(
                conn,
                run.ctx,
                SYSTEM,
                "query_register.expired",
                "query_register",
                f"{ids[0]}..{ids[-1]}",
                detail={
                    "rows": len(ids),
                    "before": cutoff.isoformat(),
                    "first": min(ids),
                    "last": max(ids),
                },
            )
        run.add("queries_expired", len(ids))


def register_sweep_steps(steps: SweepSteps) -> None:
    """The register's retention step (run after every context's own steps)."""
    steps.register("query_register_retention", _purge, order=90)
