"""The rights context's timers: record-restoration applications past their Art 43
deadline are flagged to the platform operator and, when applied to a providing unit, to
that unit; printed notices long undelivered, to the unit that delivers them (SEC-5,
Art 65). Registered with the kernel's sweep runner at bootstrap."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from creditreg.domain.lists.entries import EntryStatus
from creditreg.domain.rights.record_restoration import ApplicationStatus, Decider
from creditreg.services.access import inbox
from creditreg.services.kernel.sweep import StepRun, SweepSteps
from creditreg.store.access.tables import notification
from creditreg.store.lists.tables import list_entry
from creditreg.store.records.tables import record
from creditreg.store.rights.tables import record_restoration, subject_notice

# SEC-5, Art 65: a printed notice not recorded as delivered this many days after it was
# issued is told (the seeds set no time for delivery; a written notice's window, and so the
# designation, wait for it).
UNDELIVERED_DAYS = 10
PASS_LIMIT = 500  # notices a pass tells of (the next pass takes the rest)
UNDELIVERED = "subject_notice.undelivered"
WRITTEN_NOTICE = "written_notice"  # the notice before a designation (LST-2)


def register_sweep_steps(steps: SweepSteps) -> None:
    """After the lists steps (20-56), before overdue verifications (60)."""
    steps.register("overdue_record_restorations", _overdue_record_restorations, order=58)
    steps.register("undelivered_notices", _undelivered_notices, order=59)


def _undelivered_notices(run: StepRun) -> None:
    """LST-2, SEC-5, Art 28: a printed notice still undelivered after UNDELIVERED_DAYS is
    told once to the unit that delivers it (and the platform). The written notice of a
    planned entry holds up its procedure while the entry waits; any other (a designation,
    a removal, an objection's outcome) is the subject's only word of the decision."""
    since = run.ctx.today() - timedelta(days=UNDELIVERED_DAYS)
    waiting = sa.and_(
        list_entry.c.window_due.is_(None),
        sa.or_(
            list_entry.c.status == EntryStatus.NOTIFIED.value,
            list_entry.c.suspended_from == EntryStatus.NOTIFIED.value,
        ),
    )
    with run.write() as conn:
        rows = conn.execute(
            sa.select(
                subject_notice.c.id,
                subject_notice.c.unit_id,
                subject_notice.c.issued_on,
                subject_notice.c.kind,
            )
            .outerjoin(
                list_entry,
                sa.and_(
                    subject_notice.c.owner_type == "list_entry",
                    list_entry.c.id == sa.cast(subject_notice.c.owner_id, list_entry.c.id.type),
                ),
            )
            .where(
                subject_notice.c.delivered_on.is_(None),
                subject_notice.c.unit_id.is_not(None),
                # A written notice matters while its entry's window waits for it; once the
                # entry has gone another way, the notice is moot.
                sa.or_(subject_notice.c.kind != WRITTEN_NOTICE, waiting),
                subject_notice.c.issued_on < since,
                ~sa.exists().where(
                    notification.c.kind == UNDELIVERED,
                    notification.c.object_type == "subject_notice",
                    notification.c.object_id == sa.cast(subject_notice.c.id, sa.String),
                ),
            )
            .order_by(subject_notice.c.id)
            .limit(PASS_LIMIT)
        ).all()
        of = {str(r.id): r for r in rows}
        told = inbox.tell_once(
            conn,
            run.ctx.now(),
            UNDELIVERED,
            "subject_notice",
            {str(r.id): (r.unit_id,) for r in rows},
            lambda n: (
                f"printed notice {n} ({of[n].kind}), issued {of[n].issued_on}, is not recorded "
                "as delivered: "
                + (
                    "the procedure waits for its delivery (Art 28)"
                    if of[n].kind == WRITTEN_NOTICE
                    else "the subject has not been told of the decision (Art 28)"
                )
            ),
        )
        if told:
            run.add("notices_undelivered", len(told))


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
