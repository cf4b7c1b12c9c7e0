"""Notices to units (MEA-5, LST-9; issue 11): told to a unit's inbox and queued for each
of its active webhook endpoints, in the caller's transaction.

`send` is what a use case calls (the stop notices when an entry ends). The outbox
consumer `unit_notices` (a sweep step, cursor "unit-notices") turns domain events into
notices through handlers registered per event kind (`register_handler`): this module
registers the one for `list_entry.designated` (a designation in a field a unit subscribed
to); other contexts' code registers its own at bootstrap. Each pass reads, sends and
moves the cursor in one transaction, so that a restart loses nothing and repeats nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal, UnitKind
from creditreg.domain.errors import InvalidInput, quoted
from creditreg.domain.fields import field_label
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.lists.standards import ListType
from creditreg.domain.measures.webhooks import DeliveryStatus, EndpointStatus, SubscriptionKind
from creditreg.services.access import inbox
from creditreg.services.context import Context
from creditreg.services.kernel import events
from creditreg.services.kernel.events import StoredEvent
from creditreg.services.kernel.registry import Registry
from creditreg.services.kernel.sweep import StepRun, SweepSteps
from creditreg.services.lists.entry_writer import LIST_LABELS
from creditreg.store import bulk
from creditreg.store.access.tables import unit
from creditreg.store.fast import decode_json
from creditreg.store.measures import exposure
from creditreg.store.measures import webhook_queries as queries
from creditreg.store.measures.webhook_tables import (
    unit_notice,
    webhook_delivery,
    webhook_delivery_move,
    webhook_endpoint,
    webhook_subscription,
)

CONSUMER = "unit-notices"
# The kinds of notice units are sent (stop, suspend, resume: stop_notices; designation).
NOTICE_KINDS = ("stop", "suspend", "resume", "designation")
# Events a pass reads per transaction.
CHUNK = 500
# The registry's extension point of each event kind's handler: `unit_notices:<kind>`.
_POINT = "unit_notices:"

NoticeHandler = Callable[[sa.Connection, Context, StoredEvent], None]


@dataclass(frozen=True)
class UnitNotice:
    """What a unit is told: `kind` ("stop", "designation"), about which object, in words
    and as data (ids, list, field, dates: never a subject's name or number)."""

    kind: str
    object_type: str
    object_id: str
    message: str
    data: Mapping[str, object]


class UnitNoticeView(TypedDict):
    id: int
    unit_id: int
    kind: str
    object_type: str
    object_id: str
    message: str
    data: dict[str, Any]
    created_at: str


def send(
    conn: sa.Connection, ctx: Context, unit_ids: Iterable[int], notice: UnitNotice
) -> list[int]:
    """Tell each unit `notice` (one row each, in their inboxes too) and queue a delivery to
    each of its active webhook endpoints, in the caller's transaction. Returns the notices'
    ids, in the order of the unit ids."""
    units = sorted(set(unit_ids))
    if not units:
        return []
    now = ctx.now()
    ids: list[int] = []
    for unit_id in units:
        ids.append(
            int(
                conn.execute(
                    unit_notice.insert()
                    .values(
                        unit_id=unit_id,
                        kind=notice.kind,
                        object_type=notice.object_type,
                        object_id=notice.object_id,
                        message=notice.message,
                        data=dict(notice.data),
                        created_at=now,
                    )
                    .returning(unit_notice.c.id)
                ).scalar_one()
            )
        )
    inbox.tell(
        conn,
        now,
        units,
        kind=f"unit_notice.{notice.kind}",
        object_type=notice.object_type,
        object_id=notice.object_id,
        message=notice.message,
    )
    endpoints = conn.execute(
        sa.select(webhook_endpoint.c.id, webhook_endpoint.c.unit_id)
        .where(
            webhook_endpoint.c.unit_id.in_(units),
            webhook_endpoint.c.status == EndpointStatus.ACTIVE.value,
        )
        .order_by(webhook_endpoint.c.id)
    ).all()
    notice_of = dict(zip(units, ids, strict=True))
    queries.queue_deliveries(
        conn,
        [
            {
                "notice_id": notice_of[e.unit_id],
                "endpoint_id": e.id,
                "unit_id": e.unit_id,
                "status": DeliveryStatus.PENDING.value,
                "attempts": 0,
                "window_from": now,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for e in endpoints
        ],
        "system",
        now,
    )
    return ids


def register_handler(registry: Registry, event_kind: str, handler: NoticeHandler) -> None:
    """Turn each outbox event of `event_kind` into notices (called by the consumer, in its
    transaction; raising stops the pass before the event, which the next pass retries)."""
    registry.extend(_POINT + event_kind, handler)


def handlers(registry: Registry) -> dict[str, list[NoticeHandler]]:
    """The handlers registered, by event kind."""
    return {
        point[len(_POINT) :]: list(found)
        for point, found in registry.extensions.items()
        if point.startswith(_POINT)
    }


def _designated(conn: sa.Connection, ctx: Context, event: StoredEvent) -> None:
    """LST-9: a designated entry is shared at once; the units subscribed to designations in
    its field (or list) are told."""
    payload = event.payload
    if not payload:  # purged (an entry deleted in error, Op(20)): nothing to tell
        return
    field, list_type = payload.get("field"), payload.get("list_type")
    units = set(
        conn.execute(
            sa.select(webhook_subscription.c.unit_id)
            .join(unit, unit.c.id == webhook_subscription.c.unit_id)
            .where(
                unit.c.active,
                webhook_subscription.c.kind == SubscriptionKind.DESIGNATION.value,
                # A subscription tells of designations from its creation on.
                webhook_subscription.c.created_at <= event.occurred_at,
                sa.or_(
                    webhook_subscription.c.field.is_(None), webhook_subscription.c.field == field
                ),
                sa.or_(
                    webhook_subscription.c.list_type.is_(None),
                    webhook_subscription.c.list_type == list_type,
                ),
            )
        ).scalars()
    )
    entry_id = payload.get("entry_id", event.object_id)
    # MEA-5: a unit told of the entry in force is told to stop when it ends (as a unit a
    # check showed it to), also when it is deleted in error and this notice erased.
    for unit_id in sorted(units):
        exposure.record(conn, unit_id, [int(entry_id)], ctx.now())
    send(
        conn,
        ctx,
        units,
        UnitNotice(
            kind=SubscriptionKind.DESIGNATION.value,
            object_type="list_entry",
            object_id=str(entry_id),
            message=(
                f"名单条目 {entry_id} 已认定：{list_zh(str(list_type))}，"
                + (f"{field_label(field).label_zh}领域。" if field else "不分领域。")
                + f"List entry {entry_id} designated: {list_type}"
                + (f" in the field {field}." if field else " (no field).")
            ),
            data={
                "entry_id": entry_id,
                "list_type": list_type,
                "field": field,
                "subject_id": payload.get("subject_id"),
                "designated_on": payload.get("on"),
                "event": event.position,
            },
        ),
    )


def erase_of_entry(conn: sa.Connection, entry_id: str) -> list[tuple[str, str]]:
    """Op(20): an entry deleted in error is not kept, nor are the notices that told units
    of its designation (their deliveries and logs with them). The notices to stop stay:
    they are how the units learn that it ended."""
    ids = list(
        conn.execute(
            sa.select(unit_notice.c.id).where(
                unit_notice.c.object_type == "list_entry",
                unit_notice.c.object_id == str(entry_id),
                unit_notice.c.kind == SubscriptionKind.DESIGNATION.value,
            )
        ).scalars()
    )
    kind = SubscriptionKind.DESIGNATION.value
    inbox.forget(conn, f"unit_notice.{kind}", "list_entry", str(entry_id))
    if not ids:
        return []
    for part in bulk.chunks(ids):
        deliveries = sa.select(webhook_delivery.c.id).where(webhook_delivery.c.notice_id.in_(part))
        conn.execute(
            webhook_delivery_move.delete().where(
                webhook_delivery_move.c.delivery_id.in_(deliveries)
            )
        )
        conn.execute(webhook_delivery.delete().where(webhook_delivery.c.notice_id.in_(part)))
        conn.execute(unit_notice.delete().where(unit_notice.c.id.in_(part)))
    return [("unit_notice", str(i)) for i in ids]


def register(registry: Registry) -> None:
    """The handlers this module owns, and its eraser."""
    register_handler(registry, "list_entry.designated", _designated)
    registry.on_erase("list_entry", erase_of_entry)


def register_sweep_steps(steps: SweepSteps) -> None:
    """After the lists steps (20-56, which designate), before the sender (75)."""
    steps.register("unit_notices", _consume, order=70)


def _consume(run: StepRun) -> None:
    """One pass of the outbox consumer: every event since the cursor, a chunk per
    transaction (read, handled, cursor moved together)."""
    by_kind = handlers(run.ctx.registry)
    last = sa.select(sa.func.coalesce(sa.func.max(unit_notice.c.id), 0))
    while True:
        with run.write() as conn:
            batch = events.pending_in(conn, CONSUMER, CHUNK)
            if not batch:
                return
            before = int(conn.execute(last).scalar_one())
            for event in batch:
                for handler in by_kind.get(event.kind, ()):
                    handler(conn, run.ctx, event)
            events.ack_in(conn, run.ctx, CONSUMER, batch[-1].position)
            # The report counts notices told, not events read: a pass that told nobody
            # says "nothing due".
            told = conn.execute(
                sa.select(sa.func.count()).where(unit_notice.c.id > before)
            ).scalar_one()
            if told:
                run.add("unit_notices", int(told))


def _view(row: Any) -> UnitNoticeView:
    return {
        "id": row.id,
        "unit_id": row.unit_id,
        "kind": row.kind,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "message": row.message,
        "data": dict(decode_json(row.data) or {}),
        "created_at": row.created_at.isoformat(),
    }


def sees_every_unit(principal: Principal) -> bool:
    """The platform operator reads every unit's notices and delivery log."""
    return principal.unit_kind is UnitKind.PLATFORM_OPERATOR or principal.unit_id is None


def listing(
    ctx: Context,
    principal: Principal,
    *,
    kind: str | None = None,
    after: int = 0,
    limit: int = 100,
) -> list[UnitNoticeView]:
    """A unit's notices, oldest first after `after` (a cursor: the last id read); the
    platform's view holds every unit's."""
    if Permission.INBOX_READ not in principal.permissions:
        principal.require(Permission.WEBHOOKS_MANAGE)
    limit = max(1, min(limit, 1000))
    query = sa.select(unit_notice).where(unit_notice.c.id > after)
    if not sees_every_unit(principal):
        query = query.where(unit_notice.c.unit_id == principal.unit_id)
    if kind is not None:
        if kind not in NOTICE_KINDS:
            raise InvalidInput(
                "unit_notice.bad_kind",
                f"{quoted(kind)} is not a kind of notice; one of: {', '.join(NOTICE_KINDS)}",
            )
        query = query.where(unit_notice.c.kind == kind)
    with ctx.db.read() as conn:
        rows = conn.execute(query.order_by(unit_notice.c.id).limit(limit)).all()
    return [_view(r) for r in rows]


def list_zh(list_type: str) -> str:
    """The list's Chinese name in the Chinese half of a notice (its code in the English)."""
    try:
        return LIST_LABELS[ListType(list_type)]
    except ValueError:
        return list_type
