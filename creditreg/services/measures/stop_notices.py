"""Notices to stop (MEA-5; Op(20), Art 37): when a list entry ends (any removal: expiry,
restoration, objection, standard changed ...; or deletion in error), every implementing
unit that applied a measure because of it (its feedback, MEA-4) or that checked the
subject while it was in force (a check that showed the entry: `check_exposure`, kept
beyond the query register's two years) is told to stop applying the measures it carried.

Handlers of the `unit_notices` outbox consumer, registered at bootstrap: they run within
a minute of the change, after it committed, and a restart loses nothing (the consumer's
durable cursor). The notice names ids, the list, the reason and the day: never the
subject's name or number (the outbox and webhooks carry no personal data)."""

from __future__ import annotations

import sqlalchemy as sa

from creditreg.domain.lists.entries import EntryStatus, RemovalReason
from creditreg.domain.lists.notices import REMOVAL_REASONS
from creditreg.services.context import Context
from creditreg.services.kernel.events import StoredEvent
from creditreg.services.kernel.registry import Registry
from creditreg.services.measures import unit_notices
from creditreg.services.measures.unit_notices import UnitNotice
from creditreg.store.lists.tables import list_entry
from creditreg.store.measures import exposure
from creditreg.store.measures.feedback_tables import measure_feedback

STOP = "stop"
DELETED_IN_ERROR = "deleted_in_error"  # the reason a stop notice gives for Op(20)
# Why an entry ended, in the words of the lists' removal notices.
_REASON_ZH = {r.value: text["zh"] for r, text in REMOVAL_REASONS.items()} | {
    DELETED_IN_ERROR: REMOVAL_REASONS[RemovalReason.ERROR]["zh"]
}


def units_exposed(conn: sa.Connection, entry_id: int) -> set[int]:
    """The implementing units that applied a measure because of the entry (MEA-4), or that
    a check showed it to in force (the subject's own check, or a linked subject's)."""
    applied = set(
        conn.execute(
            sa.select(measure_feedback.c.unit_id).where(measure_feedback.c.entry_id == entry_id)
        ).scalars()
    )
    return applied | exposure.units_shown(conn, entry_id)


def _tell(
    conn: sa.Connection,
    ctx: Context,
    subject_id: int,
    entry_id: int,
    list_type: str,
    reason: str,
    on: str,
) -> None:
    units = units_exposed(conn, entry_id)
    if not units:
        return
    why = _REASON_ZH.get(reason, reason)
    named = unit_notices.list_zh(list_type)
    unit_notices.send(
        conn,
        ctx,
        units,
        UnitNotice(
            kind=STOP,
            object_type="list_entry",
            object_id=str(entry_id),
            message=(
                f"名单条目 {entry_id}（{named}）已于 {on} 终止（{why}），请停止实施"
                f"因该条目采取的联合奖惩措施。Entry {entry_id} ({list_type}) ended on {on} "
                f"({reason}): stop the measures applied because of it."
            ),
            data={
                "entry_id": entry_id,
                "subject_id": subject_id,
                "list_type": list_type,
                "reason": reason,
                "ended_on": on,
            },
        ),
    )


def _removed(conn: sa.Connection, ctx: Context, event: StoredEvent) -> None:
    """`list_entry.removed`: the entry is kept (archived), so its subject is read."""
    if not event.payload:
        return
    entry_id = int(event.object_id)
    row = conn.execute(
        sa.select(list_entry.c.subject_id, list_entry.c.list_type).where(
            list_entry.c.id == entry_id
        )
    ).first()
    if row is None:  # deleted in error since: the correction's event tells the units
        return
    _tell(
        conn,
        ctx,
        int(row.subject_id),
        entry_id,
        str(row.list_type),
        str(event.payload.get("reason") or "removed"),
        str(event.payload.get("on") or ctx.today().isoformat()),
    )


def _corrected(conn: sa.Connection, ctx: Context, event: StoredEvent) -> None:
    """`correction.recorded` of an entry: deleted in error and not kept (Op(20)); the
    correction's event names the subject, the register and the feedback the units."""
    payload = event.payload
    if not payload or payload.get("target_type") != "list_entry":
        return
    _tell(
        conn,
        ctx,
        int(payload["subject_id"]),
        int(payload["target_id"]),
        str(payload.get("list_type") or ""),
        DELETED_IN_ERROR,
        str(payload.get("on") or ctx.today().isoformat()),
    )


SUSPEND = "suspend"
RESUME = "resume"


def _paused(conn: sa.Connection, ctx: Context, event: StoredEvent, resumed: bool) -> None:
    """OBJ-6, Op(22): an objection accepted against a designated entry suspends its
    measures until it is decided; the units applying them are told to pause, and told to
    resume if the objection is dismissed (an upheld one ends the entry: a stop notice)."""
    if not event.payload:
        return
    entry_id = int(event.object_id)
    row = conn.execute(
        sa.select(
            list_entry.c.subject_id,
            list_entry.c.list_type,
            list_entry.c.status,
            list_entry.c.suspended_from,
            list_entry.c.designated_on,
        ).where(list_entry.c.id == entry_id)
    ).first()
    if row is None or row.designated_on is None:
        return  # gone since, or never in force: no unit applied anything
    if resumed and row.status != EntryStatus.DESIGNATED.value:
        return
    if not resumed and row.suspended_from != EntryStatus.DESIGNATED.value:
        return
    units = units_exposed(conn, entry_id)
    if not units:
        return
    on = str(event.payload.get("on") or ctx.today().isoformat())
    list_type = str(row.list_type)
    named = unit_notices.list_zh(list_type)
    message = (
        f"名单条目 {entry_id}（{named}）的异议不成立，自 {on} 起恢复实施相关联合奖惩措施。"
        f"Entry {entry_id} ({list_type}): the objection was dismissed on {on}; its measures "
        "apply again."
        if resumed
        else f"名单条目 {entry_id}（{named}）因异议受理自 {on} 起中止，异议处理期间暂停实施"
        f"相关联合奖惩措施。Entry {entry_id} ({list_type}) is suspended from {on} while an "
        "objection is decided: pause the measures applied because of it."
    )
    unit_notices.send(
        conn,
        ctx,
        units,
        UnitNotice(
            kind=RESUME if resumed else SUSPEND,
            object_type="list_entry",
            object_id=str(entry_id),
            message=message,
            data={
                "entry_id": entry_id,
                "subject_id": int(row.subject_id),
                "list_type": list_type,
                "suspended_on" if not resumed else "resumed_on": on,
            },
        ),
    )


def _suspended(conn: sa.Connection, ctx: Context, event: StoredEvent) -> None:
    _paused(conn, ctx, event, resumed=False)


def _resumed(conn: sa.Connection, ctx: Context, event: StoredEvent) -> None:
    _paused(conn, ctx, event, resumed=True)


def register(registry: Registry) -> None:
    """Hook the stop notices into the unit-notices consumer (bootstrap)."""
    unit_notices.register_handler(registry, "list_entry.objected", _suspended)
    unit_notices.register_handler(registry, "list_entry.objection_dismissed", _resumed)
    unit_notices.register_handler(registry, "list_entry.removed", _removed)
    unit_notices.register_handler(registry, "correction.recorded", _corrected)
