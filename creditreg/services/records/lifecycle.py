"""What happens to a record after receipt: withdrawal (ING-7), review outcome (ING-5),
archiving when its display period ends (DIS-2) or on the subject's request (RST-6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import SYSTEM, Principal
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.lists.entries import EntryStatus
from creditreg.domain.lists.standards import ListType
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.lists import entries
from creditreg.services.records.records import RecordStatus
from creditreg.store.kernel.tables import domain_event
from creditreg.store.lists.tables import list_entry
from creditreg.store.records.tables import record

LIVE = (RecordStatus.RECEIVED, RecordStatus.VERIFIED)


def _live_record(conn: sa.Connection, principal: Principal, record_id: int) -> Any:
    row = conn.execute(sa.select(record).where(record.c.id == record_id)).first()
    if row is None:
        raise NotFound("record.not_found", f"no record {record_id}")
    if principal.unit_id not in (None, row.providing_unit_id) and (
        Permission.RECORDS_VERIFY not in principal.permissions
    ):
        raise Forbidden("records.not_item_provider", "only the record's provider may do this")
    return row


def emit(
    conn: sa.Connection,
    ctx: Context,
    kind: str,
    object_type: str,
    object_id: Any,
    payload: dict[str, Any],
) -> None:
    """A domain event: stored for pollers, and handed to in-process subscribers inside the
    same transaction (so a withdrawal revokes its entries the same day, ING-7)."""
    conn.execute(
        domain_event.insert().values(
            kind=kind,
            object_type=object_type,
            object_id=str(object_id),
            payload=payload,
            occurred_at=ctx.now(),
        )
    )
    for handler in SUBSCRIBERS.get(kind, ()):
        handler(conn, ctx, payload)


def _revoke_entries(conn: sa.Connection, ctx: Context, payload: dict[str, Any]) -> None:
    entries.revoke_resting_on(conn, ctx, SYSTEM, int(payload["record_id"]))


# Who reacts to which domain event, in-process. Later parts (measures) add theirs here.
SUBSCRIBERS: dict[str, tuple[Callable[[sa.Connection, Context, dict[str, Any]], None], ...]] = {
    "record.withdrawn": (_revoke_entries,),
}


def withdraw(ctx: Context, principal: Principal, record_id: int, reason: str) -> dict[str, Any]:
    """ING-7, Art 42: the basis was revoked; the record is revoked at once and an event says so."""
    principal.require(Permission.RECORDS_SUBMIT)
    if not reason.strip():
        raise InvalidInput("record.no_reason", "say which decision revoked the record's basis")
    with ctx.db.write() as conn:
        row = _live_record(conn, principal, record_id)
        if row.status == RecordStatus.WITHDRAWN:
            raise Conflict("record.already_withdrawn", f"record {record_id} was withdrawn already")
        conn.execute(
            record.update()
            .where(record.c.id == record_id)
            .values(
                status=RecordStatus.WITHDRAWN,
                withdrawn_at=ctx.now(),
                withdraw_reason=reason.strip(),
            )
        )
        emit(
            conn,
            ctx,
            "record.withdrawn",
            "record",
            record_id,
            {
                "record_id": record_id,
                "subject_id": row.subject_id,
                "reason": reason.strip(),
                "withdrawn_on": ctx.today().isoformat(),
            },
        )
        audit.record(
            conn,
            ctx,
            principal,
            "record.withdraw",
            "record",
            record_id,
            before={"status": row.status},
            after={"status": RecordStatus.WITHDRAWN},
            detail={"reason": reason.strip()},
        )
    return {"id": record_id, "status": RecordStatus.WITHDRAWN}


def review_outcome(
    ctx: Context, principal: Principal, record_id: int, outcome: str
) -> dict[str, Any]:
    """ING-5: a punishment upheld on review counts from today; one revoked is withdrawn."""
    if outcome == "revoked":
        return withdraw(ctx, principal, record_id, "revoked on reconsideration or litigation")
    if outcome != "upheld":
        raise InvalidInput("record.bad_outcome", "the outcome is 'upheld' or 'revoked'")
    principal.require(Permission.RECORDS_SUBMIT)
    with ctx.db.write() as conn:
        row = _live_record(conn, principal, record_id)
        if row.status not in LIVE:
            raise Conflict("record.not_live", f"record {record_id} is {row.status}")
        final = min(row.final_on, ctx.today()) if row.final_on else ctx.today()
        conn.execute(
            record.update()
            .where(record.c.id == record_id)
            .values(
                review_outcome="upheld",
                final_on=final,
            )
        )
        audit.record(
            conn,
            ctx,
            principal,
            "record.upheld",
            "record",
            record_id,
            after={"final_on": final.isoformat()},
        )
    return {"id": record_id, "review_outcome": "upheld", "final_on": final.isoformat()}


def archive_due(ctx: Context, principal: Principal = SYSTEM) -> int:
    """DIS-2, Art 19: archive every live record whose display period has ended. Idempotent;
    found by the display_until index, so its cost follows what is due."""
    today = ctx.today()
    # DIS-2, Art 19: while the subject is on a blacklist its display is extended.
    blacklisted = sa.exists().where(
        list_entry.c.subject_id == record.c.subject_id,
        list_entry.c.list_type == ListType.BLACKLIST.value,
        list_entry.c.status.in_((EntryStatus.DESIGNATED.value, EntryStatus.OBJECTED.value)),
        list_entry.c.designated_on.is_not(None),
    )
    with ctx.db.write() as conn:
        due = (
            sa.select(record.c.id)
            # (status, display_until): live records by the end of their display period,
            # so the archived ones are never read again.
            .where(record.c.status.in_(LIVE), record.c.display_until < today, ~blacklisted)
        )
        result = conn.execute(
            record.update()
            .where(record.c.id.in_(due.scalar_subquery()))
            .values(
                status=RecordStatus.ARCHIVED, archived_at=ctx.now(), archive_reason="display_ended"
            )
        )
        archived = int(result.rowcount or 0)
        if archived:
            audit.record(
                conn,
                ctx,
                principal,
                "record.archive_due",
                "record",
                "*",
                detail={"archived": archived, "on": today.isoformat()},
            )
    return archived


def request_archiving(
    ctx: Context, principal: Principal, record_id: int, applicant: str
) -> dict[str, Any]:
    """RST-6, Art 44: a subject whose display period has ended asks for archiving; the
    platform receives the request (naming who asked) and archives at once."""
    principal.require(Permission.RECORDS_VERIFY)
    if not applicant.strip():
        raise InvalidInput("record.no_applicant", "name who asked for the archiving (Art 44)")
    with ctx.db.write() as conn:
        row = conn.execute(sa.select(record).where(record.c.id == record_id)).first()
        if row is None:
            raise NotFound("record.not_found", f"no record {record_id}")
        if row.status not in LIVE:
            raise Conflict("record.not_live", f"record {record_id} is {row.status}")
        if row.display_until is None or row.display_until >= ctx.today():
            until = row.display_until.isoformat() if row.display_until else "long-term"
            raise Conflict(
                "record.display_not_ended",
                f"the record is displayed until {until}; archiving is due after it",
            )
        conn.execute(
            record.update()
            .where(record.c.id == record_id)
            .values(
                status=RecordStatus.ARCHIVED,
                archived_at=ctx.now(),
                archive_reason="subject_request",
            )
        )
        audit.record(
            conn,
            ctx,
            principal,
            "record.archive_requested",
            "record",
            record_id,
            detail={"applicant": applicant.strip()},
        )
    return {"id": record_id, "status": RecordStatus.ARCHIVED, "applicant": applicant.strip()}


def events(
    ctx: Context, principal: Principal, after_id: int = 0, limit: int = 100
) -> list[dict[str, Any]]:
    """Domain events in order, for subscribers polling from their last id."""
    principal.require(Permission.RECORDS_VERIFY)
    with ctx.db.read() as conn:
        rows = conn.execute(
            sa.select(domain_event)
            .where(domain_event.c.id > after_id)
            .order_by(domain_event.c.id)
            .limit(max(1, min(limit, 1000)))
        ).all()
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "object_type": r.object_type,
            "object_id": r.object_id,
            "payload": r.payload,
            "occurred_at": r.occurred_at.isoformat(),
        }
        for r in rows
    ]
