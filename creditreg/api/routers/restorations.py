"""Restoration of credit records (issue 10, part 7; RST-7, Art 43): the subject applies
from its own account; the platform or the providing unit decides within 1 working day."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from creditreg.api.deps import Ctx, require, require_any
from creditreg.api.routing import DocumentedRoute, PathId, errors
from creditreg.api.schemas.rights import (
    RecordRestoration,
    RecordRestorationDecisionIn,
    RecordRestorationIn,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.rights.record_restoration import Decider
from creditreg.services.rights import record_restoration
from creditreg.services.rights.views import RecordRestorationView

router = APIRouter(prefix="/api/v1", tags=["record restoration"], route_class=DocumentedRoute)
Self = Annotated[Principal, Depends(require(Permission.RIGHTS_SELF))]
Decider_ = Annotated[
    Principal, Depends(require_any(Permission.RECORDS_VERIFY, Permission.RECORDS_SUBMIT))
]
SubjectOrReader = Annotated[
    Principal, Depends(require_any(Permission.RIGHTS_SELF, Permission.RECORDS_READ))
]


@router.post(
    "/me/record-restorations",
    status_code=201,
    response_model=RecordRestoration,
    responses=errors(
        {
            403: "only a subject account applies (`account.subjects_only`)",
            404: "no record of yours has that id (`record.not_found`)",
            409: "the record is not untrustworthy (`record_restoration.not_untrustworthy`), "
            "no longer displayed (`record_restoration.not_displayed`), not restorable yet "
            "(`record_restoration.too_early`, with `details.restorable_from`), or an "
            "application awaits its decision (`record_restoration.pending`)",
        }
    ),
)
def apply(body: RecordRestorationIn, ctx: Ctx, principal: Self) -> RecordRestorationView:
    """RST-7, Art 43: restore an untrustworthy record after correcting the conduct; decided
    within 1 working day by the platform or the providing unit you apply to."""
    return record_restoration.apply(
        ctx,
        principal,
        record_id=body.record_id,
        decider=Decider(body.decider),
        statement=body.statement,
    )


@router.get("/me/record-restorations", response_model=list[RecordRestoration])
def mine(ctx: Ctx, principal: Self) -> list[RecordRestorationView]:
    """The subject's applications, with deadlines and decisions."""
    return record_restoration.of_subject(ctx, principal, principal.subject_id or 0)


@router.get(
    "/subjects/{subject_id}/record-restorations",
    response_model=list[RecordRestoration],
    responses=errors({403: "another subject's (`account.not_your_subject`, audited)"}),
)
def of_subject(
    subject_id: PathId, ctx: Ctx, principal: SubjectOrReader
) -> list[RecordRestorationView]:
    """A subject's applications: for the subject and for units that read records."""
    return record_restoration.of_subject(ctx, principal, subject_id)


@router.get("/record-restorations", response_model=list[RecordRestoration])
def awaiting(ctx: Ctx, principal: Decider_) -> list[RecordRestorationView]:
    """Applications awaiting a decision, oldest deadline first: all of them for the
    platform, those made to it for a providing unit."""
    return record_restoration.awaiting(ctx, principal)


@router.post(
    "/record-restorations/{application_id}/decision",
    response_model=RecordRestoration,
    responses=errors(
        {
            403: "an application made to the platform is decided by the platform "
            "(`access.missing_permission`), one made to the providing unit by that unit "
            "(`record.not_item_provider`)",
            404: "no application has that id (`record_restoration.not_found`)",
            409: "decided already (`record_restoration.illegal_transition`), or the record "
            "is no longer displayed (`record_restoration.not_displayed`)",
        }
    ),
)
def decide(
    application_id: PathId, body: RecordRestorationDecisionIn, ctx: Ctx, principal: Decider_
) -> RecordRestorationView:
    """Grant (the record leaves public display and the check at once) or refuse, with
    reasons; the subject receives the outcome in its inbox."""
    return record_restoration.decide(
        ctx, principal, application_id, outcome=body.outcome, reasons=body.reasons
    )
