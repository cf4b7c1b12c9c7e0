"""The outbox, for the platform operator: domain events after a cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from creditreg.api.deps import Ctx, require
from creditreg.api.routing import DocumentedRoute
from creditreg.api.schemas.kernel import DomainEvent, EventPage
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.kernel import events as event_service

router = APIRouter(prefix="/api/v1", tags=["events"], route_class=DocumentedRoute)
Operator = Annotated[Principal, Depends(require(Permission.AUDIT_READ))]


@router.get("/events", response_model=EventPage)
def events(
    ctx: Ctx,
    principal: Operator,
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="a cursor: 0 or `next`")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EventPage:
    """Domain events after a cursor (the outbox), in commit order, for the platform
    operator. Outbox consumers inside the platform keep durable cursors of their own."""
    page = event_service.page(ctx, principal, after, limit)
    return EventPage(
        events=[
            DomainEvent.model_validate(
                {
                    "position": e.position,
                    "kind": e.kind,
                    "object_type": e.object_type,
                    "object_id": e.object_id,
                    "payload": e.payload,
                    "payload_digest": e.payload_digest,
                    "occurred_at": e.occurred_at,
                    "purged": e.purged,
                }
            )
            for e in page.events
        ],
        next=page.next,
    )
