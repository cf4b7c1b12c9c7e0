"""What the objections register at bootstrap: the "under objection" markers records and
lists show, the events that close objections whose target ended, the due dates kept
beside their deadlines, and what an entry deleted in error takes with it (Op(20))."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.kernel.events import DomainEvent
from creditreg.domain.rights.objections import (
    ENTRY_RULE,
    PLATFORM_RULE,
    PROVIDER_ANSWER_RULE,
    PROVIDER_RULE,
    TargetType,
)
from creditreg.services.context import Context
from creditreg.services.kernel.registry import Registry
from creditreg.services.lists.entry_views import OBJECTION_MARKERS as ENTRY_MARKERS
from creditreg.services.records.lifecycle import OBJECTION_MARKERS as RECORD_MARKERS
from creditreg.services.rights import objection_targets as targets
from creditreg.services.rights.objection_steps import RECORD_ENDED, close_for
from creditreg.store.rights.objection_tables import (
    objection,
    objection_attachment,
    objection_event,
    objection_pause,
    reconsideration,
)


def _record_ended(conn: sa.Connection, ctx: Context, batch: Sequence[DomainEvent]) -> None:
    """A record withdrawn, returned or archived: its open objections are closed."""
    for e in batch:
        close_for(
            conn,
            ctx,
            SYSTEM,
            TargetType.RECORD,
            [int(e.payload["record_id"])],
            f"the record was {RECORD_ENDED[e.kind]}",
        )


def _entry_removed(conn: sa.Connection, ctx: Context, batch: Sequence[DomainEvent]) -> None:
    """An entry removed (expiry, basis revoked ...): its open objections are closed with
    the reason (an objection left open on a removed entry would wait forever)."""
    for e in batch:
        close_for(
            conn,
            ctx,
            SYSTEM,
            TargetType.LIST_ENTRY,
            [int(e.payload["entry_id"])],
            f"entry removed: {e.payload.get('reason', '')}",
        )


def erase_of_entry(conn: sa.Connection, entry_id: str) -> list[tuple[str, str]]:
    """Op(20): an entry deleted in error takes its objections with it (grounds,
    attachments, history, reconsiderations); their events lose their payloads."""
    ids = list(
        conn.execute(
            sa.select(objection.c.id).where(
                objection.c.target_type == TargetType.LIST_ENTRY.value,
                objection.c.target_id == int(entry_id),
            )
        ).scalars()
    )
    if not ids:
        return []
    recons = list(
        conn.execute(
            sa.select(reconsideration.c.id).where(reconsideration.c.objection_id.in_(ids))
        ).scalars()
    )
    for table in (objection_attachment, objection_pause, objection_event, reconsideration):
        conn.execute(table.delete().where(table.c.objection_id.in_(ids)))
    conn.execute(objection.delete().where(objection.c.id.in_(ids)))
    return [("objection", str(i)) for i in ids] + [("reconsideration", str(i)) for i in recons]


def _reconsideration_moved(conn: sa.Connection, owner_id: str, old: date, new: date) -> None:
    conn.execute(
        reconsideration.update().where(reconsideration.c.id == int(owner_id)).values(due_date=new)
    )


def register(registry: Registry) -> None:
    """Markers, subscribers, deadline followers and the entry eraser."""
    registry.extend(RECORD_MARKERS, targets.markers(TargetType.RECORD))
    registry.extend(ENTRY_MARKERS, targets.markers(TargetType.LIST_ENTRY))
    for kind in RECORD_ENDED:
        registry.subscribe(kind, _record_ended)
    registry.subscribe("list_entry.removed", _entry_removed)
    for rule in (PLATFORM_RULE, PROVIDER_RULE, ENTRY_RULE):
        registry.follow_copy("objection", rule.code, objection.c.id, objection.c.due_date)
    registry.follow_copy(
        "objection", PROVIDER_ANSWER_RULE.code, objection.c.id, objection.c.answer_due
    )
    registry.follow("reconsideration", "reconsideration", _reconsideration_moved)
    registry.on_erase("list_entry", erase_of_entry)
