"""The working-day calendar (CAL-1..3)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from creditreg.api.deps import Ctx, public, require
from creditreg.api.routing import DocumentedRoute
from creditreg.api.schemas.kernel import (
    CalendarDay,
    CalendarDaySet,
    CountIn,
    DayIn,
    ScheduleIn,
    ScheduleLoaded,
    WorkingDayCount,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.kernel.calendar import Count, Day, Span
from creditreg.services.kernel import calendar

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"], route_class=DocumentedRoute)
Editor = Annotated[Principal, Depends(require(Permission.CALENDAR_WRITE))]


def day_dict(d: Day) -> dict[str, Any]:
    return {
        "day": d.day,
        "working": d.working,
        "source": d.source,
        "provisional": d.provisional,
        "note": d.note,
    }


def count_dict(c: Count) -> dict[str, Any]:
    return {
        "start": c.start,
        "working_days": c.working_days,
        "due": c.due,
        "provisional": c.provisional,
        "explanation": c.explain(),
        "counted": [d.day for d in c.counted],
        "paused": list(c.paused),
    }


@router.get("/days/{day}", dependencies=[Depends(public)], response_model=CalendarDay)
def get_day(day: date, ctx: Ctx) -> dict[str, Any]:
    """Whether a day is a working day, and where that comes from."""
    return day_dict(calendar.day(ctx, day))


@router.put("/days/{day}", response_model=CalendarDaySet)
def set_day(day: date, body: DayIn, ctx: Ctx, principal: Editor) -> dict[str, Any]:
    """CAL-2: correct one day; stored deadlines spanning it are recomputed."""
    result, recomputed = calendar.set_day(ctx, principal, day, body.working, body.note)
    return {**day_dict(result), "recomputed_deadlines": recomputed}


@router.post("/count", dependencies=[Depends(public)], response_model=WorkingDayCount)
def count(body: CountIn, ctx: Ctx) -> dict[str, Any]:
    """CAL-1: the end of the n-th working day after `start` (which is not counted)."""
    pauses = [Span(p.start, p.end, p.reason) for p in body.pauses]
    return count_dict(calendar.count(ctx, body.start, body.working_days, pauses))


@router.post("/schedules", status_code=201, response_model=ScheduleLoaded)
def load_schedule(body: ScheduleIn, ctx: Ctx, principal: Editor) -> dict[str, Any]:
    """CAL-2: load a year's official schedule; provisional deadlines are recomputed."""
    result = calendar.load_schedule(ctx, principal, body.text)
    return {
        "year": result.year,
        "days": result.days,
        "recomputed_deadlines": result.recomputed,
        "still_provisional": result.still_provisional,
    }
