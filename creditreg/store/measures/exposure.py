"""The check's exposures (MEA-5): one row per (entry, implementing unit) the first time a
check shows the unit the entry in force; later checks add nothing (ON CONFLICT DO
NOTHING, one executemany per check)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from creditreg.store.measures.feedback_tables import check_exposure


def record(conn: sa.Connection, unit_id: int, entry_ids: Iterable[int], at: datetime) -> None:
    """Remember that `unit_id` was shown `entry_ids` in force (in the check's transaction)."""
    rows = [{"entry_id": e, "unit_id": unit_id, "first_at": at} for e in dict.fromkeys(entry_ids)]
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(check_exposure).on_conflict_do_nothing(), rows)


def units_shown(conn: sa.Connection, entry_id: int) -> set[int]:
    """The units a check showed the entry to."""
    return set(
        conn.execute(
            sa.select(check_exposure.c.unit_id).where(check_exposure.c.entry_id == entry_id)
        ).scalars()
    )
