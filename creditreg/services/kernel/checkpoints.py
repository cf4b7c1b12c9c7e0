"""Checkpoints of the audit chain's head (SEC-3): at every sweep and on demand, in the
database and in the file outside it (domain/kernel/checkpoints.py says what they prove).

A checkpoint is written in a transaction that holds the chain's lock, so its event is the
head when it commits. It is copied to the file after the commit: a copy can then never
name a checkpoint the database does not hold, and a copy that failed (a full disk, an
unreachable share) is made up by the next one, which appends whatever the file lacks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from creditreg.domain.errors import Conflict
from creditreg.domain.kernel.actor import Actor, Permission
from creditreg.domain.kernel.audit import ChainKey
from creditreg.domain.kernel.checkpoints import (
    Checkpoint,
    CheckpointKind,
    new_checkpoint,
)
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.kernel.sweep import StepRun, SweepSteps
from creditreg.store.kernel import checkpoint_file
from creditreg.store.kernel import queries as kernel_queries

log = logging.getLogger("creditreg.audit")

# Last in a pass, so that the checkpoint covers what the other steps wrote.
SWEEP_ORDER = 1000
# Checkpoints copied to the file per query (a new file may need every one).
_CHUNK = 5000


@dataclass(frozen=True)
class FileCopy:
    """Where the checkpoints were copied, and why not, if they could not be."""

    file: str | None
    error: str | None = None

    @property
    def written(self) -> bool:
        return self.file is not None and self.error is None


@dataclass(frozen=True)
class Written:
    """A checkpoint written to the database, and its copy to the file."""

    checkpoint: Checkpoint
    copy: FileCopy


def take(ctx: Context, actor: Actor) -> Written:
    """An operator's checkpoint (`creditreg audit checkpoint`, the API): an audit event
    saying who asked, then the head, which is that event."""
    actor.require(Permission.AUDIT_READ)
    key = ctx.chain_key()
    with ctx.db.write() as conn:
        kernel_queries.lock_chain(conn)
        number = _next_number(conn)
        audit.record(conn, ctx, actor, "audit.checkpoint", "audit_checkpoint", number)
        checkpoint = _write(conn, ctx, key, number, CheckpointKind.OPERATOR, actor.actor)
    return Written(checkpoint, copy_to_file(ctx))


def checkpoints(
    ctx: Context, actor: Actor, *, after: int = 0, limit: int = 100
) -> list[Checkpoint]:
    """The stored checkpoints numbered above `after`, in order (to keep copies elsewhere)."""
    actor.require(Permission.AUDIT_READ)
    with ctx.db.read() as conn:
        return kernel_queries.checkpoints(conn, after, max(1, min(limit, 1000)))


def copy_to_file(ctx: Context) -> FileCopy:
    """Append to the file every checkpoint the database holds after the file's last one
    (only those signed under the key: a forged row is never copied into the file)."""
    path = ctx.audit_checkpoint_file
    if path is None:
        return FileCopy(None)
    key = ctx.chain_key()
    try:
        with checkpoint_file.appending(path) as file, ctx.db.read() as conn:
            last = file.last_number() or 0
            newest = kernel_queries.last_checkpoint(conn)
            if newest is not None and last > newest.number:
                log.error(
                    "audit: %s ends at checkpoint %d but the database's newest is %d: "
                    "checkpoints were deleted from the database (creditreg audit verify)",
                    path,
                    last,
                    newest.number,
                )
                last = newest.number - 1  # keep mirroring; the file keeps the evidence
            copied = 0
            while chunk := kernel_queries.checkpoints(conn, last, _CHUNK):
                signed = [c for c in chunk if c.signed_by(key)]
                file.append(signed)
                copied += len(signed)
                last = chunk[-1].number
            if copied > 1:
                log.warning("audit: %s lacked %d checkpoints; copied them", path, copied - 1)
    except OSError as exc:
        reason = f"cannot append to the checkpoint file {path}: {exc.strerror or exc}"
        log.error("audit: %s", reason)
        return FileCopy(str(path), reason)
    return FileCopy(str(path))


def register_sweep_steps(steps: SweepSteps) -> None:
    """The kernel's own timer: a checkpoint at every pass that finds the head moved."""
    steps.register("audit_checkpoint", _at_sweep, order=SWEEP_ORDER)


def _at_sweep(run: StepRun) -> None:
    """A pass with nothing new since the last checkpoint writes none (an idle install's
    tables and file do not grow), but still copies what the file lacks."""
    key = run.ctx.chain_key()
    with run.write() as conn:
        kernel_queries.lock_chain(conn)
        last = kernel_queries.last_checkpoint(conn)
        if last is None:
            log.error("audit: no checkpoint in the database, not even the start: not writing one")
        elif kernel_queries.chain_head(conn)[0] != last.seq:
            _write(conn, run.ctx, key, last.number + 1, CheckpointKind.SWEEP, run.actor.actor)
    copy_to_file(run.ctx)


def _next_number(conn: sa.Connection) -> int:
    last = kernel_queries.last_checkpoint(conn)
    if last is None:
        # Checkpoint 1 is written by migration 0012 with the start of the keyed chain; a
        # new "first" checkpoint now would vouch for whatever the chain has become.
        raise Conflict(
            "audit.start_missing",
            "the database holds no audit checkpoint, not even the start of the keyed chain "
            "(checkpoint 1): they were deleted; run 'creditreg audit verify'",
        )
    return last.number + 1


def _write(
    conn: sa.Connection, ctx: Context, key: ChainKey, number: int, kind: CheckpointKind, actor: str
) -> Checkpoint:
    """Sign and store the head as checkpoint `number` (the caller holds the chain's lock)."""
    seq, head_hash = kernel_queries.chain_head(conn)
    checkpoint = new_checkpoint(
        key,
        number=number,
        seq=seq,
        head_hash=head_hash,
        created_at=ctx.now().isoformat(),
        kind=kind,
        actor=actor,
    )
    kernel_queries.insert_checkpoint(conn, checkpoint)
    return checkpoint
