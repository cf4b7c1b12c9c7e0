"""Domain events and the transactional outbox (issue 8).

`emit` writes events in the caller's transaction and hands them to the in-process
subscribers that contexts registered at bootstrap; a subscriber that raises rolls the
whole change back (a withdrawal revokes its entries atomically, ING-7). Outbox consumers
(webhooks, federation, feeds) read afterwards through durable cursors: at-least-once, in
commit order, and their failures never touch the change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.actor import Actor, Permission
from creditreg.domain.kernel.audit import digest
from creditreg.domain.kernel.events import DomainEvent
from creditreg.services.context import Context
from creditreg.store.fast import decode_json, decode_utc
from creditreg.store.kernel import queries

MAX_PAGE = 1000
_CONSUMER_NAME = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


def emit(conn: sa.Connection, ctx: Context, events: Sequence[DomainEvent]) -> None:
    """Write `events` to the outbox and run their subscribers, in this transaction."""
    if not events:
        return
    queries.lock_chain(conn)
    now = ctx.now()
    queries.insert_events(
        conn,
        [
            (e.kind, e.object_type, e.object_id, dict(e.payload), now, digest(e.payload))
            for e in events
        ],
    )
    by_kind: dict[str, list[DomainEvent]] = {}
    for e in events:
        by_kind.setdefault(e.kind, []).append(e)
    for kind, batch in by_kind.items():
        for subscriber in ctx.registry.subscribers.get(kind, ()):
            subscriber(conn, ctx, batch)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as the outbox holds it; `position` is the cursor value after it."""

    position: int
    kind: str
    object_type: str
    object_id: str
    payload: dict[str, Any]
    payload_digest: str | None
    occurred_at: datetime
    purged: bool


def _stored(row: Any) -> StoredEvent:
    occurred = decode_utc(row.occurred_at)
    assert occurred is not None
    return StoredEvent(
        position=int(row.id),
        kind=row.kind,
        object_type=row.object_type,
        object_id=row.object_id,
        payload=dict(decode_json(row.payload) or {}),
        payload_digest=row.payload_digest,
        occurred_at=occurred,
        purged=row.purged_at is not None,
    )


@dataclass(frozen=True, slots=True)
class Page:
    """Events after a cursor, and the cursor to ask from next."""

    events: list[StoredEvent]
    next: int


def page(ctx: Context, actor: Actor, after: int = 0, limit: int = 100) -> Page:
    """The platform operator's view of the outbox: events after `after`, in order."""
    actor.require(Permission.AUDIT_READ)
    if after < 0:
        raise InvalidInput("event.bad_cursor", "a cursor is 0 or a position given before")
    limit = max(1, min(limit, MAX_PAGE))
    with ctx.db.read() as conn:
        rows = [_stored(r) for r in queries.events_after(conn, after, limit)]
    return Page(rows, rows[-1].position if rows else after)


def _check_name(consumer: str) -> str:
    if not consumer or len(consumer) > 80 or not set(consumer) <= _CONSUMER_NAME:
        raise InvalidInput(
            "event.bad_consumer", "a consumer name is 1-80 of a-z, 0-9, '.', '_' and '-'"
        )
    return consumer


def position(ctx: Context, consumer: str) -> int:
    """Where a consumer's durable cursor stands."""
    with ctx.db.read() as conn:
        return queries.cursor_position(conn, _check_name(consumer))


def pending(ctx: Context, consumer: str, limit: int = 100) -> list[StoredEvent]:
    """The next events a consumer has not finished with (at-least-once: until `ack`)."""
    limit = max(1, min(limit, MAX_PAGE))
    with ctx.db.read() as conn:
        at = queries.cursor_position(conn, _check_name(consumer))
        return [_stored(r) for r in queries.events_after(conn, at, limit)]


def pending_in(conn: sa.Connection, consumer: str, limit: int = 100) -> list[StoredEvent]:
    """`pending`, inside the caller's transaction: a consumer whose work is itself a write
    (notices to units) reads, works and `ack_in`s in one transaction, so that a crash
    between the work and the ack can neither lose nor repeat it."""
    limit = max(1, min(limit, MAX_PAGE))
    at = queries.cursor_position(conn, _check_name(consumer))
    return [_stored(r) for r in queries.events_after(conn, at, limit)]


def ack_in(conn: sa.Connection, ctx: Context, consumer: str, upto: int) -> None:
    """`ack`, inside the caller's transaction."""
    queries.advance_cursor(conn, _check_name(consumer), upto, ctx.now())


def ack(ctx: Context, consumer: str, upto: int) -> None:
    """The consumer has finished with every event up to `upto` (durable, never backwards)."""
    with ctx.db.write() as conn:
        queries.advance_cursor(conn, _check_name(consumer), upto, ctx.now())


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one pass of a consumer did."""

    delivered: int
    position: int
    failed_at: int | None = None
    error: str | None = None


def deliver(
    ctx: Context, consumer: str, handle: Callable[[StoredEvent], None], limit: int = 100
) -> Delivery:
    """One pass of an outbox consumer: hand each pending event to `handle`, in order,
    advancing the durable cursor after each success. A failure stops the pass and leaves
    the cursor before the failed event, which the next pass hands over again."""
    delivered = 0
    at = position(ctx, consumer)
    for event in pending(ctx, consumer, limit):
        try:
            handle(event)
        except Exception as exc:  # the consumer's failure never touches the change
            return Delivery(delivered, at, event.position, f"{type(exc).__name__}: {exc}")
        ack(ctx, consumer, event.position)
        at = event.position
        delivered += 1
    return Delivery(delivered, at)


def erase(conn: sa.Connection, ctx: Context, object_type: str, object_id: str) -> int:
    """Op(20): an object deleted in error is not kept. Each context's eraser deletes the
    rows the object owns; the outbox keeps the ids, kinds, times and digests of its events
    (and of what it owned) and loses their payloads. Returns how many payloads were purged.
    The audit chain is not touched: its events of such objects hold ids, statuses and
    digests only (see services/lists/entry_writer.py)."""
    objects = [(object_type, object_id)]
    for eraser in ctx.registry.erasers.get(object_type, ()):
        objects += eraser(conn, object_id)
    queries.delete_deadlines(conn, objects)
    return queries.purge_events(conn, objects, ctx.now())
