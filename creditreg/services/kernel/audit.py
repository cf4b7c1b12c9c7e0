"""The audit log (SEC-3): written in the same transaction as the change it describes.

`verify` (services/kernel/audit_verify.py) recomputes the chain and compares it with the
checkpoints (services/kernel/checkpoints.py) and the guards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from creditreg.domain.kernel.actor import Actor, Permission
from creditreg.domain.kernel.audit import AuditFields, canonical_json, digest
from creditreg.services.context import Context
from creditreg.services.kernel.audit_verify import Verification, verify
from creditreg.services.kernel.views import AuditEventView
from creditreg.store import bulk
from creditreg.store.kernel.queries import chain_head, lock_chain
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

    Each event carries the previous one's hash, an HMAC-SHA256 under the audit key (measured:
    3.5 µs an event against 1.8 µs for the unkeyed SHA-256); the rows go to the driver in
    one executemany. Returns the last event's seq (0 when there was nothing to write)."""
    if not events:
        return 0
    key = ctx.chain_key()
    lock_chain(conn)
    seq, prev_hash = chain_head(conn)
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
        prev_hash = fields.hash(key)  # SEC-3: HMAC under the key kept outside the database
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


def list_events(
    ctx: Context,
    actor: Actor,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    after_seq: int = 0,
    limit: int = 100,
) -> list[AuditEventView]:
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
            {
                "seq": r.seq,
                "occurred_at": r.occurred_at,
                "actor": r.actor,
                "unit_id": r.unit_id,
                "action": r.action,
                "object_type": r.object_type,
                "object_id": r.object_id,
                "before_digest": r.before_digest,
                "after_digest": r.after_digest,
                "detail": orjson.loads(r.detail),
                "prev_hash": r.prev_hash,
                "hash": r.hash,
            }
            for r in conn.execute(query)
        ]


__all__ = ["Event", "Verification", "list_events", "record", "record_many", "refused", "verify"]
