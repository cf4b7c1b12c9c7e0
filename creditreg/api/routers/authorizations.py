"""Written authorizations of authorized inquiry (issue 10, part 3; DIS-6, Art 22): the
subject grants and revokes them from its own account; a unit's inquiry is checked against
them; the subject sees every use."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from creditreg.api.deps import Ctx, require, require_any
from creditreg.api.routing import DocumentedRoute, PathId, errors
from creditreg.api.schemas.rights import (
    Authorization,
    AuthorizationIn,
    AuthorizedInquiry,
    InquiryIn,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.rights import authorizations
from creditreg.services.rights.views import AuthorizationView, AuthorizedInquiryView

router = APIRouter(prefix="/api/v1", tags=["authorizations"], route_class=DocumentedRoute)
Self = Annotated[Principal, Depends(require(Permission.RIGHTS_SELF))]
SubjectOrReader = Annotated[
    Principal, Depends(require_any(Permission.RIGHTS_SELF, Permission.PERSONAL_READ))
]
Inquirer = Annotated[Principal, Depends(require(Permission.SUBJECTS_READ))]

NOT_FOUND = {404: "no authorization of yours has that id (`authorization.not_found`)"}


@router.post(
    "/me/authorizations",
    status_code=201,
    response_model=Authorization,
    responses=errors(
        {
            403: "only a subject account grants (`account.subjects_only`)",
            404: "no unit has that id (`unit.not_found`)",
        }
    ),
)
def grant(body: AuthorizationIn, ctx: Ctx, principal: Self) -> AuthorizationView:
    """DIS-6, Art 22: the subject's written authorization of an inquiry into its non-public
    information by a named unit, for a purpose and a period."""
    return authorizations.grant(
        ctx,
        principal,
        unit_id=body.unit_id,
        purpose=body.purpose,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        document_ref=body.document_ref,
    )


@router.get("/me/authorizations", response_model=list[Authorization])
def mine(ctx: Ctx, principal: Self) -> list[AuthorizationView]:
    """The subject's authorizations, each with every inquiry it allowed."""
    return authorizations.of_subject(ctx, principal, principal.subject_id or 0)


@router.post(
    "/me/authorizations/{authorization_id}/revocation",
    response_model=Authorization,
    responses=errors(
        {
            **NOT_FOUND,
            409: "the authorization is revoked already (`authorization.illegal_transition`)",
        }
    ),
)
def revoke(authorization_id: PathId, ctx: Ctx, principal: Self) -> AuthorizationView:
    """The subject withdraws an authorization: inquiries under it stop at once."""
    return authorizations.revoke(ctx, principal, authorization_id)


@router.get(
    "/subjects/{subject_id}/authorizations",
    response_model=list[Authorization],
    responses=errors(
        {403: "a subject account asked about another subject (`account.not_your_subject`)"}
    ),
)
def of_subject(subject_id: PathId, ctx: Ctx, principal: SubjectOrReader) -> list[AuthorizationView]:
    """A subject's authorizations and their uses: for the subject, and for units that read
    personal information (the platform's operators)."""
    return authorizations.of_subject(ctx, principal, subject_id)


@router.post(
    "/subjects/{subject_id}/authorized-inquiry",
    response_model=AuthorizedInquiry,
    responses=errors(
        {
            403: "no written authorization of the subject for your unit and this purpose is "
            "in force today (`authorization.missing`, audited), or the caller is not a unit "
            "(`authorization.units_only`)"
        }
    ),
)
def inquire(
    subject_id: PathId, body: InquiryIn, ctx: Ctx, principal: Inquirer
) -> AuthorizedInquiryView:
    """DIS-6, Art 22: the subject's live records of the authorized-inquiry mode, released
    only under the subject's written authorization for this unit and purpose; the use is
    recorded and the subject sees it."""
    return authorizations.inquire(ctx, principal, subject_id, body.purpose)
