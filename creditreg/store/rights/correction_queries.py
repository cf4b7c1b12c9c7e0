"""Named queries of corrections and compensation claims; the only place a claim's status
is written (design rule 1)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from creditreg.domain.errors import Conflict
from creditreg.store.rights.correction_tables import (
    compensation_claim,
    compensation_claim_move,
    correction,
)


def insert_correction(conn: sa.Connection, values: Mapping[str, Any]) -> int:
    return int(
        conn.execute(
            correction.insert().values(dict(values)).returning(correction.c.id)
        ).scalar_one()
    )


def insert_claim(conn: sa.Connection, values: Mapping[str, Any], actor: str, now: datetime) -> int:
    """A new claim, claimed, with the first row of its history."""
    claim_id = int(
        conn.execute(
            compensation_claim.insert().values(dict(values)).returning(compensation_claim.c.id)
        ).scalar_one()
    )
    conn.execute(
        compensation_claim_move.insert().values(
            claim_id=claim_id,
            from_status=None,
            to_status=values["status"],
            action="claim",
            actor=actor,
            at=now,
        )
    )
    return claim_id


def move_claim(
    conn: sa.Connection,
    claim_id: int,
    *,
    before: str,
    after: str,
    action: str,
    actor: str,
    note: str | None,
    now: datetime,
    **values: Any,
) -> None:
    """A claim's one guarded transition (COMPENSATION): the status it was read in is
    required still (a concurrent move loses), and the move is kept in its history."""
    moved = conn.execute(
        compensation_claim.update()
        .where(compensation_claim.c.id == claim_id, compensation_claim.c.status == before)
        .values(status=after, updated_at=now, **values)
    ).rowcount
    if moved != 1:
        raise Conflict(
            "compensation.illegal_transition", f"compensation claim {claim_id} moved meanwhile"
        )
    conn.execute(
        compensation_claim_move.insert().values(
            claim_id=claim_id,
            from_status=before,
            to_status=after,
            action=action,
            actor=actor,
            note=note,
            at=now,
        )
    )
