"""The records context's named queries: the only statements that write a record's or a
catalog item's status (design rule 1; a test fails on any other)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from creditreg.store import bulk
from creditreg.store.records.tables import catalog_item, record


def set_record_status(conn: sa.Connection, record_id: int, status: str, **values: Any) -> None:
    """Write one record's new status (and the facts stamped with it)."""
    conn.execute(record.update().where(record.c.id == record_id).values(status=status, **values))


def set_record_status_many(
    conn: sa.Connection, record_ids: Sequence[int], status: str, **values: Any
) -> None:
    """Write the same new status for many records, in grouped UPDATEs (the sweep's sets)."""
    for part in bulk.chunks(record_ids):
        conn.execute(record.update().where(record.c.id.in_(part)).values(status=status, **values))


def set_item_status(conn: sa.Connection, item_id: int, status: str, **values: Any) -> None:
    """Write one catalog item's new status."""
    conn.execute(
        catalog_item.update().where(catalog_item.c.id == item_id).values(status=status, **values)
    )


def insert_item(conn: sa.Connection, values: dict[str, Any]) -> int:
    """A new catalog item (version), a draft."""
    return int(
        conn.execute(
            catalog_item.insert().values({**values, "status": "draft"}).returning(catalog_item.c.id)
        ).scalar_one()
    )


# A received record's columns, in the order the ingestion path builds its rows (the
# status column holds the initial state, received).
RECORD_COLUMNS = (
    "catalog_item_id",
    "subject_id",
    "providing_unit_id",
    "batch_id",
    "data",
    "self_declared",
    "status",
    "character",
    "disclosure",
    "decision_date",
    "received_at",
    "verify_due",
    "untrustworthy_class",
    "serious_class",
    "severity",
    "final_on",
    "discipline_block",
    "display_until",
)


def record_insert_sql(conn: sa.Connection) -> str:
    """The INSERT of received records, in the driver's parameter style."""
    return bulk.insert_sql(conn, record, RECORD_COLUMNS)


def insert_records(conn: sa.Connection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """Received records (rows built for `RECORD_COLUMNS`), in one executemany."""
    bulk.executemany(conn, sql, rows)
