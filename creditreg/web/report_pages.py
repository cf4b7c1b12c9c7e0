"""The public page that verifies a credit report (RIG-2): anyone enters the number and
digest printed on a report and reads whether it is genuine and unaltered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from creditreg.api.deps import Ctx, public
from creditreg.domain.errors import DomainError
from creditreg.services.rights import reports
from creditreg.web.reports import render_verification_html

router = APIRouter(include_in_schema=False)


@router.get("/reports/verify", response_class=HTMLResponse, dependencies=[Depends(public)])
def verify_page(
    ctx: Ctx,
    number: Annotated[str | None, Query(max_length=2000)] = None,
    digest: Annotated[str | None, Query(max_length=2000)] = None,
) -> HTMLResponse:
    """The form, and the verdict on the number and digest given (a person's mistake, a
    value too long among them, is said on the page, never as a JSON error)."""
    if not number or not digest:
        return HTMLResponse(render_verification_html(None, None))
    try:
        verdict = reports.verify_digest(ctx, number, digest)
    except DomainError as exc:
        return HTMLResponse(
            render_verification_html(None, (exc.code, exc.message)), status_code=exc.status
        )
    return HTMLResponse(render_verification_html(verdict, None))
