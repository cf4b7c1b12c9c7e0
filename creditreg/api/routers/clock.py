"""The server's clock; movable only in test-clock mode."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from creditreg.api.deps import Ctx, public, require
from creditreg.clock import SystemClock
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.kernel import clock

router = APIRouter(prefix="/api/v1/clock", tags=["clock"])


class MoveIn(BaseModel):
    to: datetime | None = None
    days: int = Field(default=0, ge=0, le=3660)
    hours: int = Field(default=0, ge=0, le=24 * 3660)


@router.get("", dependencies=[Depends(public)])
def now(ctx: Ctx) -> dict[str, Any]:
    """The time the server works with, and whether it is real."""
    return {
        "now": ctx.now().isoformat(),
        "today": ctx.today().isoformat(),
        "real": isinstance(ctx.clock, SystemClock),
        "movable": ctx.movable_clock is not None,
    }


@router.post("")
def move(
    body: MoveIn,
    ctx: Ctx,
    principal: Annotated[Principal, Depends(require(Permission.CLOCK_CONTROL))],
) -> dict[str, Any]:
    """Move the test clock forward (refused unless the server runs in test-clock mode)."""
    by = timedelta(days=body.days, hours=body.hours) if body.to is None else None
    moved = clock.move(ctx, principal, to=body.to, by=by)
    return {"now": moved.isoformat()}
