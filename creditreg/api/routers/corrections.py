"""Corrections of errors over HTTP (OBJ-5; Op(23), Art 66): the unit that made an entry
or record in error corrects it, with a written apology to the subject and a
reputation-restoring notice where it had been public; the subject claims compensation and
the unit decides it; the incentives received in error are listed for reclaiming."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from creditreg.api.deps import Ctx, public, require, require_any
from creditreg.api.routing import DocumentedRoute, PathId, errors
from creditreg.api.schemas.rights_corrections import (
    CompensationClaim,
    CompensationClaimIn,
    CompensationDecisionIn,
    CompensationPaymentIn,
    Correction,
    CorrectionIn,
    PublicCorrection,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.rights import compensation, corrections
from creditreg.services.rights.compensation import ClaimView
from creditreg.services.rights.corrections import CorrectionView, PublicCorrectionView

router = APIRouter(prefix="/api/v1", tags=["corrections"], route_class=DocumentedRoute)

Corrector = Annotated[
    Principal,
    Depends(
        require_any(
            Permission.LISTS_DESIGNATE, Permission.RECORDS_SUBMIT, Permission.OBJECTIONS_HANDLE
        )
    ),
]
Anyone = Annotated[Principal, Depends(require())]
Self = Annotated[Principal, Depends(require(Permission.RIGHTS_SELF))]


@router.post(
    "/corrections",
    status_code=201,
    response_model=Correction,
    responses=errors(
        {
            403: "not the unit that made the entry (`entry.not_designating_unit`) or the "
            "record's providing unit or the platform (`correction.not_your_record`)",
            404: "no such entry (`entry.not_found`) or record (`record.not_found`)",
            409: "the entry or record cannot be corrected in its status "
            "(`entry.illegal_transition`, `record.illegal_transition`)",
            422: "no error described (`correction.no_error`), a record without `fix` "
            "(`correction.fix_required`), or a `fix` for an entry "
            "(`correction.fix_not_applicable`)",
        }
    ),
)
def correct(ctx: Ctx, principal: Corrector, body: CorrectionIn) -> CorrectionView:
    """OBJ-5, Op(23), Art 66: an entry made in error is deleted and not kept; a record is
    withdrawn or returned to its provider. In the same transaction the unit's written
    apology goes to the subject, a reputation-restoring notice goes out where the item had
    been public, and a red-list entry's incentives are listed for reclaiming."""
    return corrections.correct(
        ctx,
        principal,
        target_type=body.target_type,
        target_id=body.target_id,
        error=body.error,
        fix=body.fix,
    )


@router.get("/corrections", response_model=list[Correction], responses=errors({}))
def list_corrections(
    ctx: Ctx,
    principal: Anyone,
    subject_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    reclaim: Annotated[
        bool | None, Query(description="only those with incentives to reclaim (Op(23))")
    ] = None,
) -> list[CorrectionView]:
    """The corrections you may read: a subject its own; a unit those of its errors; the
    units that read the lists those with incentives to reclaim; the platform all."""
    return corrections.listing(ctx, principal, subject_id=subject_id, reclaim=reclaim)


@router.get("/me/corrections", response_model=list[Correction], responses=errors({}))
def my_corrections(ctx: Ctx, principal: Self) -> list[CorrectionView]:
    """The subject's own corrections (OBJ-5): what was found wrong about it and how it was
    put right."""
    return corrections.listing(ctx, principal)


@router.get(
    "/corrections/{correction_id}",
    response_model=Correction,
    responses=errors({404: "no correction you may read (`correction.not_found`)"}),
)
def get_correction(correction_id: PathId, ctx: Ctx, principal: Anyone) -> CorrectionView:
    """One correction."""
    return corrections.get(ctx, principal, correction_id)


@router.get(
    "/public/corrections", dependencies=[Depends(public)], response_model=list[PublicCorrection]
)
def public_corrections(ctx: Ctx) -> list[PublicCorrectionView]:
    """The reputation-restoring notices in their publication period (Op(23)); a notice
    is gone the day after its period ends."""
    return corrections.public(ctx)


@router.post(
    "/corrections/{correction_id}/compensation-claims",
    status_code=201,
    response_model=CompensationClaim,
    responses=errors(
        {
            403: "not the subject the correction is about (`account.not_your_subject`, audited)",
            404: "no such correction (`correction.not_found`)",
            409: "a claim awaits its decision (`compensation.already_claimed`)",
            422: "a bad amount (`compensation.bad_amount`) or no grounds "
            "(`compensation.no_grounds`)",
        }
    ),
)
def claim(correction_id: PathId, body: CompensationClaimIn, ctx: Ctx, principal: Self) -> ClaimView:
    """Art 66, Op(23): the subject claims compensation for a loss the error caused; the
    unit that made the error is told in its inbox."""
    return compensation.claim(
        ctx, principal, correction_id, amount=body.amount, grounds=body.grounds
    )


@router.get("/compensation-claims", response_model=list[CompensationClaim], responses=errors({}))
def list_claims(ctx: Ctx, principal: Anyone, status: str | None = None) -> list[ClaimView]:
    """The claims you may read: a subject its own, a unit those it decides, the platform
    all."""
    return compensation.listing(ctx, principal, status=status)


@router.get(
    "/compensation-claims/{claim_id}",
    response_model=CompensationClaim,
    responses=errors({404: "no claim you may read (`compensation.not_found`)"}),
)
def get_claim(claim_id: PathId, ctx: Ctx, principal: Anyone) -> ClaimView:
    """One claim with its history."""
    return compensation.get(ctx, principal, claim_id)


@router.post(
    "/compensation-claims/{claim_id}/decision",
    response_model=CompensationClaim,
    responses=errors(
        {
            403: "not the unit that made the error (`compensation.not_deciding_unit`)",
            404: "no such claim (`compensation.not_found`)",
            409: "the claim is decided already (`compensation.illegal_transition`)",
            422: "a grant without an amount, or a refusal with one",
        }
    ),
)
def decide_claim(
    claim_id: PathId, body: CompensationDecisionIn, ctx: Ctx, principal: Anyone
) -> ClaimView:
    """Art 66: grant (an amount) or refuse, with reasons; the subject is told."""
    return compensation.decide(
        ctx, principal, claim_id, outcome=body.outcome, reason=body.reason, amount=body.amount
    )


@router.post(
    "/compensation-claims/{claim_id}/payment",
    response_model=CompensationClaim,
    responses=errors(
        {
            403: "not the unit that made the error (`compensation.not_deciding_unit`)",
            404: "no such claim (`compensation.not_found`)",
            409: "the claim is not granted, or paid already (`compensation.illegal_transition`)",
        }
    ),
)
def pay_claim(
    claim_id: PathId, body: CompensationPaymentIn, ctx: Ctx, principal: Anyone
) -> ClaimView:
    """The payment of a granted claim, with its reference; the subject is told."""
    return compensation.pay(ctx, principal, claim_id, reference=body.reference)
