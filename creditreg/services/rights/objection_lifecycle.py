"""The one guarded transition of an objection (design rule 1), and what every step shares:
its history row, its event, its audit event, and telling the objector."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from creditreg.domain.errors import NotFound
from creditreg.domain.kernel.actor import Actor
from creditreg.domain.kernel.audit import digest
from creditreg.domain.kernel.events import event
from creditreg.domain.rights.objections import OBJECTION, ObjectorKind, Status
from creditreg.services.context import Context
from creditreg.services.kernel import audit, events
from creditreg.services.rights import notices
from creditreg.store.access.tables import notification
from creditreg.store.rights import objection_queries as queries
from creditreg.store.rights.objection_tables import objection, objection_event

# The event of each step: `objection.<past tense>`.
EVENT_OF = {
    "receive": "received",
    "attach": "attachment_added",
    "accept": "accepted",
    "reject": "rejected",
    "escalate": "escalated",
    "answer": "answered",
    "uphold": "upheld",
    "dismiss": "dismissed",
    "close": "closed",
    "pause": "paused",
    "resume": "resumed",
    "reconsideration_applied": "reconsideration_applied",
    "reconsideration_upheld": "reconsideration_upheld",
    "reconsideration_revised": "reconsideration_revised",
}


def row_of(conn: sa.Connection, objection_id: int) -> Any:
    row = conn.execute(sa.select(objection).where(objection.c.id == objection_id)).first()
    if row is None:
        raise NotFound("objection.not_found", f"no objection {objection_id}")
    return row


def step(
    conn: sa.Connection,
    ctx: Context,
    actor: Actor,
    row: Any,
    action: str,
    reason: str,
    after: str | None = None,
) -> None:
    """The history row, the event (ids, statuses, date: never the grounds or a name) and
    the audit event (the reason's digest: an objection erased with an entry made in error
    leaves nothing readable, Op(20)) of one step."""
    to = after or row.status
    conn.execute(
        objection_event.insert().values(
            objection_id=row.id,
            action=action,
            from_status=row.status if action != "receive" else None,
            to_status=to,
            on_date=ctx.today(),
            actor=actor.actor,
            reason=reason,
            at=ctx.now(),
        )
    )
    events.emit(
        conn,
        ctx,
        [
            event(
                f"objection.{EVENT_OF[action]}",
                "objection",
                row.id,
                objection_id=row.id,
                target_type=row.target_type,
                target_id=row.target_id,
                subject_id=row.subject_id,
                objector_kind=row.objector_kind,
                # SEAM (issue 10, part 1): a subject account hears its outcome by this id.
                objector_subject_id=row.objector_subject_id,
                **{"from": row.status, "to": to, "on": ctx.today().isoformat()},
            )
        ],
    )
    audit.record(
        conn,
        ctx,
        actor,
        f"objection.{action}",
        "objection",
        row.id,
        before=None if action == "receive" else {"status": row.status},
        after={"status": to},
        detail={"reason_digest": digest(reason)} if reason else None,
    )


def move(
    conn: sa.Connection,
    ctx: Context,
    actor: Actor,
    row: Any,
    action: str,
    reason: str,
    **values: Any,
) -> Status:
    """Check the move against the lifecycle before anything changes, then write the
    status (with `values`) and the step."""
    after = Status(OBJECTION.next(row.status, action))
    queries.set_objection_status(conn, row.id, after.value, ctx.now(), **values)
    step(conn, ctx, actor, row, action, reason, after.value)
    return after


TARGETS_ZH = {"list_entry": "名单条目", "record": "信用记录"}
_OUTCOMES_ZH = {
    "objection.accepted": "异议已受理",
    "objection.rejected": "异议不予受理",
    "objection.decided": "异议已处理",
    "objection.closed": "异议已终结（异议对象已移出或不再存在）",
    "reconsideration.decided": "复核决定",
}


def tell_objector(
    conn: sa.Connection,
    ctx: Context,
    row: Any,
    kind: str,
    message: str,
    owner: tuple[str, str] | None = None,
    message_zh: str | None = None,
) -> None:
    """OBJ-3, OBJ-6: the objector is told each decision with its reasons: a unit in its
    inbox; a subject in its account's inbox (issue 10, part 1), as an outcome notice that
    goes with an entry deleted in error (Op(20)); a public account reads it on its
    objection."""
    if row.objector_kind == ObjectorKind.UNIT.value and row.objector_unit_id is not None:
        tell_unit(conn, ctx, row.objector_unit_id, kind, row.id, message)
    elif row.objector_kind == ObjectorKind.SUBJECT_ACCOUNT.value and row.objector_subject_id:
        notices.deliver(
            conn,
            ctx,
            subject_id=int(row.objector_subject_id),
            kind="outcome",
            content={
                "matter": f"异议 {row.id}（{TARGETS_ZH.get(row.target_type, row.target_type)} "
                f"{row.target_id}）",
                # The notice is in Chinese: the outcome in words, not the event's code.
                "outcome": _OUTCOMES_ZH.get(kind, kind),
                # The subject's notice is Chinese throughout (the unit's inbox English).
                "reasons": message_zh or message,
                "decided_on": ctx.today().isoformat(),
            },
            source=("objection", f"{row.id}:{kind}"),
            # What the notice is erased with: its target, unless told otherwise (the outcome
            # of an entry found made in error outlives the entry; it holds no facts).
            owner=owner or (row.target_type, str(row.target_id)),
        )


def tell_unit(
    conn: sa.Connection, ctx: Context, unit_id: int, kind: str, objection_id: int, message: str
) -> None:
    """One notification in a unit's inbox about an objection."""
    conn.execute(
        notification.insert().values(
            unit_id=unit_id,
            kind=kind,
            object_type="objection",
            object_id=str(objection_id),
            message=message,
            created_at=ctx.now(),
        )
    )
