"""Restoration of an untrustworthy credit record (issue 10, part 7; RST-7, Art 43).

The subject applies from its account (or an operator on its behalf from the CLI) to the
platform or to the record's providing unit; the application is checked for eligibility
when it is made (a record not restorable yet is refused with the day it becomes so), and
the decider grants or refuses it, with reasons, within 1 working day (a stored, explained
deadline). A granted application restores the record through the records lifecycle: it
leaves public display and the check. The outcome goes to the subject's inbox.
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.deadlines import RULES
from creditreg.domain.kernel.events import event
from creditreg.domain.records.catalog import Character
from creditreg.domain.records.lifecycle import LIVE, RecordAction
from creditreg.domain.rights.record_restoration import (
    RECORD_RESTORATION,
    ApplicationStatus,
    Decider,
    check_eligible,
    check_statement,
)
from creditreg.services.access import inbox, query_register, subject_accounts
from creditreg.services.context import Context
from creditreg.services.kernel import audit, events
from creditreg.services.kernel import calendar as calendar_service
from creditreg.services.records import lifecycle
from creditreg.services.rights import notices
from creditreg.services.rights.views import RecordRestorationView
from creditreg.store.records.tables import catalog_item, record
from creditreg.store.rights import queries
from creditreg.store.rights.tables import record_restoration

OWNER = "record_restoration"


def apply(
    ctx: Context, principal: Principal, *, record_id: int, decider: Decider, statement: str
) -> RecordRestorationView:
    """RST-7, Art 43: the subject applies to restore one of its untrustworthy records."""
    subject_id = subject_accounts.require_self(principal)
    text = check_statement(statement)
    today = ctx.today()
    with ctx.db.write() as conn:
        row = conn.execute(
            sa.select(record).where(record.c.id == record_id, record.c.subject_id == subject_id)
        ).first()
        if row is None:  # another's record is as unknown as a missing one
            raise NotFound("record.not_found", f"no record {record_id} of yours")
        pending = conn.execute(
            sa.select(record_restoration.c.id).where(
                record_restoration.c.record_id == record_id,
                record_restoration.c.status == ApplicationStatus.APPLIED.value,
            )
        ).first()
        if pending is not None:
            raise Conflict(
                "record_restoration.pending",
                f"application {pending.id} for this record awaits its decision",
            )
        check_eligible(
            untrustworthy=row.character == Character.UNTRUSTWORTHY.value,
            live=row.status in {s.value for s in LIVE},
            display_until=row.display_until,
            shown_since=row.decision_date or row.received_at.date(),
            severity=row.severity,
            minimum=ctx.restoration_minimum,
            today=today,
        )
        cal = calendar_service.load(conn)
        rule = RULES["restoration"]
        due = calendar_service.deadline_values(ctx, cal, OWNER, 0, rule, today)["due_date"]
        new_id = queries.insert_record_restoration(
            conn,
            {
                "record_id": record_id,
                "subject_id": subject_id,
                "decider": decider.value,
                "statement": text,
                "applied_by": principal.actor,
                "applied_at": ctx.now(),
                "due_date": due,
            },
        )
        calendar_service.register_deadline(conn, ctx, cal, OWNER, new_id, rule, today)
        # Art 43, SEC-5: the one who decides (the providing unit, or the platform, told
        # always) learns of it on receipt, not once it is late.
        deciders = [row.providing_unit_id] if decider is Decider.PROVIDER else []
        inbox.tell_once(
            conn,
            ctx.now(),
            "record_restoration.received",
            OWNER,
            {str(new_id): deciders},
            lambda _: f"record {record_id}: restoration applied for; decide by {due} (Art 43)",
        )
        audit.record(
            conn,
            ctx,
            principal,
            "record_restoration.apply",
            OWNER,
            new_id,
            detail={"record_id": record_id, "decider": decider.value},
        )
        events.emit(
            conn,
            ctx,
            [
                event(
                    "record_restoration.applied",
                    OWNER,
                    new_id,
                    record_id=record_id,
                    subject_id=subject_id,
                    decider=decider.value,
                    due=due.isoformat(),
                )
            ],
        )
        return _view(conn, _row(conn, new_id))


def decide(
    ctx: Context,
    principal: Principal,
    application_id: int,
    *,
    outcome: Literal["grant", "refuse"],
    reasons: str,
) -> RecordRestorationView:
    """The platform or the providing unit grants (the record is restored at once) or
    refuses (with reasons) an application; the subject is told either way."""
    why = reasons.strip()
    if outcome == "refuse" and not why:
        raise InvalidInput("record_restoration.no_reasons", "a refusal says why")
    with ctx.db.write() as conn:
        app_row = _row(conn, application_id)
        rec = conn.execute(sa.select(record).where(record.c.id == app_row.record_id)).one()
        _may_decide(principal, app_row.decider, rec.providing_unit_id)
        after = RECORD_RESTORATION.next(app_row.status, outcome)
        if outcome == "grant":
            if rec.status not in {s.value for s in LIVE}:
                raise Conflict(
                    "record_restoration.not_displayed",
                    f"record {rec.id} is {rec.status}: there is nothing to restore",
                )
            lifecycle.move(
                conn,
                ctx,
                principal,
                rec,
                RecordAction.RESTORE,
                detail={"application": application_id},
                restored_at=ctx.now(),
            )
        queries.set_record_restoration_status(
            conn,
            application_id,
            after,
            decided_by=principal.actor,
            decided_at=ctx.now(),
            reasons=why or None,
        )
        audit.record(
            conn,
            ctx,
            principal,
            f"record_restoration.{outcome}",
            OWNER,
            application_id,
            detail={"record_id": rec.id},
        )
        item = conn.execute(
            sa.select(catalog_item.c.name).where(catalog_item.c.id == rec.catalog_item_id)
        ).scalar_one()
        notices.deliver(
            conn,
            ctx,
            subject_id=app_row.subject_id,
            kind="outcome",
            content={
                "matter": f"信用记录修复申请（第{application_id}号）",
                "record": f"{item}（记录{rec.id}）",
                "outcome": "准予信用修复，该记录不再公示，不再作为联合惩戒依据"
                if outcome == "grant"
                else "不予信用修复",
                "reasons": why or None,
                "decided_on": ctx.today().isoformat(),
            },
            source=(OWNER, str(application_id)),
            owner=("record", str(rec.id)),
        )
        return _view(conn, _row(conn, application_id))


def _may_decide(principal: Principal, decider: str, providing_unit_id: int) -> None:
    """Art 43: the platform decides what was applied to the platform; the providing unit
    what was applied to it."""
    if decider == Decider.PLATFORM:
        principal.require(Permission.RECORDS_VERIFY)
        return
    principal.require(Permission.RECORDS_SUBMIT)
    if principal.unit_id != providing_unit_id:
        raise Forbidden(
            "record.not_item_provider",
            "an application made to the providing unit is decided by that unit",
        )


def of_subject(ctx: Context, principal: Principal, subject_id: int) -> list[RecordRestorationView]:
    """A subject's applications with their deadlines and decisions."""
    subject_accounts.require_subject(
        ctx, principal, subject_id, Permission.RECORDS_READ, action="record_restoration.read"
    )
    with query_register.reading(ctx, principal) as conn:  # a unit's read, registered
        rows = conn.execute(
            sa.select(record_restoration)
            .where(record_restoration.c.subject_id == subject_id)
            .order_by(record_restoration.c.id)
        ).all()
        query_register.record(conn, ctx, principal, [subject_id], "record_restoration")
        return [_view(conn, r) for r in rows]


