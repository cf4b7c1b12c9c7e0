"""Credit subjects and their identifiers (SUB-1..4)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from creditreg.api.deps import Ctx, public, require, require_any
from creditreg.api.query_purpose import StatedPurpose
from creditreg.api.routing import Day, DocumentedRoute, PathId, errors
from creditreg.api.schemas.subjects import (
    IdentifierCheck,
    IdentifierIn,
    Link,
    LinkedPerson,
    LinkIn,
    Subject,
    SubjectIn,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.subjects.identifiers import parse_identifier
from creditreg.services.subjects import subjects
from creditreg.services.subjects.views import (
    LinkedPersonView,
    LinkView,
)

router = APIRouter(prefix="/api/v1", tags=["subjects"], route_class=DocumentedRoute)
Reader = Annotated[Principal, Depends(require(Permission.SUBJECTS_READ))]
Writer = Annotated[Principal, Depends(require(Permission.SUBJECTS_WRITE))]
# Issue 10: a subject account reads its own subject (and only it: 403, audited).
ReaderOrSelf = Annotated[
    Principal, Depends(require_any(Permission.SUBJECTS_READ, Permission.RIGHTS_SELF))
]
NOT_YOURS = "a subject account asked about another subject (`account.not_your_subject`, audited)"


@router.post(
    "/subjects",
    status_code=201,
    response_model=Subject,
    responses=errors(
        {409: "the identifier or LEI is already registered (`subject.duplicate`, with its id)"}
    ),
)
def register(body: SubjectIn, ctx: Ctx, principal: Writer) -> dict[str, Any]:
    """Register a subject under its matching identifier (one subject per identifier)."""
    return subjects.register(
        ctx,
        principal,
        kind=body.kind,
        id_type=body.id_type,
        id_number=body.id_number,
        name=body.name,
        lei=body.lei,
        region=body.region,
    ).as_dict()


@router.post(
    "/subjects/lookup",
    response_model=Subject,
    responses=errors({404: "no subject has that identifier (`subject.not_found`)"}),
)
async def lookup(
    body: IdentifierIn, ctx: Ctx, principal: Reader, purpose: StatedPurpose
) -> dict[str, Any]:
    """Find a subject by identifier. POST, so that ID numbers never land in access logs.
    The read is registered with its purpose (SEC-2)."""
    # Inline on the event loop: a single indexed SELECT and a one-row INSERT (store.fast).
    return subjects.find(ctx, principal, body.id_type, body.id_number, purpose).as_dict()


@router.get("/subjects/{subject_id}", response_model=Subject, responses=errors({403: NOT_YOURS}))
def get(
    subject_id: PathId, ctx: Ctx, principal: ReaderOrSelf, purpose: StatedPurpose
) -> dict[str, Any]:
    """One subject; a natural person's document number is masked without personal:read.
    A unit's read is registered with its purpose (SEC-2)."""
    return subjects.get(ctx, principal, subject_id, purpose).as_dict()


@router.post("/subjects/{subject_id}/links", status_code=201, response_model=Link)
def link(subject_id: PathId, body: LinkIn, ctx: Ctx, principal: Writer) -> LinkView:
    """SUB-4: name a responsible person of an organization, for a period (the person by
    subject id or by identifier; an identifier given must be the registered person's)."""
    return subjects.link_person(
        ctx,
        principal,
        subject_id,
        body.person_id,
        body.role,
        body.valid_from,
        body.valid_to,
        id_type=body.id_type,
        id_number=body.id_number,
    )


@router.get(
    "/subjects/{subject_id}/links",
    response_model=list[LinkedPerson],
    responses=errors({403: NOT_YOURS}),
)
def links(
    subject_id: PathId,
    ctx: Ctx,
    principal: ReaderOrSelf,
    purpose: StatedPurpose,
    on: Day | None = None,
) -> list[LinkedPersonView]:
    """The organization's responsible persons (in force on a day, if `on` is given); a
    unit's read is registered for the organization and each person (SEC-2)."""
    return subjects.linked_persons(ctx, principal, subject_id, on, purpose)


@router.post(
    "/identifiers/validate", dependencies=[Depends(public)], response_model=IdentifierCheck
)
def validate(body: IdentifierIn) -> dict[str, Any]:
    """Check an identifier without storing or looking up anything."""
    ident = parse_identifier(body.id_type, body.id_number)
    return {"id_type": ident.type, "id_number": ident.number, "valid": True}
