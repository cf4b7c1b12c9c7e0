"""Named queries of webhook endpoints and deliveries; the only place their status columns
are written (design rule 1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from creditreg.domain.errors import Conflict
from creditreg.store.measures.webhook_tables import (
    webhook_delivery,
    webhook_delivery_move,
    webhook_endpoint,
)


def insert_endpoint(conn: sa.Connection, values: Mapping[str, Any]) -> int:
    """A new endpoint (its status among `values`: active)."""
    return int(
        conn.execute(
            webhook_endpoint.insert().values(dict(values)).returning(webhook_endpoint.c.id)
        ).scalar_one()
    )


def move_endpoint(
    conn: sa.Connection, endpoint_id: int, *, before: str, after: str, now: datetime
) -> None:
    """An endpoint's one guarded transition (ENDPOINT)."""
    moved = conn.execute(
        webhook_endpoint.update()
        .where(webhook_endpoint.c.id == endpoint_id, webhook_endpoint.c.status == before)
        .values(status=after, disabled_at=now)
    ).rowcount
    if moved != 1:
        raise Conflict(
            "webhook_endpoint.illegal_transition", f"webhook endpoint {endpoint_id} moved meanwhile"
        )


def queue_deliveries(
    conn: sa.Connection, rows: Sequence[Mapping[str, Any]], actor: str, now: datetime
) -> list[int]:
    """New deliveries (status pending, among each row's values), each with the first row
    of its history."""
    ids = []
    for values in rows:
        delivery_id = int(
            conn.execute(
                webhook_delivery.insert().values(dict(values)).returning(webhook_delivery.c.id)
            ).scalar_one()
        )
        ids.append(delivery_id)
    if ids:
        conn.execute(
            webhook_delivery_move.insert(),
            [
                {
                    "delivery_id": i,
                    "from_status": None,
                    "to_status": rows[n]["status"],
                    "action": "queue",
                    "actor": actor,
                    "status_code": None,
                    "note": None,
                    "at": now,
                }
                for n, i in enumerate(ids)
            ],
        )
    return ids


def move_delivery(
    conn: sa.Connection,
    delivery_id: int,
    *,
    before: str,
    after: str,
    action: str,
    actor: str,
    now: datetime,
    status_code: int | None = None,
    note: str | None = None,
    **values: Any,
) -> None:
    """A delivery's one guarded transition (DELIVERY): the status it was read in is
    required still (a concurrent redelivery or attempt loses), and the move is kept."""
    moved = conn.execute(
        webhook_delivery.update()
        .where(webhook_delivery.c.id == delivery_id, webhook_delivery.c.status == before)
        .values(status=after, updated_at=now, **values)
    ).rowcount
    if moved != 1:
        raise Conflict(
            "webhook_delivery.illegal_transition",
            f"webhook delivery {delivery_id} moved meanwhile",
        )
    conn.execute(
        webhook_delivery_move.insert().values(
            delivery_id=delivery_id,
            from_status=before,
            to_status=after,
            action=action,
            actor=actor,
            status_code=status_code,
            note=None if note is None else note[:500],
            at=now,
        )
    )