def awaiting(ctx: Context, principal: Principal) -> list[RecordRestorationView]:
    """Applications awaiting a decision: the platform's, or those made to the caller's
    unit as providing unit; oldest deadline first."""
    query = (
        sa.select(record_restoration)
        .join(record, record.c.id == record_restoration.c.record_id)
        .where(record_restoration.c.status == ApplicationStatus.APPLIED.value)
        .order_by(record_restoration.c.due_date, record_restoration.c.id)
    )
    if Permission.RECORDS_VERIFY not in principal.permissions:
        principal.require(Permission.RECORDS_SUBMIT)  # the platform sees every application
        query = query.where(
            record_restoration.c.decider == Decider.PROVIDER.value,
            record.c.providing_unit_id == principal.unit_id,
        )
    with ctx.db.write() as conn:
        rows = conn.execute(query).all()
        # SEC-2: each application states the subject's case: the unit's read, registered.
        query_register.record(
            conn, ctx, principal, [int(r.subject_id) for r in rows], "record_restoration"
        )
        return [_view(conn, r) for r in rows]


def _row(conn: sa.Connection, application_id: int) -> Any:
    row = conn.execute(
        sa.select(record_restoration).where(record_restoration.c.id == application_id)
    ).first()
    if row is None:
        raise NotFound("record_restoration.not_found", f"no application {application_id}")
    return row


def _view(conn: sa.Connection, r: Any) -> RecordRestorationView:
    return {
        "id": int(r.id),
        "record_id": int(r.record_id),
        "subject_id": int(r.subject_id),
        "decider": str(r.decider),
        "statement": str(r.statement),
        "status": str(r.status),
        "applied_by": str(r.applied_by),
        "applied_at": r.applied_at.isoformat(),
        "due_date": r.due_date.isoformat(),
        "decided_by": r.decided_by,
        "decided_at": r.decided_at.isoformat() if r.decided_at else None,
        "reasons": r.reasons,
    }
