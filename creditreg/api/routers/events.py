"""The outbox, for the platform operator: domain events after a cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from creditreg.api.deps import Ctx, require
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.kernel import events as event_service

router = APIRouter(prefix="/api/v1", tags=["events"])
Operator = Annotated[Principal, Depends(require(Permission.AUDIT_READ))]


class EventOut(BaseModel):
    """One domain event. `payload` says what changed (ids, statuses, dates, reason
    codes), never a personal ID number; it is empty once its object was deleted in
    error (`purged`), while `payload_digest` stays."""

    position: int = Field(description="the cursor value after this event")
    kind: str = Field(examples=["list_entry.designated"])
    object_type: str
    object_id: str
    payload: dict[str, Any]
    payload_digest: str | None
    occurred_at: datetime
    purged: bool


class EventPage(BaseModel):
    """Events after a cursor, in commit order; ask again with `after=next`."""

    events: list[EventOut]
    next: int


@router.get("/events", response_model=EventPage)
def events(
    ctx: Ctx,
    principal: Operator,
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="a cursor: 0 or `next`")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EventPage:
    """Domain events after a cursor (the outbox), for the platform operator."""
    page = event_service.page(ctx, principal, after, limit)
    return EventPage(
        events=[EventOut.model_validate(e, from_attributes=True) for e in page.events],
        next=page.next,
    )
