"""The audit log (SEC-3): written in the same transaction as the change it describes."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from creditreg.domain.access import Permission, Principal
from creditreg.domain.audit import (
    GENESIS_HASH,
    AuditFields,
    ChainBreak,
    canonical_json,
    digest,
    verify_chain,
)
from creditreg.services.context import Context
from creditreg.store.tables import audit_event

# A constant key for PostgreSQL's transaction-level advisory lock on the chain's tail.
_CHAIN_LOCK = 7_301_2026


def record(
    conn: sa.Connection,
    ctx: Context,
    principal: Principal,
    action: str,
    object_type: str,
    object_id: str | int,
    *,
    before: Any = None,
    after: Any = None,
    detail: Mapping[str, Any] | None = None,
) -> int:
    """Append one event to the chain inside the caller's transaction; returns its seq."""
    if conn.dialect.name == "postgresql":
        # Serialise appends: each event must see the one before it.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    # (On SQLite the write transaction already holds the database's write lock.)
    last = conn.execute(
        sa.select(audit_event.c.seq, audit_event.c.hash).order_by(audit_event.c.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS_HASH)
    fields = AuditFields(
        seq=seq,
        occurred_at=ctx.now().isoformat(),
        actor=principal.actor,
        unit_id=principal.unit_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before_digest=digest(before) if before is not None else None,
        after_digest=digest(after) if after is not None else None,
        detail=dict(detail or {}),
        prev_hash=prev_hash,
    )
    conn.execute(
        audit_event.insert().values(
            seq=fields.seq,
            occurred_at=fields.occurred_at,
            actor=fields.actor,
            unit_id=fields.unit_id,
            action=fields.action,
            object_type=fields.object_type,
            object_id=fields.object_id,
            before_digest=fields.before_digest,
            after_digest=fields.after_digest,
            detail=canonical_json(fields.detail).decode(),
            prev_hash=fields.prev_hash,
            hash=fields.hash(),
        )
    )
    return seq


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
    principal: Principal,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    after_seq: int = 0,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Events in order, optionally for one object; paged by seq."""
    principal.require(Permission.AUDIT_READ)
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
