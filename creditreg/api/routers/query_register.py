"""The query register reviewed (SEC-2, Op(24)): every read of a subject's information by
a unit, filtered by unit, subject, period and purpose, as JSON pages or a CSV export."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from creditreg.api.deps import Ctx, require
from creditreg.api.routing import MAX_ID, Day, DocumentedRoute, errors
from creditreg.api.schemas.access import RegisteredQuery
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.access import query_register

router = APIRouter(prefix="/api/v1", tags=["query register"], route_class=DocumentedRoute)
Auditor = Annotated[Principal, Depends(require(Permission.AUDIT_READ))]
BAD_FILTER = errors(
    {
        422: "the period ends before it begins (`query.bad_period`) or an unknown purpose "
        "(`query.invalid_purpose`)"
    }
)
IdFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _review(
    ctx: Ctx,
    principal: Principal,
    unit_id: int | None,
    subject_id: int | None,
    since: date | None,
    until: date | None,
    purpose: str | None,
    after_id: int,
    limit: int,
) -> list[query_register.RegisteredQuery]:
    return query_register.review(
        ctx,
        principal,
        unit_id=unit_id,
        subject_id=subject_id,
        since_day=since,
        until_day=until,
        purpose=purpose,
        after_id=after_id,
        limit=limit,
    )


@router.get("/query-register", response_model=list[RegisteredQuery], responses=BAD_FILTER)
def review(
    ctx: Ctx,
    principal: Auditor,
    unit_id: IdFilter = None,
    subject_id: IdFilter = None,
    since: Annotated[Day | None, Query(description="first day (China time), included")] = None,
    until: Annotated[Day | None, Query(description="last day (China time), included")] = None,
    purpose: Annotated[str | None, Query(max_length=40)] = None,
    after_id: Annotated[int, Query(ge=0, le=MAX_ID, description="page after this id")] = 0,
    limit: Annotated[int, Query(ge=1, le=query_register.MAX_REVIEW)] = 100,
) -> list[query_register.RegisteredQuery]:
    """Op(24): the register's rows in id order, filtered; page with `after_id`."""
    return _review(ctx, principal, unit_id, subject_id, since, until, purpose, after_id, limit)


@router.get(
    "/query-register.csv",
    response_class=Response,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string", "format": "csv"}}},
            "headers": {
                "X-Next-After-Id": {
                    "description": "present when the page is full: more rows may follow; "
                    "ask again with `after_id` set to it",
                    "schema": {"type": "integer"},
                }
            },
        },
        **BAD_FILTER,
    },
)
def export(
    ctx: Ctx,
    principal: Auditor,
    unit_id: IdFilter = None,
    subject_id: IdFilter = None,
    since: Annotated[Day | None, Query()] = None,
    until: Annotated[Day | None, Query()] = None,
    purpose: Annotated[str | None, Query(max_length=40)] = None,
    after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=query_register.MAX_REVIEW)] = 1000,
) -> Response:
    """The same rows as CSV (UTF-8, header row): id, at, unit, actor, subject, purpose,
    note, what, object, returned (JSON), answer digest. A full page (`limit` rows) says
    where the next begins in its `X-Next-After-Id` header: an export is never cut short
    silently."""
    rows = _review(ctx, principal, unit_id, subject_id, since, until, purpose, after_id, limit)
    headers = {"Content-Disposition": 'attachment; filename="query-register.csv"'}
    if rows and len(rows) == limit:
        headers["X-Next-After-Id"] = str(rows[-1].id)
    return Response(query_register.as_csv(rows), media_type="text/csv", headers=headers)
