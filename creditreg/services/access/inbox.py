"""Units' inboxes: a late duty is told once (SEC-5, Art 65), to the units that owe it and
to the platform operator."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

import sqlalchemy as sa

from creditreg.store.access.tables import notification, unit


def tell_once(
    conn: sa.Connection,
    now: datetime,
    kind: str,
    object_type: str,
    owners: Mapping[str, Iterable[int]],
    message: Callable[[str], str],
) -> list[str]:
    """Tell every active platform operator, and each object's own units, of the objects in
    `owners` (object id -> units) not told of this `kind` before. Returns the ids told now."""
    if not owners:
        return []
    told = set(
        conn.execute(
            sa.select(notification.c.object_id).where(
                notification.c.kind == kind, notification.c.object_id.in_(list(owners))
            )
        ).scalars()
    )
    operators = set(
        conn.execute(
            sa.select(unit.c.id).where(unit.c.kind == "platform_operator", unit.c.active)
        ).scalars()
    )
    fresh = [object_id for object_id in owners if object_id not in told]
    rows = [
        {
            "unit_id": to,
            "kind": kind,
            "object_type": object_type,
            "object_id": object_id,
            "message": message(object_id),
            "created_at": now,
        }
        for object_id in fresh
        for to in sorted(operators | set(owners[object_id]))
    ]
    if rows:
        conn.execute(notification.insert(), rows)
    return fresh


def forget(conn: sa.Connection, kind: str, object_type: str, object_id: str) -> int:
    """Delete the inbox items of `kind` about one object (an entry deleted in error is not
    kept, Op(20)); how many went."""
    return int(
        conn.execute(
            notification.delete().where(
                notification.c.kind == kind,
                notification.c.object_type == object_type,
                notification.c.object_id == object_id,
            )
        ).rowcount
    )


def tell(
    conn: sa.Connection,
    now: datetime,
    unit_ids: Iterable[int],
    *,
    kind: str,
    object_type: str,
    object_id: str,
    message: str,
) -> None:
    """Put one item in each of these units' inboxes, in the caller's transaction."""
    rows = [
        {
            "unit_id": to,
            "kind": kind,
            "object_type": object_type,
            "object_id": object_id,
            "message": message,
            "created_at": now,
        }
        for to in sorted(set(unit_ids))
    ]
    if rows:
        conn.execute(notification.insert(), rows)
