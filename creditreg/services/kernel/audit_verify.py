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

import orjson
import sqlalchemy as sa

from creditreg.domain.kernel.audit import AuditFields, ChainBreak, ChainCheck
from creditreg.domain.kernel.checkpoints import (
    CHAIN_BROKEN,
    KEY_MISMATCH,
    TRIGGER_ALTERED,
    TRIGGER_DISABLED,
    TRIGGER_MISSING,
    ChainSeen,
    FileSeen,
    Finding,
    check,
    start_of,
    summarised,
)
from creditreg.services.context import Context
from creditreg.store.kernel import checkpoint_file, guards
from creditreg.store.kernel import queries as kernel_queries
from creditreg.store.kernel.tables import audit_event

_GUARD_FINDINGS = {
    guards.GuardState.MISSING: (TRIGGER_MISSING, "is missing"),
    guards.GuardState.DISABLED: (TRIGGER_DISABLED, "is disabled"),
    guards.GuardState.ALTERED: (TRIGGER_ALTERED, "was changed (it may no longer refuse)"),
}


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

    Read in this order so that a checkpoint written meanwhile is no finding: the file
    first (each of its entries was committed to the database before it was appended), the
    database's checkpoints, the chain, then the file again (a checkpoint the database
    held before the chain was read has reached the file by then, unless it never will)."""
    key = ctx.chain_key()
    path = ctx.audit_checkpoint_file
    before = checkpoint_file.read(path) if path else None
    with ctx.db.read() as conn:
        found_guards = guards.inspect(conn)
        stored = kernel_queries.checkpoints(conn)
        start = start_of(stored)
        chain = ChainCheck(key, keyed_after=start.seq if start else 0)
        wanted = {c.seq for c in stored} | {c.seq for c in (before.entries if before else ())}
        hashes: dict[int, str] = {}
        with closing(_events(conn)) as events:
            # closing(): a break must still close the server-side cursor.
            for fields, stored_hash in events:
                chain.add(fields, stored_hash)
                if fields.seq in wanted:
                    hashes[fields.seq] = stored_hash
    after = checkpoint_file.read(path) if path else None
    seen_file = None
    if path is not None and before is not None and after is not None:
        seen_file = FileSeen(
            str(path),
            before.exists,
            before.entries,
            before.invalid_lines,
            after.entries,
            before.error or after.error,
        )
    findings = check(key, stored, ChainSeen(chain.last_seq, hashes), seen_file)
    if chain.broken is not None and not any(f.code == KEY_MISMATCH for f in findings):
        broken = chain.broken
        findings.insert(
            0,
            Finding(
                CHAIN_BROKEN,
                f"audit chain broken at event {broken.seq}: {broken.reason} "
                f"({chain.checked} events before it are intact)",
            ),
        )
    for guard in found_guards:
        if guard.state in _GUARD_FINDINGS:
            code, said = _GUARD_FINDINGS[guard.state]
            findings.append(
                Finding(
                    code,
                    f"the trigger {guard.guard.name} keeping {guard.guard.table} append-only "
                    f"{said}: run 'creditreg db upgrade' to restore it",
                )
            )
    return Verification(
        checked=chain.checked,
        broken=chain.broken,
        # Guards are named one by one (there are few); the rest once per code.
        findings=summarised(f for f in findings if not f.code.startswith("audit.trigger_"))
        + [f for f in findings if f.code.startswith("audit.trigger_")],
        last_seq=chain.last_seq,
        unkeyed_until=start.seq if start else 0,
        checkpoints=len(stored),
        newest_checkpoint_seq=stored[-1].seq if stored else None,
        file=str(path) if path else None,
        file_entries=len(after.entries) if after and after.exists else None,
        triggers=len(found_guards),
    )


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
                    detail=orjson.loads(row.detail),
                    prev_hash=row.prev_hash,
                ),
                row.hash,
            )
