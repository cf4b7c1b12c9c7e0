"""A unit's webhooks (issue 11; MEA-5, LST-9): its endpoints (Standard Webhooks, one
secret each, shown once), its subscriptions to designations, and the delivery log with
redelivery on request. Each verb is one transaction with its audit event."""

from __future__ import annotations

import base64
import secrets
from typing import Any, TypedDict

import sqlalchemy as sa

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Conflict, InvalidInput, NotFound, parse_enum
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.lists.standards import ListType
from creditreg.domain.measures.webhooks import (
    DELIVERY,
    ENDPOINT,
    DeliveryStatus,
    EndpointStatus,
    SubscriptionKind,
    check_field,
    check_url,
)
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.measures.unit_notices import sees_every_unit
from creditreg.store.measures import webhook_queries as queries
from creditreg.store.measures.webhook_tables import (
    unit_notice,
    webhook_delivery,
    webhook_delivery_move,
    webhook_endpoint,
    webhook_subscription,
)

# A unit's active endpoints: each notice is POSTed to every one of them.
MAX_ENDPOINTS = 10
MAX_SUBSCRIPTIONS = 100


class EndpointView(TypedDict):
    id: int
    unit_id: int
    url: str
    status: str
    created_at: str
    disabled_at: str | None


class NewEndpointView(EndpointView):
    secret: str


class SubscriptionView(TypedDict):
    id: int
    unit_id: int
    kind: str
    field: str | None
    list_type: str | None
    created_at: str


class DeliveryMoveView(TypedDict):
    from_status: str | None
    to_status: str
    action: str
    status_code: int | None
    note: str | None
    at: str


class DeliveryView(TypedDict):
    id: int
    notice_id: int
    notice_kind: str
    endpoint_id: int
    url: str
    unit_id: int
    status: str
    attempts: int
    next_attempt_at: str | None
    last_attempt_at: str | None
    last_status_code: int | None
    last_error: str | None
    created_at: str
    history: list[DeliveryMoveView]


