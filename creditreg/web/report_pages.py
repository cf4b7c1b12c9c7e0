"""The public page that verifies a credit report (RIG-2): anyone enters the number and
digest printed on a report and reads whether it is genuine and unaltered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from creditreg.api.deps import Ctx, public
from creditreg.domain.errors import DomainError, InvalidInput
from creditreg.services.rights import reports
from creditreg.web.reports import render_verification_html

router = APIRouter(include_in_schema=False)


@router.get("/reports/verify", response_class=HTMLResponse, dependencies=[Depends(public)])
def verify_page(
    ctx: Ctx,
    number: Annotated[str | None, Query()] = None,
    digest: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """The form, and the verdict on the number and digest given. A person's mistake (one
    of the two left out, a value too long, a character no text holds) is said on the page,
    in Chinese and English, with what was typed kept in the form; never a JSON error."""
    typed = {"number": (number or "")[:_KEPT], "digest": (digest or "")[:_KEPT]}
    if not number and not digest:
        return HTMLResponse(render_verification_html(None, None, typed))
    try:
        if not number or not digest:
            raise InvalidInput("report.incomplete", "give both the number and the digest")
        if len(number) > _KEPT or len(digest) > _KEPT:
            raise InvalidInput("report.invalid_number", "not a report number: far too long")
        verdict = reports.verify_digest(ctx, number, digest)
    except DomainError as exc:
        return HTMLResponse(
            render_verification_html(None, (exc.code, exc.message), typed), status_code=exc.status
        )
    return HTMLResponse(render_verification_html(verdict, None, typed))


_KEPT = 200  # what a typed value may be, and what of it the form shows again
