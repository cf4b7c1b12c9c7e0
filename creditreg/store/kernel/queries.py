"""The kernel's named queries: the audit chain's lock, head and checkpoints, the outbox
and its cursors."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from creditreg.domain.kernel.audit import GENESIS_HASH
from creditreg.domain.kernel.checkpoints import Checkpoint
from creditreg.store import bulk
from creditreg.store.kernel.tables import (
    audit_checkpoint,
    audit_event,
    deadline,
    domain_event,
    outbox_cursor,
)

# A constant key for PostgreSQL's transaction-level advisory lock on the chain's tail.
CHAIN_LOCK = 7_301_2026

_EVENT_COLUMNS = (
    "kind",
    "object_type",
    "object_id",
    "payload",
    "occurred_at",
    "payload_digest",
)


def lock_chain(conn: sa.Connection) -> None:
    """Serialise appends to the audit chain and the outbox until this transaction ends.

    On PostgreSQL a serial id is taken when the row is inserted but becomes visible when
    its transaction commits, so ids alone would let a cursor skip an event committed after
    a later one. Appends take this lock first and hold it to commit: ids are then handed
    out in commit order. SQLite writers are serialised by BEGIN IMMEDIATE already."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})


def chain_head(conn: sa.Connection) -> tuple[int, str]:
    """The newest event's seq and hash; (0, the genesis hash) for an empty chain. Under
    `lock_chain` it stays the head until the transaction ends."""
    last = conn.execute(
        sa.select(audit_event.c.seq, audit_event.c.hash).order_by(audit_event.c.seq.desc()).limit(1)
    ).first()
    return (int(last.seq), str(last.hash)) if last else (0, GENESIS_HASH)


def checkpoints(conn: sa.Connection, after: int = 0, limit: int | None = None) -> list[Checkpoint]:
    """The stored checkpoints numbered above `after`, in number order (at most `limit`)."""
    query = (
        sa.select(audit_checkpoint)
        .where(audit_checkpoint.c.number > after)
        .order_by(audit_checkpoint.c.number)
    )
    return [_checkpoint(row) for row in conn.execute(query.limit(limit))]


def checkpoints_with_heads(
    conn: sa.Connection,
) -> Generator[tuple[Checkpoint, str | None]]:
    """Every stored checkpoint in number order, streamed, with the stored hash of the event
    it names (None when the chain holds no such event)."""
    query = (
        sa.select(audit_checkpoint, audit_event.c.hash.label("event_hash"))
        .outerjoin(audit_event, audit_event.c.seq == audit_checkpoint.c.seq)
        .order_by(audit_checkpoint.c.number)
    )
    with conn.execution_options(yield_per=5000).execute(query) as result:
        for row in result:
            yield _checkpoint(row), row.event_hash


def checkpoint(conn: sa.Connection, number: int) -> Checkpoint | None:
    """The stored checkpoint `number`, if there is one."""
    row = conn.execute(
        sa.select(audit_checkpoint).where(audit_checkpoint.c.number == number)
    ).first()
    return _checkpoint(row) if row else None


def event_hash(conn: sa.Connection, seq: int) -> str | None:
    """The stored hash of event `seq`, if there is one."""
    found = conn.execute(sa.select(audit_event.c.hash).where(audit_event.c.seq == seq)).scalar()
    return str(found) if found is not None else None


def last_checkpoint(conn: sa.Connection) -> Checkpoint | None:
    """The newest stored checkpoint, or None when there is none."""
    row = conn.execute(
        sa.select(audit_checkpoint).order_by(audit_checkpoint.c.number.desc()).limit(1)
    ).first()
    return _checkpoint(row) if row else None


def insert_checkpoint(conn: sa.Connection, checkpoint: Checkpoint) -> None:
    """Append a checkpoint (after `lock_chain`, under which its number is the next one)."""
    conn.execute(audit_checkpoint.insert().values(**checkpoint.as_dict()))


def _checkpoint(row: Any) -> Checkpoint:
    return Checkpoint(
        number=int(row.number),
        seq=int(row.seq),
        head_hash=row.head_hash,
        created_at=row.created_at,
        kind=row.kind,
        actor=row.actor,
        key_id=row.key_id,
        signature=row.signature,
    )


def insert_events(conn: sa.Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Append outbox rows (columns as `_EVENT_COLUMNS`), in order, after `lock_chain`."""
    bulk.insert_rows(conn, domain_event, _EVENT_COLUMNS, rows)


def events_after(conn: sa.Connection, position: int, limit: int) -> list[Any]:
    """Up to `limit` events after `position`, in order."""
    return list(
        conn.execute(
            sa.select(domain_event)
            .where(domain_event.c.id > position)
            .order_by(domain_event.c.id)
            .limit(limit)
        ).all()
    )


def cursor_position(conn: sa.Connection, consumer: str) -> int:
    """Where `consumer` stands (0 when it never read)."""
    found = conn.execute(
        sa.select(outbox_cursor.c.position).where(outbox_cursor.c.consumer == consumer)
    ).scalar_one_or_none()
    return int(found or 0)


def advance_cursor(conn: sa.Connection, consumer: str, position: int, now: datetime) -> None:
    """Move `consumer` forward to `position` (never backwards)."""
    moved = conn.execute(
        outbox_cursor.update()
        .where(outbox_cursor.c.consumer == consumer, outbox_cursor.c.position < position)
        .values(position=position, updated_at=now)
    ).rowcount
    if moved:
        return
    exists = conn.execute(
        sa.select(outbox_cursor.c.consumer).where(outbox_cursor.c.consumer == consumer)
    ).first()
    if exists is None:
        conn.execute(
            outbox_cursor.insert().values(consumer=consumer, position=position, updated_at=now)
        )


def cursors(conn: sa.Connection) -> list[Any]:
    """Every consumer's cursor."""
    return list(conn.execute(sa.select(outbox_cursor).order_by(outbox_cursor.c.consumer)).all())


def purge_events(conn: sa.Connection, objects: Sequence[tuple[str, str]], now: datetime) -> int:
    """Empty the payloads of these objects' events, keeping ids, kinds, times and digests."""
    purged = 0
    for object_type, object_id in objects:
        purged += int(
            conn.execute(
                domain_event.update()
                .where(
                    domain_event.c.object_type == object_type,
                    domain_event.c.object_id == object_id,
                    domain_event.c.purged_at.is_(None),
                )
                .values(payload={}, purged_at=now)
            ).rowcount
            or 0
        )
    return purged


def delete_deadlines(conn: sa.Connection, objects: Sequence[tuple[str, str]]) -> None:
    """The stored deadlines of erased objects go with them."""
    for owner_type, owner_id in objects:
        conn.execute(
            deadline.delete().where(
                deadline.c.owner_type == owner_type, deadline.c.owner_id == owner_id
            )
        )


def last_clock_move(conn: sa.Connection) -> datetime | None:
    """The time the test clock was last moved to (`clock.move` events say it in their
    detail; older ones, which do not, are passed over)."""
    rows = conn.execute(
        sa.select(audit_event.c.detail)
        .where(
            audit_event.c.object_type == "clock",
            audit_event.c.object_id == "server",
            audit_event.c.action == "clock.move",
        )
        .order_by(audit_event.c.seq.desc())
        .limit(20)
    ).scalars()
    for detail in rows:
        moved_to = orjson.loads(detail).get("to")
        if moved_to:
            return datetime.fromisoformat(moved_to)
    return None
