"""The audit log (SEC-3): written in the same transaction as the change it describes."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from creditreg.domain.kernel.actor import Actor, Permission
from creditreg.domain.kernel.audit import (
    GENESIS_HASH,
    AuditFields,
    ChainBreak,
    canonical_json,
    digest,
    verify_chain,
)
from creditreg.services.context import Context
from creditreg.store import bulk
from creditreg.store.kernel.queries import lock_chain
from creditreg.store.kernel.tables import audit_event


def record(
    conn: sa.Connection,
    ctx: Context,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    *,
    before: Any = None,
    after: Any = None,
    detail: Mapping[str, Any] | None = None,
) -> int:
    """Append one event to the chain inside the caller's transaction; returns its seq."""
    return record_many(
        conn, ctx, actor, [Event(action, object_type, object_id, before, after, detail)]
    )


def refused(
    ctx: Context,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    *,
    code: str,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """An attempt refused for lack of right, audited in its own transaction (the refused
    change itself is never written)."""
    with ctx.db.write() as conn:
        record(
            conn,
            ctx,
            actor,
            f"{action}.refused",
            object_type,
            object_id,
            detail={"code": code, **(detail or {})},
        )


@dataclass(frozen=True)
class Event:
    """One event of a batch written by `record_many`."""

    action: str
    object_type: str
    object_id: str | int
    before: Any = None
    after: Any = None
    detail: Mapping[str, Any] | None = None


def record_many(conn: sa.Connection, ctx: Context, actor: Actor, events: Sequence[Event]) -> int:
    """Append many events in order in one statement (the sweep's bulk transitions).

    Each event carries the previous one's hash; the rows go to the driver in one
    executemany. Returns the last event's seq (0 when there was nothing to write)."""
    if not events:
        return 0
    lock_chain(conn)
    last = conn.execute(
        sa.select(audit_event.c.seq, audit_event.c.hash).order_by(audit_event.c.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    occurred = ctx.now().isoformat()
    rows = []
    for event in events:
        seq += 1
        fields = AuditFields(
            seq=seq,
            occurred_at=occurred,
            actor=actor.actor,
            unit_id=actor.unit_id,
            action=event.action,
            object_type=event.object_type,
            object_id=str(event.object_id),
            before_digest=digest(event.before) if event.before is not None else None,
            after_digest=digest(event.after) if event.after is not None else None,
            detail=dict(event.detail or {}),
            prev_hash=prev_hash,
        )
        prev_hash = fields.hash()
        rows.append(
            (
                fields.seq,
                fields.occurred_at,
                fields.actor,
                fields.unit_id,
                fields.action,
                fields.object_type,
                fields.object_id,
                fields.before_digest,
                fields.after_digest,
                canonical_json(fields.detail).decode(),
                fields.prev_hash,
                prev_hash,
            )
        )
    bulk.insert_rows(conn, audit_event, _COLUMNS, rows)
    return seq


_COLUMNS = (
    "seq",
    "occurred_at",
    "actor",
    "unit_id",
    "action",
    "object_type",
    "object_id",
    "before_digest",
    "after_digest",
    "detail",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class Verification:
    """The outcome of recomputing the chain."""

    checked: int
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _rows_as_fields(conn: sa.Connection) -> Generator[tuple[AuditFields, str]]:
    with conn.execution_options(yield_per=5000).execute(
        sa.select(audit_event).order_by(audit_event.c.seq)
    ) as result:
        yield from _as_fields(result)


def _as_fields(result: sa.CursorResult[Any]) -> Iterator[tuple[AuditFields, str]]:
    for row in result:
        yield (
            AuditFields(
                seq=row.seq,
                occurred_at=row.occurred_at,
                actor=row.actor,
                unit_id=row.unit_id,
                action=row.action,
                object_type=row.object_type,
                object_id=row.object_id,
                before_digest=row.before_digest,
                after_digest=row.after_digest,
                detail=orjson.loads(row.detail),
                prev_hash=row.prev_hash,
            ),
            row.hash,
        )


def verify(ctx: Context) -> Verification:
    """Recompute the whole chain; names the first event that does not match."""
    with ctx.db.read() as conn, closing(_rows_as_fields(conn)) as rows:
        # closing(): a break found early must still close the server-side cursor.
        checked, broken = verify_chain(rows)
    return Verification(checked, broken)


def list_events(
    ctx: Context,
    actor: Actor,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    after_seq: int = 0,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Events in order, optionally for one object; paged by seq."""
    actor.require(Permission.AUDIT_READ)
    query = sa.select(audit_event).where(audit_event.c.seq > after_seq)
    if object_type:
        query = query.where(audit_event.c.object_type == object_type)
    if object_id:
        query = query.where(audit_event.c.object_id == object_id)
    query = query.order_by(audit_event.c.seq).limit(max(1, min(limit, 1000)))
    with ctx.db.read() as conn:
        return [
            {**row._asdict(), "detail": orjson.loads(row.detail)} for row in conn.execute(query)
        ]
