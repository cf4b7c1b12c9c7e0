"""The server's clock; movable only in test-clock mode."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from creditreg.api.deps import Ctx, public, require
from creditreg.api.routing import DocumentedRoute, errors
from creditreg.api.schemas.kernel import ClockMoved, ClockMoveIn, ClockNow
from creditreg.clock import SystemClock
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.kernel import clock

router = APIRouter(prefix="/api/v1/clock", tags=["clock"], route_class=DocumentedRoute)


@router.get("", dependencies=[Depends(public)], response_model=ClockNow)
def now(ctx: Ctx) -> dict[str, Any]:
    """The time the server works with, and whether it is real."""
    return {
        "now": ctx.now(),
        "today": ctx.today(),
        "real": isinstance(ctx.clock, SystemClock),
        "movable": ctx.movable_clock is not None,
    }


@router.post(
    "",
    response_model=ClockMoved,
    responses=errors(
        {
            409: "the server does not run in test-clock mode (`clock.not_movable`)",
            422: "both a moment and a duration, a move backwards (`clock.backwards`) or "
            "beyond the year 9000 (`clock.bad_move`)",
        }
    ),
)
def move(
    body: ClockMoveIn,
    ctx: Ctx,
    principal: Annotated[Principal, Depends(require(Permission.CLOCK_CONTROL))],
) -> dict[str, Any]:
    """Move the test clock forward (refused unless the server runs in test-clock mode)."""
    # A moment and a duration together say two things: refused (clock.bad_move).
    asked_by = body.to is None or bool(body.days or body.hours)
    by = timedelta(days=body.days, hours=body.hours) if asked_by else None
    moved = clock.move(ctx, principal, to=body.to, by=by)
    return {"now": moved}
