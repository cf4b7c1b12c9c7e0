"""Self-declaration (issue 10, part 8; ING-6, Art 15): a subject declares its own
information against catalog items meant for subjects; a credit pledge is judged kept or
broken by its providing unit or the platform."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from creditreg.api.deps import Ctx, require, require_any
from creditreg.api.routing import DocumentedRoute, PathId, errors
from creditreg.api.schemas.records import Declaration, DeclarationIn, Pledge, PledgeJudgementIn
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.records import declarations
from creditreg.services.records.declarations import DeclarationView
from creditreg.services.records.views import PledgeView

router = APIRouter(prefix="/api/v1", tags=["self-declaration"], route_class=DocumentedRoute)
Self = Annotated[Principal, Depends(require(Permission.RIGHTS_SELF))]
Judge = Annotated[
    Principal, Depends(require_any(Permission.RECORDS_SUBMIT, Permission.RECORDS_VERIFY))
]
SubjectOrReader = Annotated[
    Principal, Depends(require_any(Permission.RIGHTS_SELF, Permission.RECORDS_READ))
]


@router.post(
    "/me/declarations",
    status_code=201,
    response_model=Declaration,
    responses=errors(
        {
            403: "only a subject account declares (`account.subjects_only`); the item is not "
            "meant for subjects (`declaration.item_not_for_subjects`), or the row names another "
            "subject (`declaration.not_your_subject`); refusals are audited",
            404: "no approved catalog item has that code (`catalog.not_found`)",
            409: "declared already (`declaration.duplicate`)",
            422: "the row breaks the item's template (`declaration.invalid`; the message "
            "names every problem, `details.field` the first field at fault)",
        }
    ),
)
def declare(body: DeclarationIn, ctx: Ctx, principal: Self) -> DeclarationView:
    """ING-6, Art 15: declare your own information (a declaration, a voluntary
    registration or a credit pledge); stored marked self-declared, under the item's
    providing unit, and verified like every record (Art 17). Nothing is kept on a refusal."""
    return declarations.declare(ctx, principal, code=body.catalog, data=body.data)


@router.get("/me/declarations", response_model=list[Declaration])
def mine(ctx: Ctx, principal: Self) -> list[DeclarationView]:
    """Your self-declared records, credit pledges with their performance."""
    return declarations.of_subject(ctx, principal, principal.subject_id or 0)


@router.get(
    "/subjects/{subject_id}/declarations",
    response_model=list[Declaration],
    responses=errors({403: "another subject's (`account.not_your_subject`, audited)"}),
)
def of_subject(subject_id: PathId, ctx: Ctx, principal: SubjectOrReader) -> list[DeclarationView]:
    """A subject's self-declared records: for the subject and units that read records."""
    return declarations.of_subject(ctx, principal, subject_id)


@router.post(
    "/records/{record_id}/pledge-performance",
    response_model=Pledge,
    responses=errors(
        {
            403: "a pledge is judged by its item's providing unit (`record.not_item_provider`) "
            "or the platform",
            404: "the record is not a credit pledge (`pledge.not_found`)",
            409: "judged already (`pledge.illegal_transition`)",
            422: "no reason given (`pledge.no_reason`)",
        }
    ),
)
def judge(record_id: PathId, body: PledgeJudgementIn, ctx: Ctx, principal: Judge) -> PledgeView:
    """ING-6: a credit pledge kept or broken (pending -> kept | broken), with the reason;
    audited and announced as `pledge.kept` / `pledge.broken`."""
    return declarations.judge_pledge(
        ctx, principal, record_id, action=body.action, reason=body.reason
    )
