"""The records context's timers: archiving at the end of display (DIS-2) and telling
the platform of overdue verifications (ING-2).

Registered with the kernel's sweep runner at bootstrap (`register_sweep_steps`).
"""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from creditreg.domain.access.principals import SYSTEM, Principal
from creditreg.services.access import inbox
from creditreg.services.kernel import audit
from creditreg.services.kernel.sweep import StepRun, SweepSteps
from creditreg.services.records import lifecycle, records
from creditreg.store.records import queries
from creditreg.store.records.tables import record


def register_sweep_steps(steps: SweepSteps) -> None:
    """Archiving first (10) and overdue verifications last (60), around the lists steps
    (20-50): the order a pass has always run them in."""
    steps.register("ingest_staging", _staging, order=5)
    steps.register("record_archiving", _archiving, order=10)
    steps.register("overdue_verifications", _overdue_verifications, order=60)


def _staging(run: StepRun) -> None:
    """Issue 9: the staging rows an ingest left behind, a short transaction at a time: a
    staging batch whose heartbeat stopped (the process was killed) is discarded, and a
    published batch's leftover staging rows are deleted. Nothing of either was visible."""
    for batch_id in records.abandoned_batches(run.ctx):
        records.clean_staging(run.ctx, batch_id, write=run.write)
        with run.write() as conn:
            if not queries.delete_staging_batch(conn, batch_id):
                run.add("staging_leftovers_cleaned")
                continue
            audit.record(
                conn,
                run.ctx,
                run.actor,
                "records.batch_discarded",
                "ingest_batch",
                batch_id,
                detail={"reason": "abandoned"},
            )
            run.add("staging_batches_discarded")


def _archiving(run: StepRun) -> None:
    """DIS-2, Art 19: archive what is due, in the step's transaction (lease renewed)."""
    actor = run.actor
    principal = (
        actor
        if isinstance(actor, Principal)
        # The kernel's runner hands on an Actor; give a bare one the platform's scope.
        else replace(
            SYSTEM, actor=actor.actor, unit_id=actor.unit_id, permissions=actor.permissions
        )
    )
    with run.write():
        run.add("records_archived", lifecycle.archive_due(run.ctx, principal))


def _overdue_verifications(run: StepRun) -> None:
    """ING-2: the platform operator is told once of each batch whose verification is late."""
    ctx = run.ctx
    today = ctx.today()
    with run.write() as conn:
        batches = list(
            conn.execute(
                sa.select(record.c.batch_id)
                .where(
                    record.c.status == "received",
                    record.c.verify_due < today,
                    record.c.batch_id.is_not(None),
                )
                .distinct()
            ).scalars()
        )
        if not batches:
            return
        fresh = inbox.tell_once(
            conn,
            ctx.now(),
            "verification.overdue",
            "ingest_batch",
            {str(b): () for b in batches},
            lambda b: f"batch {b}: verification is past its Art 17 deadline",
        )
        if fresh:
            run.add("overdue_batches", len(fresh))
