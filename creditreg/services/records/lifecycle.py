"""What happens to a record after receipt: verification (ING-2), withdrawal (ING-7),
review outcome (ING-5), archiving when its display period ends (DIS-2) or on the
subject's request (RST-6). Every status change goes through `move`/`move_many`: the
domain's transition table, the status write, the event and the audit event."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from creditreg.domain.access.principals import SYSTEM, Principal
from creditreg.domain.errors import Conflict, InvalidInput, NotFound
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.events import DomainEvent, event
from creditreg.domain.records.lifecycle import (
    EVENT,
    LIVE,
    UPHELD,
    RecordAction,
    RecordStatus,
    transition,
)
from creditreg.services.context import Context
from creditreg.services.kernel import audit, events
from creditreg.services.records.views import (
    ArchivedOnRequestView,
    RecordMovedView,
    ReviewOutcomeView,
)
from creditreg.store.records import queries
from creditreg.store.records.tables import record


def move(
    conn: sa.Connection,
    ctx: Context,
    principal: Principal,
    row: Any,
    action: RecordAction,
    *,
    detail: dict[str, Any] | None = None,
    **values: Any,
) -> RecordStatus:
    """The one guarded transition of a record: checked against the domain's table before
    anything changes, then the status (with `values`), the event and the audit event."""
    after = transition(row.status, action)
    queries.set_record_status(conn, row.id, after.value, **values)
    events.emit(conn, ctx, [_moved(row, action, after, ctx.today().isoformat())])
    audit.record(
        conn,
        ctx,
        principal,
        f"record.{action.value}",
        "record",
        row.id,
        before={"status": row.status},
        after={"status": after.value},
        detail=detail,
    )
    return after


def _moved(row: Any, action: RecordAction, after: RecordStatus, on: str) -> DomainEvent:
    """The event of one record's move: ids, statuses, the day; never its data."""
    return event(
        EVENT[action],
        "record",
        row.id,
        record_id=row.id,
        subject_id=row.subject_id,
        catalog_item_id=row.catalog_item_id,
        providing_unit_id=row.providing_unit_id,
        **{"from": row.status, "to": after.value, "on": on},
    )


def move_many(
    conn: sa.Connection,
    ctx: Context,
    principal: Principal,
    rows: Sequence[Any],
    action: RecordAction,
    **values: Any,
) -> int:
    """`move` for a set (the sweep): grouped by status, one UPDATE per chunk, the events
    and audit events each in one statement."""
    by_after: dict[RecordStatus, list[int]] = {}
    changed = []
    today = ctx.today().isoformat()
    for row in rows:
        after = transition(row.status, action)
        by_after.setdefault(after, []).append(row.id)
        changed.append(_moved(row, action, after, today))
    for after, ids in by_after.items():
        queries.set_record_status_many(conn, ids, after.value, **values)
    events.emit(conn, ctx, changed)
    audit.record_many(
        conn,
        ctx,
        principal,
        [
            audit.Event(
                f"record.{action.value}",
                "record",
                e.object_id,
                before={"status": e.payload["from"]},
                after={"status": e.payload["to"]},
            )
            for e in changed
        ],
    )
    return len(changed)


def _live_record(conn: sa.Connection, principal: Principal, record_id: int) -> Any:
    row = conn.execute(sa.select(record).where(record.c.id == record_id)).first()
    # Another provider's record is not one it can see (a read of it is 404 too): said as
    # for a record nobody has, so that a unit cannot learn which ids exist.
    if row is None or (
        principal.unit_id not in (None, row.providing_unit_id)
        and Permission.RECORDS_VERIFY not in principal.permissions
    ):
        raise NotFound("record.not_found", f"no record {record_id}")
    return row


# Extension point: conditions over a record's subject under which its display is held
# open past its display period. Lists registers the blacklist's (DIS-2, Art 19).
DISPLAY_HOLDS = "records.display_holds"
DisplayHold = Callable[[sa.ColumnElement[Any]], sa.ColumnElement[bool]]

# Extension point: which of these records are under objection (OBJ-1, Art 41: "make an
# objection indicator"). The rights context, which owns objections, fills it at bootstrap.
OBJECTION_MARKERS = "records.objection_markers"
ObjectionMarker = Callable[[sa.Connection, Sequence[int]], set[int]]


