"""The objections' named queries: the only statements that write the status of an
objection or a reconsideration (design rule 1; tests/integration/kernel/
test_status_writes.py fails on any other), and the INSERTs of new rows in their initial
states."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from creditreg.store import bulk
from creditreg.store.rights.objection_tables import (
    objection,
    reconsideration,
    red_list_feedback,
)


def insert_objection(conn: sa.Connection, values: Mapping[str, Any]) -> int:
    """A new objection, received; the partial unique index refuses a second open one by
    the same objector on the same item (IntegrityError)."""
    return int(
        conn.execute(objection.insert().values(dict(values)).returning(objection.c.id)).scalar_one()
    )


def set_objection_status(
    conn: sa.Connection, objection_id: int, status: str, now: datetime, **values: Any
) -> None:
    """One objection's new status and the facts stamped with it."""
    conn.execute(
        objection.update()
        .where(objection.c.id == objection_id)
        .values(status=status, updated_at=now, **values)
    )


def set_objection_status_many(
    conn: sa.Connection, objection_ids: Sequence[int], status: str, now: datetime, **values: Any
) -> None:
    """The same new status for many objections (closed with their target)."""
    for part in bulk.chunks(objection_ids):
        conn.execute(
            objection.update()
            .where(objection.c.id.in_(part))
            .values(status=status, updated_at=now, **values)
        )


def insert_reconsideration(conn: sa.Connection, values: Mapping[str, Any]) -> int:
    """A new application for reconsideration, received."""
    return int(
        conn.execute(
            reconsideration.insert().values(dict(values)).returning(reconsideration.c.id)
        ).scalar_one()
    )


def set_reconsideration_status(
    conn: sa.Connection, reconsideration_id: int, status: str, **values: Any
) -> None:
    """A reconsideration's decision."""
    conn.execute(
        reconsideration.update()
        .where(reconsideration.c.id == reconsideration_id)
        .values(status=status, **values)
    )


def insert_feedback(conn: sa.Connection, values: Mapping[str, Any]) -> int:
    """A new red-list report, received (OBJ-4); the partial unique index refuses a second
    open one by the same reporter on the same entry (IntegrityError)."""
    return int(
        conn.execute(
            red_list_feedback.insert().values(dict(values)).returning(red_list_feedback.c.id)
        ).scalar_one()
    )


def set_feedback_status(
    conn: sa.Connection, feedback_ids: Sequence[int], status: str, now: datetime, **values: Any
) -> None:
    """Red-list reports' new status (decided, or closed with their entry)."""
    for part in bulk.chunks(feedback_ids):
        conn.execute(
            red_list_feedback.update()
            .where(red_list_feedback.c.id.in_(part))
            .values(status=status, updated_at=now, **values)
        )
