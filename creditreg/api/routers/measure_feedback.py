"""Feedback on measures applied over HTTP (MEA-4, LST-7; Op(9), Op(12), Op(13)):
implementing units report what they applied, the platform counts and marks typical
cases, and each entry shows the measures applied because of it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from creditreg.api.deps import Ctx, public, require
from creditreg.api.routing import MAX_ID, Day, DocumentedRoute, PathId, errors
from creditreg.api.schemas.measures_feedback import (
    FeedbackCount,
    MeasureFeedback,
    MeasureFeedbackIn,
    PublishedCase,
    TypicalIn,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.measures.feedback import GroupBy, parse_group
from creditreg.services.measures import measure_feedback as feedback
from creditreg.services.measures import measure_statistics
from creditreg.services.measures.measure_feedback import FeedbackView
from creditreg.services.measures.measure_statistics import Count
from creditreg.services.measures.measure_statistics import PublishedCase as PublishedCaseView

router = APIRouter(prefix="/api/v1", tags=["measure feedback"], route_class=DocumentedRoute)

Reporter = Annotated[Principal, Depends(require(Permission.MEASURES_CHECK))]
Anyone = Annotated[Principal, Depends(require())]
Operator = Annotated[Principal, Depends(require(Permission.MEASURES_WRITE))]
Reader = Annotated[Principal, Depends(require(Permission.LISTS_READ))]
IdFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]
BAD_STATS = (
    "an unknown grouping (`measure_feedback.bad_group`) or a period that ends before it "
    "begins (`measure_feedback.bad_period`)"
)
STATS_ERRORS = errors(
    {
        403: "neither the platform's auditors nor an implementing unit "
        "(`measure_feedback.not_implementing_unit`)",
        422: BAD_STATS,
    }
)


@router.post(
    "/measure-feedback",
    status_code=201,
    response_model=MeasureFeedback,
    responses=errors(
        {
            403: "not an implementing unit (`measure_feedback.not_implementing_unit`)",
            404: "the fact the measure answered is no longer kept (`measure_feedback.fact_gone`)",
            409: "reported already for this subject and case file (`measure_feedback.duplicate`)",
            422: "no check by your unit returned the measure for this subject (and fact) by "
            "that day (`measure_feedback.not_returned`), the check returned it for several "
            "facts and none is named (`measure_feedback.trigger_required`), the fact was not "
            "in force on that day (`measure_feedback.fact_ended`), a day in the "
            "future (`measure_feedback.future_date`), a bad case file, measure or note "
            "(`measure_feedback.bad_case_file`, `.bad_measure`, `.bad_note`), or both an "
            "entry and a record (`measure_feedback.two_triggers`)",
        }
    ),
)
def report(ctx: Ctx, principal: Reporter, body: MeasureFeedbackIn) -> FeedbackView:
    """MEA-4, Op(12): the measure the unit applied, held to what the check returned it."""
    return feedback.report(
        ctx,
        principal,
        subject_id=body.subject_id,
        measure_code=body.measure_code,
        applied_on=body.applied_on,
        case_file=body.case_file,
        entry_id=body.entry_id,
        record_id=body.record_id,
        note=body.note,
    )


@router.get(
    "/measure-feedback",
    response_model=list[MeasureFeedback],
    responses=errors({403: "not an implementing unit (`measure_feedback.not_implementing_unit`)"}),
)
def listing(
    ctx: Ctx,
    principal: Anyone,
    unit_id: IdFilter = None,
    subject_id: IdFilter = None,
    measure: Annotated[str | None, Query(max_length=40)] = None,
    typical: bool | None = None,
) -> list[FeedbackView]:
    """The reports (an implementing unit's own; every unit's for the platform's auditors);
    `typical=true` lists the typical cases (Op(13))."""
    return feedback.listing(
        ctx,
        principal,
        unit_id=unit_id,
        subject_id=subject_id,
        measure_code=measure,
        typical=typical,
    )


@router.post(
    "/measure-feedback/{feedback_id}/typical",
    response_model=MeasureFeedback,
    responses=errors(
        {
            404: "no such report (`measure_feedback.not_found`)",
            422: "marked typical without saying why (`measure_feedback.typical_needs_note`)",
        }
    ),
)
def mark_typical(
    feedback_id: PathId, ctx: Ctx, principal: Operator, body: TypicalIn
) -> FeedbackView:
    """Op(13): the platform marks a report as a typical case (or unmarks it)."""
    return feedback.mark_typical(ctx, principal, feedback_id, body.typical, body.note)


def _stats(
    ctx: Ctx, principal: Principal, by: str, since: date | None, until: date | None
) -> tuple[GroupBy, list[Count]]:
    group = parse_group(by)
    return group, measure_statistics.statistics(ctx, principal, group, since, until)


@router.get(
    "/measure-feedback/statistics", response_model=list[FeedbackCount], responses=STATS_ERRORS
)
def statistics(
    ctx: Ctx,
    principal: Anyone,
    by: Annotated[str, Query(description="measure, field, unit or month")] = "measure",
    since: Day | None = None,
    until: Day | None = None,
) -> list[Count]:
    """MEA-4, Op(12): how many measures were applied, by measure, field, unit or month."""
    return _stats(ctx, principal, by, since, until)[1]


@router.get(
    "/measure-feedback/statistics.csv",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string", "format": "csv"}}}},
        **STATS_ERRORS,
    },
)
def statistics_csv(
    ctx: Ctx,
    principal: Anyone,
    by: Annotated[str, Query(description="measure, field, unit or month")] = "measure",
    since: Day | None = None,
    until: Day | None = None,
) -> Response:
    """The same counts as CSV: key, label, applied, typical."""
    group, counts = _stats(ctx, principal, by, since, until)
    return Response(
        measure_statistics.as_csv(group, counts),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="measures-by-{group.value}.csv"'},
    )


@router.get(
    "/lists/entries/{entry_id}/applied-measures",
    response_model=list[MeasureFeedback],
    responses=errors({404: "no such entry (`entry.not_found`)"}),
)
def of_entry(entry_id: PathId, ctx: Ctx, principal: Reader) -> list[FeedbackView]:
    """LST-7, Op(9): the history of the measures applied because of the entry."""
    return feedback.of_entry(ctx, principal, entry_id)


@router.get(
    "/public/measure-statistics",
    dependencies=[Depends(public)],
    response_model=list[FeedbackCount],
    responses=errors({422: BAD_STATS}),
)
def published_statistics(
    ctx: Ctx,
    by: Annotated[str, Query(description="measure, field, unit or month")] = "measure",
    since: Day | None = None,
    until: Day | None = None,
) -> list[Count]:
    """EXT-4, Op(12), Op(28): the statistics of rewards and punishments applied, published
    (public): counts only, never a subject."""
    return measure_statistics.published_statistics(ctx, parse_group(by), since, until)


@router.get(
    "/public/typical-cases", dependencies=[Depends(public)], response_model=list[PublishedCase]
)
def published_cases(ctx: Ctx) -> list[PublishedCaseView]:
    """EXT-4, Op(13): the typical cases the platform marked, newest first (public): the
    measure, the unit that applied it, when, and the platform's summary, personal numbers
    masked and a person's name shown by its first character; never the case file."""
    return measure_statistics.published_cases(ctx)
