"""Self-inquiry and credit reports (issue 10, parts 2 and 9; RIG-1..3, Art 40), and the
public verification of a report (no token).

A subject account reaches its own subject (`/me/...`, or its id); an operator at the
counter (`accounts:issue`) acts for a subject by id, and its read is registered (SEC-2).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from creditreg.api.deps import Ctx, public, require, require_any
from creditreg.api.errors import error_response
from creditreg.api.query_purpose import StatedPurpose
from creditreg.api.routing import (
    INVALID,
    NOT_FOUND,
    UNAUTHENTICATED,
    UNAVAILABLE,
    DocumentedRoute,
    PathId,
    errors,
)
from creditreg.api.schemas.rights_reports import (
    PublicKey,
    Report,
    ReportIn,
    ReportListed,
    SelfInquiry,
    Verification,
    VerifyIn,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.rights.notices import Lang
from creditreg.services.access import subject_accounts
from creditreg.services.context import Context
from creditreg.services.rights import inquiry, reports
from creditreg.web.reports import FontMissing, render_report_html, render_report_pdf

router = APIRouter(prefix="/api/v1", tags=["rights"], route_class=DocumentedRoute)
Self = Annotated[Principal, Depends(require(Permission.RIGHTS_SELF))]
SelfOrCounter = Annotated[
    Principal, Depends(require_any(Permission.ACCOUNTS_ISSUE, Permission.RIGHTS_SELF))
]
LangQuery = Annotated[Lang, Query(description="`zh` (default) or `en`")]

NOT_YOURS = "a subject account asked about another subject (`account.not_your_subject`, audited)"
ISSUE_ERRORS = errors(
    {
        403: NOT_YOURS,
        404: "no subject has that id (`subject.not_found`)",
        409: "the year's free reports of this kind are used and `accept_fee` was not given "
        "(`report.no_free_report_left`, with the fee)",
        422: "a specialised report for a natural person (`report.specialised_for_"
        "organizations`), or a period that ends in the future, starts after it ends or "
        "reaches more than five years back (`report.invalid_period`)",
    }
)
FONT = (
    "the CJK font PDF reports embed is not installed (`report.font_missing`: the message "
    "names the Debian package fonts-wqy-zenhei)"
)


def _report(issued: reports.IssuedReport) -> dict[str, Any]:
    return {
        "number": issued.number,
        "kind": issued.kind,
        "subject_id": issued.subject_id,
        "free": issued.free,
        "fee_fen": issued.fee_fen,
        "digest": issued.digest,
        "signature": issued.signature,
        "key_id": issued.key_id,
        "content": issued.content,
    }


def _issue(ctx: Context, principal: Principal, subject_id: int, body: ReportIn) -> dict[str, Any]:
    return _report(
        reports.issue(
            ctx,
            principal,
            subject_id,
            body.kind,
            period_from=body.period_from,
            period_to=body.period_to,
            accept_fee=body.accept_fee,
        )
    )


@router.get(
    "/subjects/{subject_id}/self-inquiry",
    response_model=SelfInquiry,
    responses=errors({403: NOT_YOURS}),
)
def self_inquiry(
    subject_id: PathId, ctx: Ctx, principal: SelfOrCounter, purpose: StatedPurpose
) -> dict[str, Any]:
    """RIG-1, RIG-3: free, unlimited self-inquiry: records by disclosure mode with their
    sources and changes, list entries with their history, open objections, consents, and
    who read the subject's information in the last two years. For the subject's own
    account, or an operator at the counter (whose read is registered)."""
    return inquiry.self_inquiry(ctx, principal, subject_id, purpose)


@router.get("/me/self-inquiry", response_model=SelfInquiry)
def my_self_inquiry(ctx: Ctx, principal: Self) -> dict[str, Any]:
    """RIG-1: the subject account's own self-inquiry."""
    return inquiry.self_inquiry(ctx, principal, subject_accounts.require_self(principal))


@router.post(
    "/subjects/{subject_id}/reports",
    status_code=201,
    response_model=Report,
    responses=ISSUE_ERRORS,
)
def issue(subject_id: PathId, body: ReportIn, ctx: Ctx, principal: SelfOrCounter) -> dict[str, Any]:
    """RIG-2: issue a signed credit report (full, or specialised field by field for an
    organization over a period it chooses). Two free a year per kind (Art 40)."""
    return _issue(ctx, principal, subject_id, body)


@router.post("/me/reports", status_code=201, response_model=Report, responses=ISSUE_ERRORS)
def issue_mine(body: ReportIn, ctx: Ctx, principal: Self) -> dict[str, Any]:
    """RIG-2: a report for the subject account's own subject."""
    return _issue(ctx, principal, subject_accounts.require_self(principal), body)


