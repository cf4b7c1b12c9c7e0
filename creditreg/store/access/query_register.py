"""The query register's table (SEC-2, Op(24)): one row per subject read by a unit.

In the access context, the lowest that knows units, so that every context above it
(subjects, records, lists, measures' check) registers its reads here. The subject is
named by id only (access sits below subjects), like `subject_account`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from creditreg.store.base import ID, UTCDateTime, metadata

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
)


_ONE: dict[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...], dict[str, Any]]] = {}


def insert_one(conn: sa.Connection, row: Mapping[str, Any]) -> int:
    """One row in the caller's transaction, its id back: the INSERT ... RETURNING compiled
    once per dialect and run on the transaction's DB-API cursor, values through each
    column's bind processor as Core would (the check's hot path: Core's per-call work was a
    third of a check's time, README "Benchmarks")."""
    key = (conn.dialect.name, tuple(row))
    plan = _ONE.get(key)
    if plan is None:
        statement = (
            query_register.insert()
            .values({name: sa.bindparam(name, required=False) for name in row})
            .returning(query_register.c.id)
        )
        compiled = statement.compile(dialect=conn.dialect)
        processors = {
            name: query_register.c[name].type._cached_bind_processor(conn.dialect) for name in row
        }
        plan = _ONE[key] = (str(compiled), tuple(compiled.positiontup or ()), processors)
    sql, order, processors = plan
    bound = {
        name: value if proc is None else proc(value)
        for name, value in row.items()
        for proc in (processors[name],)
    }
    args: Any = tuple(bound[name] for name in order) if order else bound
    dbapi = conn.dialect.loaded_dbapi
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, args)
        (new_id,) = cursor.fetchone()
    except dbapi.Error as exc:
        raise sa.exc.DBAPIError.instance(
            sql, None, exc, dbapi.Error, hide_parameters=True, dialect=conn.dialect
        ) from exc
    finally:
        cursor.close()
    return int(new_id)
