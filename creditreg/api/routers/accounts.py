"""Subject accounts (issue 10, part 1; Art 40, SEC-1): activation codes, the binding step,
a subject's login, what it sees of itself, its inbox, and the printed notices units
deliver to subjects without an account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from creditreg.api.deps import Ctx, public, require, require_any
from creditreg.api.errors import error_response
from creditreg.api.routing import (
    INVALID,
    NOT_FOUND,
    UNAUTHENTICATED,
    UNAVAILABLE,
    DocumentedRoute,
    PathId,
    errors,
)
from creditreg.api.schemas.rights import (
    Account,
    ActivationIn,
    Binding,
    CodeIn,
    DeliveryIn,
    IssuedCode,
    MySubject,
    SubjectLoginIn,
    SubjectNotice,
    SubjectSession,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.rights.notices import Lang
from creditreg.services.access import subject_accounts
from creditreg.services.rights import accounts, notices
from creditreg.services.rights.views import (
    AccountView,
    BindingView,
    IssuedCodeView,
    MySubjectView,
    PrintableNotice,
    SubjectNoticeView,
)
from creditreg.web.printable import render_notice_html, render_notice_pdf
from creditreg.web.reports import FontMissing

router = APIRouter(prefix="/api/v1", tags=["accounts"], route_class=DocumentedRoute)
Issuer = Annotated[Principal, Depends(require(Permission.ACCOUNTS_ISSUE))]
Self = Annotated[Principal, Depends(require(Permission.RIGHTS_SELF))]
Deliverer = Annotated[
    Principal, Depends(require_any(Permission.ACCOUNTS_ISSUE, Permission.LISTS_DESIGNATE))
]
SubjectOrIssuer = Annotated[
    Principal, Depends(require_any(Permission.ACCOUNTS_ISSUE, Permission.RIGHTS_SELF))
]
LangQuery = Annotated[Lang, Query(description="`zh` (default) or `en`")]

NOT_YOURS = "a subject account asked about another subject (`account.not_your_subject`, audited)"
THROTTLED = (
    "too many failed attempts for the code (its first symbols) or the account, or from the "
    "address, within the window (`account.throttled`); retry after `Retry-After` seconds"
)


def _json_errors(statuses: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """Error statuses of an HTML route, said as JSON (the one error body): FastAPI would
    otherwise describe them in the route's own media type."""
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    return {
        status: {"description": text, "content": {"application/json": {"schema": ref}}}
        for status, text in statuses.items()
    }


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post(
    "/accounts/codes",
    status_code=201,
    response_model=IssuedCode,
    responses=errors({404: "no subject has that id (`subject.not_found`)"}),
)
def issue_code(body: CodeIn, ctx: Ctx, principal: Issuer) -> IssuedCodeView:
    """An operator's activation code after an identity check: the document type, its
    number (kept masked), who checked and when are recorded; an agent's binding also needs
    the organization's authorization letter. The code is shown this once."""
    return accounts.issue_code(
        ctx,
        principal,
        subject_id=body.subject_id,
        holder_role=body.holder_role,
        holder_name=body.holder_name,
        document_type=body.document_type,
        document_number=body.document_number,
        checked_by=body.checked_by,
        checked_on=body.checked_on,
        authorization_letter=body.authorization_letter,
    )


@router.post(
    "/accounts/activation",
    dependencies=[Depends(public)],
    status_code=201,
    response_model=Account,
    responses=errors(
        {
            401: "the code and the identifier match no code issued (`account.bad_code`)",
            409: "the code was used (`account.code_used`), expired (`account.code_expired`) "
            "or replaced by a later print (`account.code_superseded`); or the username is "
            "taken (`account.username_taken`)",
            429: THROTTLED,
        }
    ),
)
def activate(body: ActivationIn, ctx: Ctx, request: Request) -> AccountView:
    """The binding step: an activation code (printed on a written notice, or given by an
    operator after an identity check) and the identifier of the subject it was issued for
    open an account bound to that subject. A code works once, within 30 days (configurable)."""
    return accounts.activate(
        ctx,
        code=body.code,
        id_type=body.id_type,
        id_number=body.id_number,
        username=body.username,
        password=body.password,
        holder_name=body.holder_name,
        address=_address(request),
    )


@router.post(
    "/accounts/sessions",
    dependencies=[Depends(public)],
    response_model=SubjectSession,
    responses=errors(
        {401: "wrong username or password (`account.bad_credentials`)", 429: THROTTLED}
    ),
)
def login(body: SubjectLoginIn, ctx: Ctx, request: Request) -> dict[str, Any]:
    """A subject account's login: a session token (12 hours, configurable) that acts only
    on the account's own subject."""
    session = subject_accounts.login(ctx, body.username, body.password, _address(request))
    return {
        "token": session.token,
        "expires_at": session.expires_at,
        "account_id": session.account_id,
        "subject_id": session.subject_id,
        "username": session.username,
        "permissions": [Permission.RIGHTS_SELF.value],
    }


@router.get(
    "/accounts",
    response_model=list[Binding],
    responses=errors({403: NOT_YOURS, 404: "no subject has that id (`subject.not_found`)"}),
)
def accounts_of(
    ctx: Ctx,
    principal: SubjectOrIssuer,
    subject_id: Annotated[int, Query(ge=1, le=2**63 - 1, description="the subject")],
) -> list[BindingView]:
    """The accounts bound to a subject with their evidence (the operator, or the subject)."""
    return accounts.accounts_of(ctx, principal, subject_id)


