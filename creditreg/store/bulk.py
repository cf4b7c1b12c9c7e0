"""Bulk inserts: DB-API executemany inside the caller's transaction.

Measured here (bench/subjects.py): SQLAlchemy's per-row parameter processing (a dict and
the UTC timestamp type per row) cost more than the insert itself. Rows go to the driver
as tuples; values needing conversion (timestamps) are converted once with `bind_value`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import orjson
import sqlalchemy as sa
import sqlalchemy.dialects.postgresql


def bind_value(conn: sa.Connection, column: sa.Column[Any], value: Any) -> Any:
    """`value` as the driver expects it for `column` (the column type's bind processing)."""
    processor = column.type.bind_processor(conn.dialect)
    return processor(value) if processor else value


def insert_sql(conn: sa.Connection, table: sa.Table, columns: Sequence[str]) -> str:
    """An INSERT for `columns` in the driver's positional parameter style."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    preparer = conn.dialect.identifier_preparer
    names = ", ".join(preparer.quote(c) for c in columns)
    return (
        f"INSERT INTO {preparer.format_table(table)} ({names}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )


def executemany(conn: sa.Connection, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """Run `sql` for every row on the transaction's own DB-API connection."""
    driver: Any = conn.connection.driver_connection
    cursor = driver.cursor()
    try:
        cursor.executemany(sql, rows if isinstance(rows, list) else list(rows))
    finally:
        cursor.close()


def processors(conn: sa.Connection, table: sa.Table, columns: Sequence[str]) -> list[Any]:
    """Each column's bind processor (None where the driver takes the value as it is)."""
    return [_processor(conn, table.c[name]) for name in columns]


def _processor(conn: sa.Connection, column: sa.Column[Any]) -> Any:
    if isinstance(column.type, sa.JSON):
        # SQLAlchemy serialises JSON at execution time, which this path skips.
        if conn.dialect.name == "postgresql":
            return _pg_json
        return lambda value: orjson.dumps(value).decode()
    return column.type.bind_processor(conn.dialect)


def _pg_json(value: Any) -> Any:
    from psycopg.types.json import Json

    return Json(value, dumps=lambda v: orjson.dumps(v).decode())


def processed(row: Sequence[Any], procs: Sequence[Any]) -> tuple[Any, ...]:
    """`row` with each value passed through its column's processor."""
    return tuple(
        p(v) if p is not None and v is not None else v for v, p in zip(row, procs, strict=True)
    )


COPY_FROM = 20  # rows; a single audit event measured ~4% quicker as an INSERT than as a COPY


def insert_rows(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert many rows in the caller's transaction: PostgreSQL COPY, else executemany.

    Measured (bench/lists.py): the sweep's history, notice and audit rows went 3x faster
    through COPY than through an executemany on PostgreSQL. A few rows (the one audit event
    of an ordinary request) stay a plain INSERT: COPY pays off for a batch."""
    if not rows:
        return
    procs = processors(conn, table, columns)
    insert_processed(conn, table, columns, [processed(r, procs) for r in rows])


def insert_processed(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """`insert_rows` for rows already passed through their columns' processors (the ingest
    converts a batch's constant values once, not per row)."""
    if not rows:
        return
    if conn.dialect.name != "postgresql" or len(rows) < COPY_FROM:
        executemany(conn, insert_sql(conn, table, columns), [tuple(r) for r in rows])
        return
    preparer = conn.dialect.identifier_preparer
    names = ", ".join(preparer.quote(c) for c in columns)
    driver: Any = conn.connection.driver_connection
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {preparer.format_table(table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


_K = TypeVar("_K")
IN_CHUNK = 5000  # ids per `IN (...)`


def chunks(ids: Sequence[_K], size: int = IN_CHUNK) -> Iterator[Sequence[_K]]:
    """`ids` (or any keys) in slices that fit an `IN (...)`."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
