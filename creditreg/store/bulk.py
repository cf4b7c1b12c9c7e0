"""Bulk inserts: DB-API executemany inside the caller's transaction.

Measured here (bench/subjects.py): SQLAlchemy's per-row parameter processing (a dict and
the UTC timestamp type per row) cost more than the insert itself. Rows go to the driver
as tuples; values needing conversion (timestamps) are converted once with `bind_value`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa


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