def new_secret() -> str:
    """Standard Webhooks: `whsec_` and the base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _own_unit(principal: Principal) -> int:
    principal.require(Permission.WEBHOOKS_MANAGE)
    if principal.unit_id is None:
        raise InvalidInput(
            "webhook.no_unit", "webhooks belong to a unit: act for one (--unit on the CLI)"
        )
    return principal.unit_id


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _endpoint_view(row: Any) -> EndpointView:
    return {
        "id": row.id,
        "unit_id": row.unit_id,
        "url": row.url,
        "status": row.status,
        "created_at": row.created_at.isoformat(),
        "disabled_at": _iso(row.disabled_at),
    }


def add_endpoint(ctx: Context, principal: Principal, url: str) -> NewEndpointView:
    """Register a URL the unit's notices are POSTed to; the answer holds the signing
    secret, which is never shown again."""
    unit_id = _own_unit(principal)
    checked = check_url(url, ctx.webhook_allowed_hosts)
    secret = new_secret()
    with ctx.db.write() as conn:
        active = conn.execute(
            sa.select(webhook_endpoint.c.id, webhook_endpoint.c.url).where(
                webhook_endpoint.c.unit_id == unit_id,
                webhook_endpoint.c.status == EndpointStatus.ACTIVE.value,
            )
        ).all()
        same = next((e.id for e in active if e.url == checked), None)
        if same is not None:
            raise Conflict("webhook_endpoint.duplicate", f"endpoint {same} has that URL already")
        if len(active) >= MAX_ENDPOINTS:
            raise Conflict(
                "webhook_endpoint.too_many", f"a unit has at most {MAX_ENDPOINTS} endpoints"
            )
        now = ctx.now()
        endpoint_id = queries.insert_endpoint(
            conn,
            {
                "unit_id": unit_id,
                "url": checked,
                "secret": secret,
                "status": EndpointStatus.ACTIVE.value,
                "created_at": now,
                "created_by": principal.actor,
            },
        )
        audit.record(
            conn,
            ctx,
            principal,
            "webhook_endpoint.add",
            "webhook_endpoint",
            endpoint_id,
            after={"status": EndpointStatus.ACTIVE.value, "url": checked, "unit_id": unit_id},
        )
        row = conn.execute(
            sa.select(webhook_endpoint).where(webhook_endpoint.c.id == endpoint_id)
        ).one()
        return {**_endpoint_view(row), "secret": secret}


def _endpoint(conn: sa.Connection, principal: Principal, endpoint_id: int) -> Any:
    row = conn.execute(
        sa.select(webhook_endpoint).where(webhook_endpoint.c.id == endpoint_id)
    ).first()
    if row is None or not (sees_every_unit(principal) or row.unit_id == principal.unit_id):
        raise NotFound("webhook_endpoint.not_found", f"no webhook endpoint {endpoint_id}")
    return row


def endpoints(ctx: Context, principal: Principal) -> list[EndpointView]:
    """The unit's endpoints, active and removed (the platform: every unit's)."""
    principal.require(Permission.WEBHOOKS_MANAGE)
    query = sa.select(webhook_endpoint).order_by(webhook_endpoint.c.id)
    if not sees_every_unit(principal):
        query = query.where(webhook_endpoint.c.unit_id == principal.unit_id)
    with ctx.db.read() as conn:
        return [_endpoint_view(r) for r in conn.execute(query)]


def remove_endpoint(ctx: Context, principal: Principal, endpoint_id: int) -> EndpointView:
    """Stop POSTing to an endpoint (it stays in the log, disabled); what was queued for it
    is not sent (the sender marks it dead, saying why)."""
    principal.require(Permission.WEBHOOKS_MANAGE)
    with ctx.db.write() as conn:
        row = _endpoint(conn, principal, endpoint_id)
        after = ENDPOINT.next(row.status, "disable")
        queries.move_endpoint(conn, row.id, before=row.status, after=after, now=ctx.now())
        audit.record(
            conn,
            ctx,
            principal,
            "webhook_endpoint.disable",
            "webhook_endpoint",
            row.id,
            before={"status": row.status},
            after={"status": after},
        )
        return _endpoint_view(_endpoint(conn, principal, endpoint_id))


def _subscription_view(row: Any) -> SubscriptionView:
    return {
        "id": row.id,
        "unit_id": row.unit_id,
        "kind": row.kind,
        "field": row.field,
        "list_type": row.list_type,
        "created_at": row.created_at.isoformat(),
    }


def subscribe(
    ctx: Context,
    principal: Principal,
    *,
    kind: str,
    field: str | None = None,
    list_type: str | None = None,
) -> SubscriptionView:
    """LST-9: be told of new designations in a field (and/or of a list type; neither:
    every designation)."""
    unit_id = _own_unit(principal)
    chosen = parse_enum(SubscriptionKind, kind, "webhook_subscription.bad_kind")
    field = check_field(field)
    listed = (
        None
        if list_type is None
        else parse_enum(ListType, list_type, "webhook_subscription.bad_list_type").value
    )
    with ctx.db.write() as conn:
        mine = conn.execute(
            sa.select(
                webhook_subscription.c.id,
                webhook_subscription.c.kind,
                webhook_subscription.c.field,
                webhook_subscription.c.list_type,
            ).where(webhook_subscription.c.unit_id == unit_id)
        ).all()
        same = next(
            (s.id for s in mine if (s.kind, s.field, s.list_type) == (chosen, field, listed)),
            None,
        )
        if same is not None:
            raise Conflict(
                "webhook_subscription.duplicate", f"subscription {same} says that already"
            )
        if len(mine) >= MAX_SUBSCRIPTIONS:
            raise Conflict(
                "webhook_subscription.too_many",
                f"a unit has at most {MAX_SUBSCRIPTIONS} subscriptions",
            )
        sub_id = int(
            conn.execute(
                webhook_subscription.insert()
                .values(
                    unit_id=unit_id,
                    kind=chosen.value,
                    field=field,
                    list_type=listed,
                    created_at=ctx.now(),
                    created_by=principal.actor,
                )
                .returning(webhook_subscription.c.id)
            ).scalar_one()
        )
        audit.record(
            conn,
            ctx,
            principal,
            "webhook_subscription.add",
            "webhook_subscription",
            sub_id,
            after={"kind": chosen.value, "field": field, "list_type": listed},
        )
        row = conn.execute(
            sa.select(webhook_subscription).where(webhook_subscription.c.id == sub_id)
        ).one()
        return _subscription_view(row)


def subscriptions(ctx: Context, principal: Principal) -> list[SubscriptionView]:
    """The unit's subscriptions (the platform: every unit's)."""
    principal.require(Permission.WEBHOOKS_MANAGE)
    query = sa.select(webhook_subscription).order_by(webhook_subscription.c.id)
    if not sees_every_unit(principal):
        query = query.where(webhook_subscription.c.unit_id == principal.unit_id)
    with ctx.db.read() as conn:
        return [_subscription_view(r) for r in conn.execute(query)]


def unsubscribe(ctx: Context, principal: Principal, subscription_id: int) -> SubscriptionView:
    """End a subscription (deleted: it is a wish, not a fact; the audit event keeps it)."""
    principal.require(Permission.WEBHOOKS_MANAGE)
    with ctx.db.write() as conn:
        row = conn.execute(
            sa.select(webhook_subscription).where(webhook_subscription.c.id == subscription_id)
        ).first()
        if row is None or not (sees_every_unit(principal) or row.unit_id == principal.unit_id):
            raise NotFound(
                "webhook_subscription.not_found", f"no webhook subscription {subscription_id}"
            )
        conn.execute(webhook_subscription.delete().where(webhook_subscription.c.id == row.id))
        audit.record(
            conn,
            ctx,
            principal,
            "webhook_subscription.remove",
            "webhook_subscription",
            row.id,
            before={"kind": row.kind, "field": row.field, "list_type": row.list_type},
        )
        return _subscription_view(row)


def _delivery_query() -> sa.Select[Any]:
    return (
        sa.select(
            webhook_delivery,
            unit_notice.c.kind.label("notice_kind"),
            webhook_endpoint.c.url,
        )
        .join(unit_notice, unit_notice.c.id == webhook_delivery.c.notice_id)
        .join(webhook_endpoint, webhook_endpoint.c.id == webhook_delivery.c.endpoint_id)
    )


def _delivery_views(conn: sa.Connection, rows: list[Any]) -> list[DeliveryView]:
    moves: dict[int, list[DeliveryMoveView]] = {r.id: [] for r in rows}
    if rows:
        for m in conn.execute(
            sa.select(webhook_delivery_move)
            .where(webhook_delivery_move.c.delivery_id.in_(list(moves)))
            .order_by(webhook_delivery_move.c.id)
        ):
            moves[m.delivery_id].append(
                {
                    "from_status": m.from_status,
                    "to_status": m.to_status,
                    "action": m.action,
                    "status_code": m.status_code,
                    "note": m.note,
                    "at": m.at.isoformat(),
                }
            )
    return [
        {
            "id": r.id,
            "notice_id": r.notice_id,
            "notice_kind": r.notice_kind,
            "endpoint_id": r.endpoint_id,
            "url": r.url,
            "unit_id": r.unit_id,
            "status": r.status,
            "attempts": r.attempts,
            "next_attempt_at": _iso(r.next_attempt_at),
            "last_attempt_at": _iso(r.last_attempt_at),
            "last_status_code": r.last_status_code,
            "last_error": r.last_error,
            "created_at": r.created_at.isoformat(),
            "history": moves[r.id],
        }
        for r in rows
    ]


def deliveries(
    ctx: Context,
    principal: Principal,
    *,
    status: str | None = None,
    endpoint_id: int | None = None,
    limit: int = 100,
) -> list[DeliveryView]:
    """The delivery log, newest first: each notice POSTed to each endpoint, every attempt
    and its outcome (the platform: every unit's)."""
    principal.require(Permission.WEBHOOKS_MANAGE)
    query = _delivery_query()
    if status is not None:
        wanted = parse_enum(DeliveryStatus, status, "webhook_delivery.bad_status")
        query = query.where(webhook_delivery.c.status == wanted.value)
    if endpoint_id is not None:
        query = query.where(webhook_delivery.c.endpoint_id == endpoint_id)
    if not sees_every_unit(principal):
        query = query.where(webhook_delivery.c.unit_id == principal.unit_id)
    limit = max(1, min(limit, 1000))
    with ctx.db.read() as conn:
        rows = list(conn.execute(query.order_by(webhook_delivery.c.id.desc()).limit(limit)))
        return _delivery_views(conn, rows)


def redeliver(
    ctx: Context, principal: Principal, delivery_id: int, endpoint_id: int | None = None
) -> DeliveryView:
    """Send a notice to an endpoint again (a dead one, or one the receiver lost): queued
    now, with a fresh 24 hours of retries, under the same `webhook-id`. MEA-5: a notice
    whose endpoint the unit removed (a secret rotated, a receiver moved) goes to the
    endpoint named by `endpoint_id`, or to the unit's one active endpoint."""
    principal.require(Permission.WEBHOOKS_MANAGE)
    with ctx.db.write() as conn:
        row = conn.execute(_delivery_query().where(webhook_delivery.c.id == delivery_id)).first()
        if row is None or not (sees_every_unit(principal) or row.unit_id == principal.unit_id):
            raise NotFound("webhook_delivery.not_found", f"no webhook delivery {delivery_id}")
        target = row.endpoint_id
        if endpoint_id is not None:
            # The one named must be an active endpoint of the unit's (its own too: a
            # removed one is refused, not silently replaced).
            target = _active_endpoint_of(conn, row.unit_id, endpoint_id)
        elif row.status != DeliveryStatus.PENDING and _endpoint_gone(conn, row.endpoint_id):
            target = _only_active_endpoint(conn, row.unit_id, row.endpoint_id)
        if target != row.endpoint_id:
            # The endpoint may have its own delivery of this notice (registered before the
            # old one was removed): a second, under another webhook-id, could not be told
            # from the first. That one is the one to redeliver.
            own = conn.execute(
                sa.select(webhook_delivery.c.id).where(
                    webhook_delivery.c.notice_id == row.notice_id,
                    webhook_delivery.c.endpoint_id == target,
                )
            ).scalar()
            if own is not None:
                raise Conflict(
                    "webhook_delivery.illegal_transition",
                    f"endpoint {target} has this notice already (delivery {own}): "
                    "redeliver that one",
                )
        after = DELIVERY.next(row.status, "redeliver")
        now = ctx.now()
        queries.move_delivery(
            conn,
            row.id,
            before=row.status,
            after=after,
            action="redeliver",
            actor=principal.actor,
            now=now,
            window_from=now,
            next_attempt_at=now,
            endpoint_id=target,
        )
        audit.record(
            conn,
            ctx,
            principal,
            "webhook_delivery.redeliver",
            "webhook_delivery",
            row.id,
            before={"status": row.status, "endpoint_id": row.endpoint_id},
            after={"status": after, "endpoint_id": target},
        )
        fresh = conn.execute(_delivery_query().where(webhook_delivery.c.id == row.id)).one()
        return _delivery_views(conn, [fresh])[0]


def _active_endpoint_of(conn: sa.Connection, unit_id: int, endpoint_id: int) -> int:
    """`endpoint_id`, an active endpoint of the delivery's unit (else 404 or 409)."""
    status = conn.execute(
        sa.select(webhook_endpoint.c.status).where(
            webhook_endpoint.c.id == endpoint_id, webhook_endpoint.c.unit_id == unit_id
        )
    ).scalar()
    if status is None:
        raise NotFound("webhook_endpoint.not_found", f"no endpoint {endpoint_id} of this unit")
    if status != EndpointStatus.ACTIVE.value:
        raise Conflict("webhook_endpoint.illegal_transition", f"endpoint {endpoint_id} was removed")
    return endpoint_id


def _only_active_endpoint(conn: sa.Connection, unit_id: int, removed: int) -> int:
    """The unit's one active endpoint, for a delivery whose own was removed."""
    active = list(
        conn.execute(
            sa.select(webhook_endpoint.c.id)
            .where(
                webhook_endpoint.c.unit_id == unit_id,
                webhook_endpoint.c.status == EndpointStatus.ACTIVE.value,
            )
            .order_by(webhook_endpoint.c.id)
        ).scalars()
    )
    if len(active) == 1:
        return int(active[0])
    raise Conflict(
        "webhook_endpoint.illegal_transition",
        f"endpoint {removed} was removed: "
        + (
            "register an endpoint, then redeliver"
            if not active
            else f"name the endpoint to send it to (endpoint_id: one of {active})"
        ),
    )


def _endpoint_gone(conn: sa.Connection, endpoint_id: int) -> bool:
    status = conn.execute(
        sa.select(webhook_endpoint.c.status).where(webhook_endpoint.c.id == endpoint_id)
    ).scalar_one()
    return bool(status != EndpointStatus.ACTIVE.value)
