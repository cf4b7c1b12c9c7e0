"""What the records context registers at bootstrap."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from creditreg.services.kernel.registry import Registry
from creditreg.store.records.tables import record


def _verification_moved(conn: sa.Connection, owner_id: str, old: date, new: date) -> None:
    """A batch's records keep their verification due date beside them (found by index)."""
    conn.execute(
        record.update()
        .where(record.c.batch_id == int(owner_id), record.c.verify_due == old)
        .values(verify_due=new)
    )


def register(registry: Registry) -> None:
    """Deadline followers of the records context."""
    registry.follow("ingest_batch", "verification", _verification_moved)
