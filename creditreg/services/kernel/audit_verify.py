"""`creditreg audit verify` (SEC-3): is the audit log what was written, all of it?

Four things are compared, and each kind of damage is a finding with its code:
- the chain recomputes under the key (the unkeyed segment before checkpoint 1 with plain
  SHA-256): an edit, an insertion, a removal inside the chain (`audit.chain_broken`);
- every checkpoint in the database is signed under the key and matches the chain at its
  event: a chain rewritten after a checkpoint (`audit.checkpoint_mismatch`), its newest
  events deleted (`audit.chain_truncated`), checkpoints deleted or forged;
- the file outside the database holds the same checkpoints: what was deleted from the
  database together with its checkpoints still shows there;
- the triggers that keep the audit tables append-only are there and enabled.

What it cannot see is said in the README's security section.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from creditreg.domain.kernel.audit import AuditFields, ChainBreak, ChainCheck
from creditreg.domain.kernel.checkpoints import (
    Checkpoint,
    Finding,
    Review,
)
from creditreg.services.context import Context
from creditreg.store.kernel import checkpoint_file, guards
from creditreg.store.kernel import queries as kernel_queries
from creditreg.store.kernel.tables import audit_event


@dataclass(frozen=True)
class Verification:
    """The outcome: what was checked, and every finding (none: the log is intact)."""

    checked: int
    broken: ChainBreak | None
    findings: list[Finding] = field(default_factory=list)
    last_seq: int = 0
    # Events up to this seq are the unkeyed segment written before the chain was keyed.
    unkeyed_until: int = 0
    checkpoints: int = 0
    newest_checkpoint_seq: int | None = None
    file: str | None = None
    file_entries: int | None = None
    triggers: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings


def verify(ctx: Context) -> Verification:
    """Recompute the chain and compare it with the checkpoints, the file and the guards.

    Streamed: the memory it takes grows with the number of checkpoints by a signature
    each, not with the chain. The database's checkpoints and the chain are read in one
    transaction (checkpoints first: every event one names was committed before it); the
    file after it, and the database asked again for a line that does not match (it may
    have been written since); the file once more for a checkpoint it lacks (it may have
    been committed but not yet appended)."""
    key = ctx.chain_key()
    review = Review(key)
    with ctx.db.read() as conn:
        found_guards = guards.inspect(conn)
        with closing(kernel_queries.checkpoints_with_heads(conn)) as stored:
            for checkpoint, hash_at_seq in stored:
                review.stored(checkpoint, hash_at_seq)
        start = review.start
        chain = ChainCheck(key, keyed_after=start.seq if start else 0)
        with closing(_events(conn)) as events:
            # closing(): a break must still close the server-side cursor.
            for fields, stored_hash in events:
                chain.add(fields, stored_hash)
    review.chain_ends(chain.last_seq)
    path = ctx.audit_checkpoint_file
    if path is not None:
        _review_file(ctx, review, path)
    if chain.broken is not None:
        review.chain_broken(chain.broken, chain.checked)
    for found in found_guards:
        review.trigger(found.guard.name, found.guard.table, found.state.value)
    return Verification(
        checked=chain.checked,
        broken=chain.broken,
        findings=review.findings(),
        last_seq=chain.last_seq,
        unkeyed_until=start.seq if start else 0,
        checkpoints=review.count,
        newest_checkpoint_seq=review.newest.seq if review.newest else None,
        file=str(path) if path else None,
        file_entries=review.file_entries if path and path.exists() else None,
        triggers=len(found_guards),
    )


class _Now:
    """The database as it is now, for the review's questions about the file's lines."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def checkpoint(self, number: int) -> Checkpoint | None:
        return kernel_queries.checkpoint(self.conn, number)

    def hash_at(self, seq: int) -> str | None:
        return kernel_queries.event_hash(self.conn, seq)

    def last_seq(self) -> int:
        return kernel_queries.chain_head(self.conn)[0]


def _review_file(ctx: Context, review: Review, path: Path) -> None:
    where = str(path)
    try:
        with ctx.db.read() as conn, closing(checkpoint_file.lines(path)) as lines:
            now = _Now(conn)
            for line, entry in lines:
                if entry is None:
                    review.file_invalid_line(where, line)
                else:
                    review.file_entry(where, entry, now)
        if review.file_lacks():
            with closing(checkpoint_file.lines(path)) as again:
                review.file_reread(where, (e.number for _, e in again if e is not None))
    except FileNotFoundError:
        review.file_missing(where)
    except OSError as exc:
        review.file_unreadable(where, str(exc.strerror or exc))


def _events(conn: sa.Connection) -> Generator[tuple[AuditFields, str]]:
    with conn.execution_options(yield_per=5000).execute(
        sa.select(audit_event).order_by(audit_event.c.seq)
    ) as result:
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
                    detail=_detail(row.detail),
                    prev_hash=row.prev_hash,
                ),
                row.hash,
            )


def _detail(stored: Any) -> dict[str, Any]:
    """An event's detail as the chain hashed it: a JSON object. Stored text that is not one
    was altered outside the platform: it is kept as the text it is, so that its event's
    hash fails to match and the chain is reported broken there, like any other edit."""
    try:
        value = orjson.loads(stored)
    except (orjson.JSONDecodeError, TypeError):
        return {"unreadable detail": str(stored)}
    return value if isinstance(value, dict) else {"unreadable detail": str(stored)}
