"""The rights context's timers: record-restoration applications past their Art 43
deadline are flagged to the platform operator and, when applied to a providing unit, to
that unit (SEC-5, Art 65). Registered with the kernel's sweep runner at bootstrap."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.domain.rights.record_restoration import ApplicationStatus, Decider
from creditreg.services.access import inbox
from creditreg.services.kernel.sweep import StepRun, SweepSteps
from creditreg.store.records.tables import record
from creditreg.store.rights.tables import record_restoration


def register_sweep_steps(steps: SweepSteps) -> None:
    """After the lists steps (20-56), before overdue verifications (60)."""
    steps.register("overdue_record_restorations", _overdue_record_restorations, order=58)


def _overdue_record_restorations(run: StepRun) -> None:
    """RST-7, Art 43: an application still undecided after its 1 working day is told once."""
    today = run.ctx.today()
    with run.write() as conn:
        rows = conn.execute(
            sa.select(
                record_restoration.c.id,
                record_restoration.c.decider,
                record.c.providing_unit_id,
            )
            .join(record, record.c.id == record_restoration.c.record_id)
            .where(
                record_restoration.c.status == ApplicationStatus.APPLIED.value,
                record_restoration.c.due_date < today,
            )
        ).all()
        owners = {
            str(r.id): (r.providing_unit_id,) if r.decider == Decider.PROVIDER else () for r in rows
        }
        told = inbox.tell_once(
            conn,
            run.ctx.now(),
            "record_restoration.overdue",
            "record_restoration",
            owners,
            lambda a: f"record restoration application {a} is past its Art 43 deadline",
        )
        if told:
            run.add("record_restorations_overdue", len(told))