def under_objection(conn: sa.Connection, ctx: Context, record_ids: Sequence[int]) -> set[int]:
    """The records of `record_ids` that carry the "under objection" marker (异议标注)."""
    marked: set[int] = set()
    if record_ids:
        for marker in ctx.registry.extensions.get(OBJECTION_MARKERS, []):
            marked |= marker(conn, record_ids)
    return marked


def withdraw(ctx: Context, principal: Principal, record_id: int, reason: str) -> RecordMovedView:
    """ING-7, Art 42: the basis was revoked; the record is revoked at once and an event says so."""
    principal.require(Permission.RECORDS_SUBMIT)
    if not reason.strip():
        raise InvalidInput("record.no_reason", "say which decision revoked the record's basis")
    with ctx.db.write() as conn:
        row = _live_record(conn, principal, record_id)
        move(
            conn,
            ctx,
            principal,
            row,
            RecordAction.WITHDRAW,
            detail={"reason": reason.strip()},
            withdrawn_at=ctx.now(),
            withdraw_reason=reason.strip(),
        )
    return {"id": record_id, "status": RecordStatus.WITHDRAWN}


def review_outcome(
    ctx: Context, principal: Principal, record_id: int, outcome: str
) -> ReviewOutcomeView | RecordMovedView:
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
        # Not a status move, but a change the outbox's readers care about: from `final_on`
        # the punishment counts towards the standards (ING-5, Art 20(2)).
        events.emit(
            conn,
            ctx,
            [
                event(
                    UPHELD,
                    "record",
                    record_id,
                    record_id=record_id,
                    subject_id=row.subject_id,
                    catalog_item_id=row.catalog_item_id,
                    providing_unit_id=row.providing_unit_id,
                    status=row.status,
                    final_on=final.isoformat(),
                    on=ctx.today().isoformat(),
                )
            ],
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
    # DIS-2, Art 19: display is extended while a registered hold applies (a blacklist).
    holds: list[DisplayHold] = ctx.registry.extensions.get(DISPLAY_HOLDS, [])
    held = sa.or_(sa.false(), *(hold(record.c.subject_id) for hold in holds))
    with ctx.db.write() as conn:
        due = conn.execute(
            sa.select(
                record.c.id,
                record.c.status,
                record.c.subject_id,
                record.c.catalog_item_id,
                record.c.providing_unit_id,
            )
            # (status, display_until): live records by the end of their display period,
            # so the archived ones are never read again.
            .where(
                record.c.status.in_([s.value for s in LIVE]),
                record.c.display_until < today,
                ~held,
            )
            .order_by(record.c.id)
        ).all()
        archived = move_many(
            conn,
            ctx,
            principal,
            due,
            RecordAction.ARCHIVE,
            archived_at=ctx.now(),
            archive_reason="display_ended",
        )
    return archived


def request_archiving(
    ctx: Context, principal: Principal, record_id: int, applicant: str
) -> ArchivedOnRequestView:
    """RST-6, Art 44: a subject whose display period has ended asks for archiving; the
    platform receives the request (naming who asked) and archives at once."""
    principal.require(Permission.RECORDS_VERIFY)
    if not applicant.strip():
        raise InvalidInput("record.no_applicant", "name who asked for the archiving (Art 44)")
    with ctx.db.write() as conn:
        row = conn.execute(sa.select(record).where(record.c.id == record_id)).first()
        if row is None:
            raise NotFound("record.not_found", f"no record {record_id}")
        if row.display_until is None or row.display_until >= ctx.today():
            until = row.display_until.isoformat() if row.display_until else "long-term"
            raise Conflict(
                "record.display_not_ended",
                f"the record is displayed until {until}; archiving is due after it",
            )
        move(
            conn,
            ctx,
            principal,
            row,
            RecordAction.ARCHIVE,
            detail={"applicant": applicant.strip()},
            archived_at=ctx.now(),
            archive_reason="subject_request",
        )
    return {"id": record_id, "status": RecordStatus.ARCHIVED, "applicant": applicant.strip()}
