"""Red-list feedback (OBJ-4, Op(21)): a report that a red-listed subject is not
trustworthy, with evidence; verified by the entry's designating unit; the outcome goes to
the reporter and to the subject; a confirmed report removes the entry (`unfit_conduct`)
through the lists' one removal path, so its notices and publication follow (DIS-4).

The reporter is one of the objectors (never anonymous): a unit, a subject account, or a
person with a public account. A unit is told in its inbox, a subject account in its
notices, a public account reads the outcome on its report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, TypedDict

import sqlalchemy as sa

from creditreg.domain.access.principals import SYSTEM, Principal
from creditreg.domain.errors import Conflict, Forbidden, NotFound, Unauthenticated, parse_enum
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.events import DomainEvent
from creditreg.domain.lists.entries import EntryStatus, RemovalReason, in_force
from creditreg.domain.lists.standards import ListType
from creditreg.domain.rights.feedback import FEEDBACK, Outcome, Status, clean_evidence
from creditreg.domain.rights.objections import ObjectorKind, clean_reason
from creditreg.services.access import inbox
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.kernel.registry import Registry
from creditreg.services.lists.entry_changes import remove_rows
from creditreg.services.lists.entry_views import entry_row
from creditreg.services.lists.entry_writer import Writer
from creditreg.services.rights import notices, objectors
from creditreg.services.rights.objections import Download, Upload, check_uploads
from creditreg.services.rights.objectors import Objector
from creditreg.store.access.tables import notification
from creditreg.store.rights import objection_queries as queries
from creditreg.store.rights.objection_tables import (
    red_list_feedback,
    red_list_feedback_attachment,
)


class FeedbackAttachmentView(TypedDict):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str


class FeedbackView(TypedDict):
    id: int
    entry_id: int
    subject_id: int
    designating_unit_id: int
    reporter_kind: str
    reporter: str
    evidence: str
    status: str
    received_on: str
    outcome_reason: str | None
    decided_on: str | None
    entry_removed: bool
    attachments: list[FeedbackAttachmentView]


def _row(conn: sa.Connection, feedback_id: int) -> Any:
    row = conn.execute(
        sa.select(red_list_feedback).where(red_list_feedback.c.id == feedback_id)
    ).first()
    if row is None:
        raise NotFound("feedback.not_found", f"no red-list report {feedback_id}")
    return row


def _view(conn: sa.Connection, row: Any) -> FeedbackView:
    files = conn.execute(
        sa.select(
            red_list_feedback_attachment.c.id,
            red_list_feedback_attachment.c.filename,
            red_list_feedback_attachment.c.content_type,
            red_list_feedback_attachment.c.size,
            red_list_feedback_attachment.c.sha256,
        )
        .where(red_list_feedback_attachment.c.feedback_id == row.id)
        .order_by(red_list_feedback_attachment.c.id)
    ).all()
    return {
        "id": row.id,
        "entry_id": row.entry_id,
        "subject_id": row.subject_id,
        "designating_unit_id": row.designating_unit_id,
        "reporter_kind": row.reporter_kind,
        "reporter": row.reporter_label,
        "evidence": row.evidence,
        "status": row.status,
        "received_on": row.received_on.isoformat(),
        "outcome_reason": row.outcome_reason,
        "decided_on": row.decided_on.isoformat() if row.decided_on else None,
        "entry_removed": row.status == Status.CONFIRMED.value,
        "attachments": [
            {
                "id": f.id,
                "filename": f.filename,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
            }
            for f in files
        ],
    }


def _red_entry_in_force(conn: sa.Connection, ctx: Context, entry_id: int) -> Any:
    """The entry reported on: a red-list entry in force today, or a clear refusal."""
    try:
        row = entry_row(conn, entry_id)
    except NotFound:
        raise NotFound("feedback.entry_not_found", f"no list entry {entry_id}") from None
    if row.list_type != ListType.RED_LIST.value:
        raise Conflict(
            "feedback.not_red_list",
            f"entry {entry_id} is on the {row.list_type}: feedback is on red-list entries "
            "(Op(21)); object to other entries instead",
        )
    if row.status != EntryStatus.DESIGNATED.value or not in_force(
        row.designated_on, row.valid_until, row.removed_on, ctx.today()
    ):
        raise Conflict(
            "feedback.entry_not_in_force",
            f"red-list entry {entry_id} is {row.status}, not in force: only a designated "
            "entry in force takes feedback (Op(21))",
        )
    return row


def report(
    ctx: Context,
    reporter: Objector,
    *,
    entry_id: int,
    evidence: str,
    uploads: Sequence[Upload] = (),
) -> FeedbackView:
    """OBJ-4, Op(21): a report on a red-list entry in force, with its evidence, in one
    transaction (refused whole: nothing stored). The designating unit is told at once."""
    text = clean_evidence(evidence)
    checked = check_uploads(ctx, uploads)
    with ctx.db.write() as conn:
        entry = _red_entry_in_force(conn, ctx, entry_id)
        values = {
            "entry_id": entry.id,
            "subject_id": entry.subject_id,
            "designating_unit_id": entry.designating_unit_id,
            "reporter_kind": reporter.kind.value,
            "reporter_key": reporter.key,
            "reporter_unit_id": reporter.unit_id,
            "reporter_account_id": reporter.account_id,
            "reporter_subject_id": reporter.subject_id,
            "reporter_label": reporter.label[:200],
            "evidence": text,
            "status": Status.RECEIVED.value,
            "received_on": ctx.today(),
            "created_at": ctx.now(),
            "updated_at": ctx.now(),
        }
        try:
            with conn.begin_nested():
                feedback_id = queries.insert_feedback(conn, values)
        except sa.exc.IntegrityError:
            raise Conflict(
                "feedback.already_open",
                f"you have an open report on entry {entry.id}; wait for its outcome",
            ) from None
        if checked:
            conn.execute(
                red_list_feedback_attachment.insert(),
                [
                    {
                        "feedback_id": feedback_id,
                        "filename": a.filename,
                        "content_type": a.content_type,
                        "size": a.size,
                        "sha256": hashlib.sha256(a.content).hexdigest(),
                        "content": a.content,
                        "created_at": ctx.now(),
                    }
                    for a in checked
                ],
            )
        audit.record(
            conn,
            ctx,
            reporter.actor,
            "red_list_feedback.receive",
            "red_list_feedback",
            feedback_id,
            after={"status": Status.RECEIVED.value, "entry_id": entry.id},
        )
        inbox.tell_once(
            conn,
            ctx.now(),
            "red_list_feedback.received",
            "red_list_feedback",
            {str(feedback_id): [entry.designating_unit_id]},
            lambda f: (
                f"red-list report {f} on entry {entry.id} received {ctx.today()}: verify it "
                "promptly and decide (Op(21))"
            ),
        )
        return _view(conn, _row(conn, feedback_id))


def reporter_of(ctx: Context, principal: Principal) -> Objector:
    """The reporter a caller's principal stands for (a unit, a subject account), or
    `feedback.anonymous` (the CLI's operator without --unit)."""
    try:
        return objectors.for_principal(ctx, principal)
    except Unauthenticated:
        raise Unauthenticated(
            "feedback.anonymous",
            "a report names its reporter: a unit (act with --unit), a subject account, or a "
            "registered public account",
        ) from None


def _may_read(who: Objector, row: Any) -> bool:
    """The reporter; the designating unit; the platform."""
    if row.reporter_key == who.key:
        return True
    principal = who.principal
    if principal is None or who.kind is ObjectorKind.SUBJECT_ACCOUNT:
        return False
    if Permission.OBJECTIONS_HANDLE in principal.permissions:
        return True
    return principal.unit_id is not None and principal.unit_id == row.designating_unit_id


def get(ctx: Context, who: Objector, feedback_id: int) -> FeedbackView:
    with objectors.reading(ctx, who) as conn:
        row = _row(conn, feedback_id)
        if not _may_read(who, row):
            raise NotFound("feedback.not_found", f"no red-list report {feedback_id}")
        objectors.register_read(conn, ctx, who, [int(row.subject_id)], "red_list_feedback")
        return _view(conn, row)


def attachment(ctx: Context, who: Objector, feedback_id: int, attachment_id: int) -> Download:
    """One evidence file's bytes, to those who may read the report (the designating unit
    verifying it, Op(21); the reporter; the platform)."""
    with objectors.reading(ctx, who) as conn:
        row = _row(conn, feedback_id)
        if not _may_read(who, row):
            raise NotFound("feedback.not_found", f"no red-list report {feedback_id}")
        a = conn.execute(
            sa.select(red_list_feedback_attachment).where(
                red_list_feedback_attachment.c.id == attachment_id,
                red_list_feedback_attachment.c.feedback_id == feedback_id,
            )
        ).first()
        if a is None:
            raise NotFound("feedback.attachment_not_found", f"no attachment {attachment_id}")
        objectors.register_read(conn, ctx, who, [int(row.subject_id)], "red_list_feedback")
    return Download(a.filename, a.content_type, bytes(a.content))


def listing(ctx: Context, who: Objector, status: str | None = None) -> list[FeedbackView]:
    """The reports one may read, the oldest first: one's own; the designating unit's; all
    for the platform."""
    query = sa.select(red_list_feedback).order_by(red_list_feedback.c.id)
    if status is not None:
        query = query.where(
            red_list_feedback.c.status == parse_enum(Status, status, "feedback.bad_status").value
        )
    with objectors.reading(ctx, who) as conn:
        rows = [r for r in conn.execute(query) if _may_read(who, r)]
        objectors.register_read(
            conn, ctx, who, [int(r.subject_id) for r in rows], "red_list_feedback"
        )
        return [_view(conn, r) for r in rows]


def _tell(conn: sa.Connection, ctx: Context, row: Any, outcome: str, reason: str) -> None:
    """Op(21): the outcome goes to the reporter and to the subject."""
    matter = f"红名单信用反馈 {row.id}（名单条目 {row.entry_id}）"
    content = {
        "matter": matter,
        "outcome": outcome,
        "reasons": reason,
        "decided_on": ctx.today().isoformat(),
    }
    notices.deliver(
        conn,
        ctx,
        subject_id=int(row.subject_id),
        kind="outcome",
        content=content,
        source=("red_list_feedback", f"{row.id}:subject"),
        owner=("list_entry", str(row.entry_id)),
        unit_id=int(row.designating_unit_id),
    )
    if row.reporter_kind == ObjectorKind.UNIT.value and row.reporter_unit_id is not None:
        conn.execute(
            notification.insert().values(
                unit_id=row.reporter_unit_id,
                kind=f"red_list_feedback.{outcome}",
                object_type="red_list_feedback",
                object_id=str(row.id),
                message=f"red-list report {row.id} on entry {row.entry_id}: {outcome}: {reason}",
                created_at=ctx.now(),
            )
        )
    elif row.reporter_kind == ObjectorKind.SUBJECT_ACCOUNT.value and row.reporter_subject_id:
        notices.deliver(
            conn,
            ctx,
            subject_id=int(row.reporter_subject_id),
            kind="outcome",
            content=content,
            source=("red_list_feedback", f"{row.id}:reporter"),
            owner=("list_entry", str(row.entry_id)),
        )
    # A public account reads the outcome on its report (GET /red-list-feedback/{id}).


def decide(
    ctx: Context, principal: Principal, feedback_id: int, *, outcome: str, reason: str
) -> FeedbackView:
    """Op(21): the designating unit's verification. Confirmed: the entry is removed with
    the reason `unfit_conduct` (published where it was, DIS-4); dismissed: nothing
    changes. Both tell the reporter and the subject, with the reasons."""
    decided = parse_enum(Outcome, outcome, "feedback.bad_outcome")
    why = clean_reason(reason)
    principal.require(Permission.LISTS_DESIGNATE)
    with ctx.db.write() as conn:
        row = _row(conn, feedback_id)
        if principal.unit_id is None or principal.unit_id != row.designating_unit_id:
            raise Forbidden(
                "feedback.not_designating_unit",
                f"report {feedback_id} is verified by unit {row.designating_unit_id}, which "
                "designated the entry (Op(21))",
            )
        action = "confirm" if decided is Outcome.CONFIRMED else "dismiss"
        after = FEEDBACK.next(row.status, action)
        queries.set_feedback_status(
            conn,
            [row.id],
            after,
            ctx.now(),
            outcome_reason=why,
            decided_on=ctx.today(),
            decided_by=principal.actor,
        )
        audit.record(
            conn,
            ctx,
            principal,
            f"red_list_feedback.{action}",
            "red_list_feedback",
            row.id,
            before={"status": row.status},
            after={"status": after},
        )
        _tell(conn, ctx, row, decided.value, why)
        if decided is Outcome.CONFIRMED:
            entry = entry_row(conn, int(row.entry_id))
            w = Writer(conn, ctx, principal)
            remove_rows(
                w, [entry], RemovalReason.UNFIT_CONDUCT, note=f"red-list report {row.id}: {why}"
            )
            w.flush()  # the removal's event closes the entry's other open reports
        return _view(conn, _row(conn, feedback_id))


def _entry_removed(conn: sa.Connection, ctx: Context, batch: Sequence[DomainEvent]) -> None:
    """An entry removed (a confirmed report, expiry, blacklisting ...): its open reports
    are closed, and their reporters and subject told."""
    for e in batch:
        entry_id = int(e.payload["entry_id"])
        rows = conn.execute(
            sa.select(red_list_feedback).where(
                red_list_feedback.c.entry_id == entry_id,
                red_list_feedback.c.status == Status.RECEIVED.value,
            )
        ).all()
        if not rows:
            continue
        why = f"entry removed: {e.payload.get('reason', '')}"
        for row in rows:
            FEEDBACK.next(row.status, "close")
        queries.set_feedback_status(
            conn,
            [r.id for r in rows],
            Status.CLOSED.value,
            ctx.now(),
            outcome_reason=why,
            decided_on=ctx.today(),
            decided_by=SYSTEM.actor,
        )
        for row in rows:
            _tell(conn, ctx, row, Status.CLOSED.value, why)


def erase_of_entry(conn: sa.Connection, entry_id: str) -> list[tuple[str, str]]:
    """Op(20): an entry deleted in error takes its reports with it (the notices about
    them are the entry's, erased by the notices' eraser)."""
    ids = list(
        conn.execute(
            sa.select(red_list_feedback.c.id).where(red_list_feedback.c.entry_id == int(entry_id))
        ).scalars()
    )
    if not ids:
        return []
    conn.execute(
        red_list_feedback_attachment.delete().where(
            red_list_feedback_attachment.c.feedback_id.in_(ids)
        )
    )
    conn.execute(red_list_feedback.delete().where(red_list_feedback.c.id.in_(ids)))
    return [("red_list_feedback", str(i)) for i in ids]


def register(registry: Registry) -> None:
    registry.subscribe("list_entry.removed", _entry_removed)
    registry.on_erase("list_entry", erase_of_entry)