@router.get("/me/subject", response_model=MySubject)
def me_subject(ctx: Ctx, principal: Self) -> MySubjectView:
    """The subject account's own subject and every account bound to it."""
    return accounts.my_subject(ctx, principal)


@router.get("/me/inbox", response_model=list[SubjectNotice])
def me_inbox(ctx: Ctx, principal: Self, lang: LangQuery = Lang.ZH) -> list[SubjectNoticeView]:
    """The subject's written notices and outcomes, newest first, in Chinese or English."""
    return notices.inbox(ctx, principal, lang)


@router.post(
    "/me/inbox/{notice_id}/read",
    response_model=SubjectNotice,
    responses=errors(
        {
            404: "no such notice in your inbox, or another subject's: said alike, and the "
            "attempt on another's audited (`subject_notice.not_found`)"
        }
    ),
)
def me_read(
    notice_id: PathId, ctx: Ctx, principal: Self, lang: LangQuery = Lang.ZH
) -> SubjectNoticeView:
    """Mark a notice read (audited)."""
    return notices.mark_read(ctx, principal, notice_id, lang)


@router.get("/subject-notices", response_model=list[SubjectNotice])
def awaiting_delivery(
    ctx: Ctx, principal: Deliverer, lang: LangQuery = Lang.ZH
) -> list[SubjectNoticeView]:
    """Notices the caller's unit has not yet recorded as delivered (all, for the platform)."""
    return notices.awaiting_delivery(ctx, principal, lang)


_PRINT_ERRORS = {
    401: UNAUTHENTICATED,
    403: "the token lacks the permission, or the notice is another unit's to "
    "deliver (`subject_notice.other_unit`)",
    404: NOT_FOUND,
    422: INVALID,
    503: UNAVAILABLE,
}
_HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "the printable notice"}
}
_PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the printable notice as PDF"},
    **_json_errors(
        {
            **_PRINT_ERRORS,
            503: f"{UNAVAILABLE}; or the CJK font PDFs embed is not installed "
            "(`report.font_missing`: the message names the Debian package)",
        }
    ),
}


@router.get(
    "/subject-notices/{notice_id}/printable",
    response_class=HTMLResponse,
    responses={**_HTML, **_json_errors(_PRINT_ERRORS)},
)
def preview(
    notice_id: PathId, ctx: Ctx, principal: Deliverer, lang: LangQuery = Lang.ZH
) -> HTMLResponse:
    """The notice as it will be printed, without an activation code: reading it changes
    nothing (the code a subject already holds stays valid). Print it for delivery with
    POST on the same path."""
    return HTMLResponse(
        render_notice_html(notices.printable(ctx, principal, notice_id, lang, for_delivery=False))
    )


_DELIVERED = {
    409: "the notice was delivered with its activation code: printing it again would void "
    "that code (`subject_notice.delivered_with_code`)"
}


@router.post(
    "/subject-notices/{notice_id}/printable",
    response_class=HTMLResponse,
    responses={**_HTML, **_json_errors({**_PRINT_ERRORS, **_DELIVERED})},
)
def printable(
    notice_id: PathId, ctx: Ctx, principal: Deliverer, lang: LangQuery = Lang.ZH
) -> HTMLResponse:
    """The notice printed for the designating unit to deliver (audited). While the subject
    has no account it carries a fresh activation code, and the code of any earlier print
    stops working."""
    return HTMLResponse(render_notice_html(notices.printable(ctx, principal, notice_id, lang)))


def _pdf(ctx: Ctx, notice: Callable[[], PrintableNotice], notice_id: int) -> Response:
    try:
        pdf = render_notice_pdf(notice(), ctx.report_font_file)
    except FontMissing as exc:
        return error_response(503, "report.font_missing", str(exc))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="notice-{notice_id}.pdf"'},
    )


@router.get("/subject-notices/{notice_id}/printable.pdf", response_class=Response, responses=_PDF)
def preview_pdf(
    notice_id: PathId, ctx: Ctx, principal: Deliverer, lang: LangQuery = Lang.ZH
) -> Response:
    """The preview as a PDF (Chinese in an embedded CJK font), without an activation code."""
    return _pdf(
        ctx,
        lambda: notices.printable(ctx, principal, notice_id, lang, for_delivery=False),
        notice_id,
    )


@router.post(
    "/subject-notices/{notice_id}/printable.pdf",
    response_class=Response,
    responses={**_PDF, **_json_errors(_DELIVERED)},
)
def printable_pdf(
    notice_id: PathId, ctx: Ctx, principal: Deliverer, lang: LangQuery = Lang.ZH
) -> Response:
    """The notice printed for delivery as a PDF, with a fresh activation code while the
    subject has no account (the code of any earlier print stops working)."""
    return _pdf(ctx, lambda: notices.printable(ctx, principal, notice_id, lang), notice_id)


@router.post(
    "/subject-notices/{notice_id}/delivered",
    response_model=SubjectNotice,
    responses=errors(
        {
            403: "the notice is another unit's to deliver (`subject_notice.other_unit`)",
            409: "its delivery was already recorded (`subject_notice.already_delivered`)",
        }
    ),
)
def delivered(
    notice_id: PathId, body: DeliveryIn, ctx: Ctx, principal: Deliverer
) -> SubjectNoticeView:
    """Record the date the printed notice was delivered to the subject (once)."""
    return notices.record_delivery(ctx, principal, notice_id, body.delivered_on)
