"""Notices to implementing units and their webhooks over HTTP (MEA-5, LST-9; issue 11):
a unit registers endpoints (Standard Webhooks, signed), subscribes to designations in
its fields, reads its notices and the delivery log, and asks for a redelivery."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from creditreg.api.deps import Ctx, require, require_any
from creditreg.api.routing import DocumentedRoute, PathId, QueryId, errors
from creditreg.api.schemas.measures_webhooks import (
    NewWebhookEndpoint,
    UnitNotice,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEndpointIn,
    WebhookSubscription,
    WebhookSubscriptionIn,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.measures import unit_notices, webhooks
from creditreg.services.measures.unit_notices import UnitNoticeView
from creditreg.services.measures.webhooks import (
    DeliveryView,
    EndpointView,
    NewEndpointView,
    SubscriptionView,
)

router = APIRouter(prefix="/api/v1", tags=["webhooks"], route_class=DocumentedRoute)

Manager = Annotated[Principal, Depends(require(Permission.WEBHOOKS_MANAGE))]
Reader = Annotated[
    Principal, Depends(require_any(Permission.WEBHOOKS_MANAGE, Permission.INBOX_READ))
]


@router.post(
    "/webhooks/endpoints",
    status_code=201,
    response_model=NewWebhookEndpoint,
    responses=errors(
        {
            409: "the unit has an active endpoint with that URL (`webhook_endpoint.duplicate`) "
            "or 10 already (`webhook_endpoint.too_many`)",
            422: "not an http(s) URL (`webhook.bad_url`), a loopback, private or local host "
            "the operator did not allow (`webhook.host_not_allowed`), or no unit to act for "
            "(`webhook.no_unit`)",
        }
    ),
)
def add_endpoint(ctx: Ctx, principal: Manager, body: WebhookEndpointIn) -> NewEndpointView:
    """Register a URL the unit's notices are POSTed to, signed as the Standard Webhooks
    specification says; the answer holds the secret to verify them with, shown once."""
    return webhooks.add_endpoint(ctx, principal, body.url)


@router.get("/webhooks/endpoints", response_model=list[WebhookEndpoint], responses=errors({}))
def list_endpoints(ctx: Ctx, principal: Manager) -> list[EndpointView]:
    """The unit's endpoints, removed ones included (the platform: every unit's)."""
    return webhooks.endpoints(ctx, principal)


@router.delete(
    "/webhooks/endpoints/{endpoint_id}",
    response_model=WebhookEndpoint,
    responses=errors(
        {
            404: "no endpoint of yours, or, for the platform's operators, none at all "
            "(`webhook_endpoint.not_found`)",
            409: "removed already (`webhook_endpoint.illegal_transition`)",
        }
    ),
)
def remove_endpoint(endpoint_id: PathId, ctx: Ctx, principal: Manager) -> EndpointView:
    """Stop POSTing to the endpoint: it stays, disabled, in the delivery log. A unit
    removes its own; the platform's operators may remove any unit's (one that misbehaves),
    audited."""
    return webhooks.remove_endpoint(ctx, principal, endpoint_id)


@router.post(
    "/webhooks/subscriptions",
    status_code=201,
    response_model=WebhookSubscription,
    responses=errors(
        {
            409: "the unit has that subscription (`webhook_subscription.duplicate`) or 100 "
            "(`webhook_subscription.too_many`)",
            422: "not a field (`webhook_subscription.unknown_field`), or no unit to act for "
            "(`webhook.no_unit`)",
        }
    ),
)
def subscribe(ctx: Ctx, principal: Manager, body: WebhookSubscriptionIn) -> SubscriptionView:
    """LST-9: be told (inbox and webhooks) of each new designation in a field, of a list
    type, or of every one. Stop notices (MEA-5) need no subscription."""
    return webhooks.subscribe(
        ctx, principal, kind=body.kind, field=body.field, list_type=body.list_type
    )


@router.get(
    "/webhooks/subscriptions", response_model=list[WebhookSubscription], responses=errors({})
)
def list_subscriptions(ctx: Ctx, principal: Manager) -> list[SubscriptionView]:
    """The unit's subscriptions (the platform: every unit's)."""
    return webhooks.subscriptions(ctx, principal)


@router.delete(
    "/webhooks/subscriptions/{subscription_id}",
    response_model=WebhookSubscription,
    responses=errors({404: "no subscription of yours (`webhook_subscription.not_found`)"}),
)
def unsubscribe(subscription_id: PathId, ctx: Ctx, principal: Manager) -> SubscriptionView:
    """End a subscription; the answer is what it was."""
    return webhooks.unsubscribe(ctx, principal, subscription_id)


@router.get(
    "/webhooks/deliveries",
    response_model=list[WebhookDelivery],
    responses=errors({422: "not a delivery status (`webhook_delivery.bad_status`)"}),
)
def list_deliveries(
    ctx: Ctx,
    principal: Manager,
    status: Literal["pending", "delivered", "retrying", "dead"] | None = None,
    endpoint_id: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeliveryView]:
    """The delivery log, newest first: each notice to each endpoint, every attempt with
    the receiver's answer or the error, and the next retry."""
    return webhooks.deliveries(ctx, principal, status=status, endpoint_id=endpoint_id, limit=limit)


@router.post(
    "/webhooks/deliveries/{delivery_id}/redeliver",
    response_model=WebhookDelivery,
    responses=errors(
        {
            404: "no delivery of yours (`webhook_delivery.not_found`), or an `endpoint_id` "
            "that is not the unit's (`webhook_endpoint.not_found`)",
            409: "queued already (`webhook_delivery.illegal_transition`), or its endpoint "
            "was removed and no one active endpoint stands in for it, or the one named was "
            "removed (`webhook_endpoint.illegal_transition`)",
        }
    ),
)
def redeliver(
    delivery_id: PathId, ctx: Ctx, principal: Manager, endpoint_id: QueryId = None
) -> DeliveryView:
    """Send the notice again (a dead delivery, or one the receiver lost): queued for the
    next pass of the sender, with 24 hours of retries and the same `webhook-id`. If its
    endpoint was removed (a secret rotated, a receiver moved), it goes to `endpoint_id`,
    or to the unit's one active endpoint."""
    return webhooks.redeliver(ctx, principal, delivery_id, endpoint_id)


@router.get(
    "/unit-notices",
    response_model=list[UnitNotice],
    responses=errors({422: "not a kind of notice (`unit_notice.bad_kind`)"}),
)
def list_unit_notices(
    ctx: Ctx,
    principal: Reader,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="the last id read")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[UnitNoticeView]:
    """The unit's notices, oldest first after `after`: stop notices when an entry it acted
    on ended (MEA-5), designations it subscribed to (LST-9)."""
    return unit_notices.listing(ctx, principal, kind=kind, after=after, limit=limit)
