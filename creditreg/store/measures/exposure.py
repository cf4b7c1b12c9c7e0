"""The check's exposures (MEA-5): one row per (entry, implementing unit) the first time a
check shows the unit the entry in force; later checks add nothing (ON CONFLICT DO
NOTHING, one executemany per check)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from creditreg.store.measures.feedback_tables import check_exposure
from creditreg.store.uow import DriverTx

_SQL: dict[str, str] = {}


def record(
    conn: sa.Connection | DriverTx, unit_id: int, entry_ids: Iterable[int], at: datetime
) -> None:
    """Remember that `unit_id` was shown `entry_ids` in force (in the check's transaction):
    one INSERT ... ON CONFLICT DO NOTHING compiled once per dialect, one executemany."""
    # In id order: two checks inserting the same entries' rows lock them in one order.
    ids = sorted(set(entry_ids))
    if not ids:
        return
    tx = DriverTx.of(conn)
    sql = _SQL.get(tx.dialect.name)
    if sql is None:
        dialect = postgresql if tx.dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(check_exposure)
            .values(
                entry_id=sa.bindparam("entry_id"),
                unit_id=sa.bindparam("unit_id"),
                first_at=sa.bindparam("first_at"),
            )
            .on_conflict_do_nothing()
        )
        sql = _SQL[tx.dialect.name] = str(statement.compile(dialect=tx.dialect))
    stamp = check_exposure.c.first_at.type._cached_bind_processor(tx.dialect)
    first_at = at if stamp is None else stamp(at)
    if tx.sqlite:  # qmark, in the statement's column order
        tx.run_many(sql, [(e, unit_id, first_at) for e in ids])
    else:
        tx.run_many(sql, [{"entry_id": e, "unit_id": unit_id, "first_at": first_at} for e in ids])


def units_shown(conn: sa.Connection, entry_id: int) -> set[int]:
    """The units a check showed the entry to."""
    return set(
        conn.execute(
            sa.select(check_exposure.c.unit_id).where(check_exposure.c.entry_id == entry_id)
        ).scalars()
    )
