"""Named queries of the measures context; the only place a measure's or a memorandum's
status is written (design rule 1), each through its one guarded transition."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from creditreg.domain.errors import Conflict
from creditreg.store.measures.tables import measure, measure_move, memorandum, memorandum_move


def insert_measure(
    conn: sa.Connection, values: Mapping[str, Any], actor: str, now: datetime
) -> int:
    """A new catalog measure, with the first row of its history."""
    measure_id = int(
        conn.execute(measure.insert().values(dict(values)).returning(measure.c.id)).scalar_one()
    )
    conn.execute(
        measure_move.insert().values(
            measure_id=measure_id,
            from_status=None,
            to_status=values["status"],
            action="create",
            actor=actor,
            at=now,
        )
    )
    return measure_id


def move_measure(
    conn: sa.Connection,
    measure_id: int,
    *,
    before: str,
    after: str,
    action: str,
    actor: str,
    note: str | None,
    now: datetime,
) -> None:
    """A measure's one guarded transition (MEASURE): still in the status it was read in."""
    moved = conn.execute(
        measure.update()
        .where(measure.c.id == measure_id, measure.c.status == before)
        .values(status=after, updated_at=now)
    ).rowcount
    if moved != 1:
        raise Conflict("measure.illegal_transition", f"measure {measure_id} moved meanwhile")
    conn.execute(
        measure_move.insert().values(
            measure_id=measure_id,
            from_status=before,
            to_status=after,
            action=action,
            actor=actor,
            note=note,
            at=now,
        )
    )


def insert_memorandum(
    conn: sa.Connection, values: Mapping[str, Any], actor: str, now: datetime
) -> int:
    """A new memorandum version (a draft), with the first row of its history."""
    memo_id = int(
        conn.execute(
            memorandum.insert().values(dict(values)).returning(memorandum.c.id)
        ).scalar_one()
    )
    conn.execute(
        memorandum_move.insert().values(
            memorandum_id=memo_id,
            from_status=None,
            to_status=values["status"],
            action="create",
            actor=actor,
            at=now,
        )
    )
    return memo_id


def move_memorandum(
    conn: sa.Connection,
    memo_id: int,
    *,
    before: str,
    after: str,
    action: str,
    actor: str,
    note: str | None,
    now: datetime,
) -> None:
    """A memorandum's one guarded transition (MEMORANDUM)."""
    moved = conn.execute(
        memorandum.update()
        .where(memorandum.c.id == memo_id, memorandum.c.status == before)
        .values(status=after)
    ).rowcount
    if moved != 1:
        raise Conflict("memorandum.illegal_transition", f"memorandum {memo_id} moved meanwhile")
    conn.execute(
        memorandum_move.insert().values(
            memorandum_id=memo_id,
            from_status=before,
            to_status=after,
            action=action,
            actor=actor,
            note=note,
            at=now,
        )
    )


def publish_memorandum(conn: sa.Connection, memo_id: int, now: datetime) -> None:
    """Stamp when a draft was published (its move to `published` is `move_memorandum`'s)."""
    conn.execute(
        memorandum.update()
        .where(memorandum.c.id == memo_id, memorandum.c.published_at.is_(None))
        .values(published_at=now)
    )