@router.get(
    "/subjects/{subject_id}/reports",
    response_model=list[ReportListed],
    responses=errors({403: NOT_YOURS}),
)
def listed(subject_id: PathId, ctx: Ctx, principal: SelfOrCounter) -> list[dict[str, Any]]:
    """The reports issued to a subject, newest first."""
    return reports.of_subject(ctx, principal, subject_id)


NUMBER_ERRORS = errors(
    {
        403: NOT_YOURS,
        404: "no report has that number (`report.not_found`)",
        422: "not a report number (`report.invalid_number`)",
    }
)


@router.get("/reports/{number}", response_model=Report, responses=NUMBER_ERRORS)
def get(number: str, ctx: Ctx, principal: SelfOrCounter) -> dict[str, Any]:
    """An issued report with its content, digest and signature (to verify offline)."""
    return _report(reports.get(ctx, principal, number))


RENDERING = {
    401: UNAUTHENTICATED,
    403: NOT_YOURS,
    404: NOT_FOUND,
    422: INVALID,
    503: UNAVAILABLE,
}


def _rendering_errors(media: str, what: str, statuses: dict[int, str]) -> dict[int | str, Any]:
    """A non-JSON route's answer and its error statuses, said as JSON (the one error body)."""
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    return {
        200: {"content": {media: {}}, "description": what},
        **{
            status: {"description": text, "content": {"application/json": {"schema": ref}}}
            for status, text in statuses.items()
        },
    }


@router.get(
    "/reports/{number}/html",
    response_class=HTMLResponse,
    responses=_rendering_errors("text/html", "the report as HTML", RENDERING),
)
def as_html(
    number: str, ctx: Ctx, principal: SelfOrCounter, lang: LangQuery = Lang.ZH
) -> HTMLResponse:
    """The report as HTML, printing its number and SHA-256 digest."""
    return HTMLResponse(render_report_html(reports.get(ctx, principal, number), lang.value))


@router.get(
    "/reports/{number}/pdf",
    response_class=Response,
    responses=_rendering_errors(
        "application/pdf",
        "the report as PDF (a CJK font embedded)",
        {**RENDERING, 503: f"{UNAVAILABLE}; or {FONT}"},
    ),
)
def as_pdf(number: str, ctx: Ctx, principal: SelfOrCounter, lang: LangQuery = Lang.ZH) -> Response:
    """The report as PDF, printing its number and SHA-256 digest; Chinese renders with an
    embedded TrueType CJK font."""
    issued = reports.get(ctx, principal, number)
    try:
        pdf = render_report_pdf(issued, ctx.report_font_file, lang.value)
    except FontMissing as exc:
        return error_response(503, "report.font_missing", str(exc))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{issued.number}.pdf"'},
    )


@router.post(
    "/public/reports/verification",
    dependencies=[Depends(public)],
    response_model=Verification,
    responses=errors(
        {
            404: "no report has that number (`report.not_found`)",
            422: "the copy was altered (`report.altered`), the signature is not the "
            "platform's (`report.bad_signature`), or the input is not a number and digest "
            "nor a report's content (`report.invalid_number`, `report.invalid_digest`, "
            "`report.invalid_content`, `report.nothing_to_verify`)",
        }
    ),
)
def verify(body: VerifyIn, ctx: Ctx) -> dict[str, Any]:
    """Anyone: is a presented report genuine and unaltered? Give the number and digest
    printed on it, or its content (the canonical JSON), optionally with a signature."""
    if body.content is not None:
        verdict = reports.verify_content(ctx, body.content, body.signature)
    elif body.number is not None and body.digest is not None:
        verdict = reports.verify_digest(ctx, body.number, body.digest)
    else:
        raise InvalidInput(
            "report.nothing_to_verify", "give the number and digest, or the report's content"
        )
    return verdict.__dict__


@router.get("/public/reports/key", dependencies=[Depends(public)], response_model=PublicKey)
def key(ctx: Ctx) -> dict[str, Any]:
    """The public half of the report signing key (Ed25519, PEM): verify offline."""
    pem, key_id = reports.public_key(ctx)
    return {"key_id": key_id, "public_key_pem": pem}


@router.get(
    "/public/reports/key.pem",
    dependencies=[Depends(public)],
    response_class=PlainTextResponse,
    responses=_rendering_errors(
        "application/x-pem-file", "the public key (PEM)", {503: UNAVAILABLE}
    ),
)
def key_pem(ctx: Ctx) -> PlainTextResponse:
    """The same public key as a PEM file."""
    pem, _ = reports.public_key(ctx)
    return PlainTextResponse(pem, media_type="application/x-pem-file")
