"""What the records context registers at bootstrap."""

from __future__ import annotations

from creditreg.services.kernel.registry import Registry
from creditreg.store.records.tables import record


def register(registry: Registry) -> None:
    """Deadline followers of the records context."""
    # A batch's records keep their verification due date beside them (found by index).
    registry.follow_copy("ingest_batch", "verification", record.c.batch_id, record.c.verify_due)
