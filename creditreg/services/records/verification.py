"""The platform's data verification within 5 working days (ING-2, Art 17), and the
providers' inbox of notifications."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.access.query_register import QueryPurpose
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.records.lifecycle import RecordAction, RecordStatus
from creditreg.services.access import query_register
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.records import lifecycle
from creditreg.services.records.views import (
    NotificationView,
    PendingRecordView,
    RecordView,
)
from creditreg.store.access.tables import notification
from creditreg.store.kernel.tables import deadline
from creditreg.store.records.tables import catalog_item, pledge, record


def _record_dict(row: Any, marked: bool = False) -> RecordView:
    return {
        "id": row.id,
        "catalog_item_id": row.catalog_item_id,
        "subject_id": row.subject_id,
        "providing_unit_id": row.providing_unit_id,
        "batch_id": row.batch_id,
        "status": row.status,
        "self_declared": row.self_declared,
        "character": row.character,
        "disclosure": row.disclosure,
        "decision_date": row.decision_date.isoformat() if row.decision_date else None,
        "received_at": row.received_at.isoformat(),
        "verify_due": row.verify_due.isoformat(),
        "verified_at": row.verified_at.isoformat() if row.verified_at else None,
        "returned_reasons": row.returned_reasons,
        "untrustworthy_class": row.untrustworthy_class,
        "serious_class": row.serious_class,
        "severity": row.severity,
        # ING-5: an Art 20(2) punishment counts from this day (review period passed or upheld).
        "untrustworthy_from": (row.final_on or row.decision_date).isoformat()
        if row.untrustworthy_class and (row.final_on or row.decision_date)
        else None,
        "review_outcome": row.review_outcome,
        # ING-4: why it may never ground joint disciplinary action.
        "discipline_block": row.discipline_block,
        "usable_for_discipline": row.discipline_block is None,
        "display_until": row.display_until.isoformat() if row.display_until else None,
        "archived_at": row.archived_at.isoformat() if row.archived_at else None,
        "archive_reason": row.archive_reason,
        "withdrawn_at": row.withdrawn_at.isoformat() if row.withdrawn_at else None,
        "withdraw_reason": row.withdraw_reason,
        "data": row.data,
        # OBJ-1, Art 41: the objection indicator while an objection to it is open.
        "under_objection": marked,
    }


def get(
    ctx: Context,
    principal: Principal,
    record_id: int,
    purpose: QueryPurpose = query_register.DUTIES,
) -> RecordView:
    """A record: its provider and the platform see it; the read of the subject's record
    is registered with its purpose (SEC-2)."""
    principal.require(Permission.RECORDS_READ)
    with ctx.db.write() as conn:
        row = conn.execute(sa.select(record).where(record.c.id == record_id)).first()
        if row is None or not _may_see(principal, row.providing_unit_id):
            raise NotFound("record.not_found", f"no record {record_id}")
        query_register.record(
            conn, ctx, principal, [row.subject_id], "record", purpose, object_id=record_id
        )
        # CAL-3: the verification deadline with its rule, as stored for the record's batch.
        explained = conn.execute(
            sa.select(deadline.c.explanation, deadline.c.provisional).where(
                deadline.c.owner_type == "ingest_batch",
                deadline.c.owner_id == str(row.batch_id),
                deadline.c.rule_code == "verification",
            )
        ).first()
        marked = row.id in lifecycle.under_objection(conn, ctx, [row.id])
        performance = conn.execute(sa.select(pledge).where(pledge.c.record_id == record_id)).first()
    view = _record_dict(row, marked)
    if performance is not None:  # ING-6: a credit pledge's performance
        view["pledge"] = {
            "status": performance.status,
            "decided_by": performance.decided_by,
            "decided_at": performance.decided_at.isoformat() if performance.decided_at else None,
            "reason": performance.reason,
        }
    if explained is not None:
        view["verify_deadline"] = {
            "due": view["verify_due"],
            "explanation": explained.explanation,
            "provisional": explained.provisional,
        }
    return view


def _may_see(principal: Principal, unit_id: int) -> bool:
    return principal.unit_id == unit_id or Permission.RECORDS_VERIFY in principal.permissions


def pending(
    ctx: Context, principal: Principal, *, overdue_only: bool = False, limit: int = 100
) -> list[PendingRecordView]:
    """Records awaiting verification, the oldest deadline first; overdue ones if asked."""
    principal.require(Permission.RECORDS_VERIFY)
    query = sa.select(record).where(record.c.status == RecordStatus.RECEIVED)
    if overdue_only:
        # Art 17: "within 5 working days" ends at the end of the due day.
        query = query.where(record.c.verify_due < ctx.today())
    query = query.order_by(record.c.verify_due, record.c.id).limit(max(1, min(limit, 1000)))
    with ctx.db.write() as conn:
        rows = conn.execute(query).all()
        # SEC-2: the queue shows the records' data: each subject's read is registered.
        query_register.record(
            conn, ctx, principal, [r.subject_id for r in rows], "record.verification"
        )
        marked = lifecycle.under_objection(conn, ctx, [r.id for r in rows])
        return [
            {**_record_dict(r, r.id in marked), "overdue": r.verify_due < ctx.today()} for r in rows
        ]


def verify(
    ctx: Context, principal: Principal, record_id: int, *, passed: bool, reasons: list[str]
) -> RecordView:
    """ING-2: pass a record, or return it to its provider with reasons (and tell them)."""
    principal.require(Permission.RECORDS_VERIFY)
    clean_reasons = [r.strip() for r in reasons if r.strip()]
    if not passed and not clean_reasons:
        raise InvalidInput("verification.no_reason", "a returned record needs its reasons (Art 17)")
    with ctx.db.write() as conn:
        row = conn.execute(
            sa.select(record, catalog_item.c.code)
            .join(catalog_item, catalog_item.c.id == record.c.catalog_item_id)
            .where(record.c.id == record_id)
        ).first()
        if row is None:
            raise NotFound("record.not_found", f"no record {record_id}")
        if row.status != RecordStatus.RECEIVED:
            raise Conflict("verification.not_pending", f"record {record_id} is {row.status}")
        lifecycle.move(
            conn,
            ctx,
            principal,
            row,
            RecordAction.VERIFY if passed else RecordAction.RETURN,
            detail={"reasons": clean_reasons} if clean_reasons else None,
            verified_at=ctx.now(),
            returned_reasons=None if passed else clean_reasons,
        )
        if not passed:
            conn.execute(
                notification.insert().values(
                    unit_id=row.providing_unit_id,
                    kind="record.returned",
                    object_type="record",
                    object_id=str(record_id),
                    message=f"{row.code} record {record_id} was returned: "
                    + "; ".join(clean_reasons)
                    + ". Correct it and submit it again (Art 17).",
                    created_at=ctx.now(),
                )
            )
        marked = record_id in lifecycle.under_objection(conn, ctx, [record_id])
        # SEC-2: the answer holds the subject's record, as a read of it would.
        query_register.record(
            conn, ctx, principal, [row.subject_id], "record.verification", object_id=record_id
        )
        return _record_dict(
            conn.execute(sa.select(record).where(record.c.id == record_id)).one(), marked
        )


def inbox(
    ctx: Context, principal: Principal, *, include_acknowledged: bool = False
) -> list[NotificationView]:
    """The caller's unit's notifications, newest first."""
    principal.require(Permission.INBOX_READ)
    if principal.unit_id is None:
        raise Forbidden("inbox.no_unit", "an inbox belongs to a unit")
    query = sa.select(notification).where(notification.c.unit_id == principal.unit_id)
    if not include_acknowledged:
        query = query.where(notification.c.acknowledged_at.is_(None))
    with ctx.db.read() as conn:
        rows = conn.execute(query.order_by(notification.c.id.desc()).limit(500)).all()
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "object_type": r.object_type,
            "object_id": r.object_id,
            "message": r.message,
            "created_at": r.created_at.isoformat(),
            "read_at": r.read_at.isoformat() if r.read_at else None,
            "acknowledged_at": r.acknowledged_at.isoformat() if r.acknowledged_at else None,
        }
        for r in rows
    ]


def mark(ctx: Context, principal: Principal, notification_id: int, *, acknowledge: bool) -> None:
    """Mark a notification read, or acknowledged (which also reads it)."""
    principal.require(Permission.INBOX_READ)
    with ctx.db.write() as conn:
        row = conn.execute(
            sa.select(notification).where(notification.c.id == notification_id)
        ).first()
        if row is None or row.unit_id != principal.unit_id:
            raise NotFound("inbox.not_found", f"no notification {notification_id} in your inbox")
        values: dict[str, Any] = {"read_at": row.read_at or ctx.now()}
        if acknowledge:
            values["acknowledged_at"] = row.acknowledged_at or ctx.now()
        conn.execute(
            notification.update().where(notification.c.id == notification_id).values(**values)
        )
        audit.record(
            conn,
            ctx,
            principal,
            "inbox.ack" if acknowledge else "inbox.read",
            "notification",
            notification_id,
        )
