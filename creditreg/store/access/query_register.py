"""The query register's table (SEC-2, Op(24)): one row per subject read by a unit.

In the access context, the lowest that knows units, so that every context above it
(subjects, records, lists, measures' check) registers its reads here. The subject is
named by id only (access sits below subjects), like `subject_account`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata
from creditreg.store.uow import DriverTx

query_register = sa.Table(
    "query_register",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    # The unit the reader acted for (None for the platform's own operators on the machine).
    # No foreign key: like the audit log, the register records who acted as they said.
    sa.Column("unit_id", ID, nullable=True),
    sa.Column("actor", sa.String(120), nullable=False),  # "user:alice", "token:12", "cli:bob"
    # None: a check of an identifier that names no subject (its digest is the object_id).
    sa.Column("subject_id", ID, nullable=True),
    sa.Column("purpose", sa.String(30), nullable=False),
    sa.Column("note", sa.String(200), nullable=True),
    # What was read: "subject", "subject.lookup", "subject.links", "record", "list_entry" ...
    sa.Column("what", sa.String(40), nullable=False),
    sa.Column("object_id", sa.String(64), nullable=True),
    # Issue 11 (SEC-2): what the answer returned (ids of entries, records, measures) and
    # the SHA-256 of the answer, for the check; None for reads that return one object.
    sa.Column("returned", sa.JSON, nullable=True),
    sa.Column("answer_digest", sa.String(64), nullable=True),
    # The subject's own view (self-inquiry, reports): its reads of the last two years.
    sa.Index("ix_query_register_subject", "subject_id", "at"),
    # The sweep's retention step removes by age.
    sa.Index("ix_query_register_at", "at"),
    # Ids are told outside (rows may be deleted): SQLite never gives one twice.
    sqlite_autoincrement=True,
)


_PLANS: dict[tuple[str, tuple[str, ...], bool], tuple[str, tuple[str, ...], list[Any]]] = {}


def _plan(
    dialect: sa.Dialect, names: tuple[str, ...], returning: bool
) -> tuple[str, tuple[str, ...], list[Any]]:
    """The INSERT of `names` compiled once per dialect, and each column's bind processor
    (UTC stamps, JSON) in the order of its parameters."""
    key = (dialect.name, names, returning)
    plan = _PLANS.get(key)
    if plan is None:
        statement = query_register.insert().values(
            {name: sa.bindparam(name, required=False) for name in names}
        )
        if returning:
            statement = statement.returning(query_register.c.id)
        compiled = statement.compile(dialect=dialect)
        order = tuple(compiled.positiontup or ())
        processors = [_processor(name, dialect) for name in (order or names)]
        plan = _PLANS[key] = (str(compiled), order, processors)
    return plan


def _processor(name: str, dialect: sa.Dialect) -> Any:
    """The column's bind processor; JSON is written by orjson (the statement casts the text
    on PostgreSQL), as the stdlib encoder behind SQLAlchemy's was a tenth of a check."""
    if isinstance(query_register.c[name].type, sa.JSON):
        return _json_text
    return query_register.c[name].type._cached_bind_processor(dialect)


def _json_text(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _bound_many(
    rows: Sequence[Mapping[str, Any]], order: tuple[str, ...], processors: list[Any]
) -> list[Any]:
    """`_bound` for each row; a value every row shares (the time, the unit, the actor) is
    processed once."""
    names = order or tuple(rows[0])
    first = rows[0]
    shared = {
        name: first[name] if proc is None else proc(first[name])
        for name, proc in zip(names, processors, strict=True)
        if all(row[name] is first[name] for row in rows)
    }
    work = [
        (name, proc) for name, proc in zip(names, processors, strict=True) if name not in shared
    ]
    out: list[Any] = []
    for row in rows:
        bound = dict(shared)
        for name, proc in work:
            value = row[name]
            bound[name] = value if proc is None else proc(value)
        out.append(tuple(bound[name] for name in order) if order else bound)
    return out


def insert_one(conn: sa.Connection | DriverTx, row: Mapping[str, Any]) -> int:
    """One row in the caller's transaction, its id back: the INSERT ... RETURNING compiled
    once per dialect and run on the transaction's DB-API cursor, values through each
    column's bind processor as Core would (the check's hot path: Core's per-call work was a
    third of a check's time, README "Benchmarks")."""
    tx = DriverTx.of(conn)
    sql, order, processors = _plan(tx.dialect, tuple(row), True)
    (new_id,) = tx.run(sql, _bound_many([row], order, processors)[0]).fetchone()
    return int(new_id)


def insert_many(conn: sa.Connection | DriverTx, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Rows of the same columns in the caller's transaction (one executemany), their ids
    back in order. SQLite: the transaction holds the write lock (BEGIN IMMEDIATE), so the
    rows take consecutive ids ending at `last_insert_rowid()`; PostgreSQL: each INSERT's
    RETURNING, pipelined by psycopg."""
    if not rows:
        return []
    tx = DriverTx.of(conn)
    names = tuple(rows[0])
    returning = not tx.sqlite
    sql, order, processors = _plan(tx.dialect, names, returning)
    args = _bound_many(rows, order, processors)
    if tx.sqlite:
        tx.run_many(sql, args)
        (last,) = tx.run("SELECT last_insert_rowid()", ()).fetchone()
        return list(range(int(last) - len(rows) + 1, int(last) + 1))
    return [int(row[0]) for row in tx.run_many(sql, args, returning=True)]
