"""The check over HTTP (MEA-3, MEA-7, SUB-4, SEC-2): what an implementing unit's approval,
procurement, licensing, funding, honours or hiring system calls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from creditreg.api.deps import Ctx, require
from creditreg.api.routing import DocumentedRoute, errors
from creditreg.api.schemas.measures_check import (
    CheckAnswer,
    CheckBatchAnswer,
    CheckBatchIn,
    CheckIn,
    SharedRecords,
    SharedRecordsIn,
)
from creditreg.domain.access.principals import Principal
from creditreg.services.measures import check as checks
from creditreg.services.measures import shared_records as shared

router = APIRouter(prefix="/api/v1", tags=["check"], route_class=DocumentedRoute)

Caller = Annotated[Principal, Depends(require())]
REFUSED = (
    "not an implementing unit (`check.not_implementing_unit`) or without the "
    "`measures:check` scope (`access.missing_permission`); the attempt is audited and "
    "registered"
)
BAD_IDENTIFIER = (
    "unknown identifier type (`subject.unknown_id_type`), malformed identifier "
    "(`subject.invalid_uscc`, `subject.invalid_ric`, `subject.invalid_document`, "
    "`subject.invalid_lei`), unknown purpose (`check.unknown_purpose`), `other` without a "
    "note (`check.note_required`), a bad note (`check.bad_note`)"
)


@router.post(
    "/check", response_model=CheckAnswer, responses=errors({403: REFUSED, 422: BAD_IDENTIFIER})
)
def check(ctx: Ctx, principal: Caller, body: CheckIn) -> checks.Answer:
    """MEA-3, Op(12): every list entry in force of the subject (and of its linked persons,
    Art 35), the Art 32 records usable for joint discipline, every measure the memoranda in
    force oblige the caller's unit to apply, with basis, memorandum and triggering entry,
    the green-channel measures of a red-listed subject (MEA-7) and an under-objection mark.
    A subject with nothing in force gets `clean: true` with the as-of time. The answer is
    in the query register before it is sent (SEC-2)."""
    return checks.check(ctx, principal, body.id_type, body.id_number, body.purpose, body.note)


@router.post(
    "/check/batch",
    response_model=CheckBatchAnswer,
    responses=errors(
        {
            403: REFUSED,
            422: BAD_IDENTIFIER + "; an empty batch (`check.empty_batch`), more than 1,000 "
            "identifiers (`check.batch_too_large`) or one twice "
            "(`check.duplicate_identifier`); `details.index` names the identifier",
        }
    ),
)
def check_batch(ctx: Ctx, principal: Caller, body: CheckBatchIn) -> dict[str, object]:
    """MEA-3: procurement screening, up to 1,000 identifiers answered (and registered)
    together, in the order given."""
    answers = checks.check_batch(
        ctx,
        principal,
        [(i.id_type, i.id_number) for i in body.identifiers],
        body.purpose,
        body.note,
    )
    return {
        "purpose": body.purpose.strip().lower(),
        "count": len(answers),
        "in_force": sum(1 for a in answers if not a.clean),
        "answers": answers,
    }


@router.post(
    "/check/records",
    response_model=SharedRecords,
    responses=errors(
        {
            403: REFUSED,
            404: "no subject has the identifier (`subject.not_found`)",
            422: BAD_IDENTIFIER + "; a mode other than public_display and government_sharing "
            "(`check.bad_mode`), or authorized_inquiry, which needs the subject's written "
            "authorization (`check.authorization_required`)",
        }
    ),
)
def shared_records(ctx: Ctx, principal: Caller, body: SharedRecordsIn) -> shared.SharedRecords:
    """DIS-1, Art 18, Art 22: the subject's live records by disclosure mode, for the
    implementing unit's duties (government sharing includes the public ones); registered
    with the ids returned and the answer's digest (SEC-2)."""
    return shared.read(
        ctx, principal, body.id_type, body.id_number, body.mode, body.purpose, body.note
    )
