"""The credit-information catalog (CAT-1..4)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from creditreg.api.deps import Ctx, public, require, require_any
from creditreg.api.routing import DocumentedRoute, PathId, QueryVersion, errors
from creditreg.api.schemas.records import AssessmentIn, CatalogItem, ItemIn
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.records import catalog

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"], route_class=DocumentedRoute)
Writer = Annotated[Principal, Depends(require(Permission.CATALOG_WRITE))]
# Platform operators draft public items; market providers file their own (Art 14).
Drafter = Annotated[
    Principal, Depends(require_any(Permission.CATALOG_WRITE, Permission.CATALOG_FILE))
]
NOT_A_DRAFT = {409: "the item version is not a draft (`catalog.not_draft`)"}


@router.get("", dependencies=[Depends(public)], response_model=list[CatalogItem])
def published(ctx: Ctx) -> list[dict[str, Any]]:
    """The approved catalog, as published (Art 11), by Art 12 class."""
    return [item.as_dict() for item in catalog.published(ctx)]


@router.get(
    "/{code}",
    dependencies=[Depends(public)],
    response_model=CatalogItem,
    responses=errors({409: "that version is a draft, not approved (`catalog.not_approved`)"}),
)
def item(code: str, ctx: Ctx, version: QueryVersion = None) -> dict[str, Any]:
    """One item's approved version (or a named, non-draft version) with its template."""
    return catalog.find(ctx, code, version).as_dict()


@router.post(
    "/items",
    status_code=201,
    response_model=CatalogItem,
    responses=errors(
        {
            404: "no such providing unit",
            409: "a draft of this code is pending (`catalog.draft_pending`)",
        }
    ),
)
def draft(body: ItemIn, ctx: Ctx, principal: Drafter) -> dict[str, Any]:
    """Draft a new item or a new version (market providers file their own: Art 14)."""
    parsed = catalog.parse_draft(body.item.model_dump(exclude_none=True))
    return catalog.draft_item(ctx, principal, parsed, body.providing_unit_id).as_dict()


@router.post(
    "/items/{item_id}/assessment", response_model=CatalogItem, responses=errors(NOT_A_DRAFT)
)
def assess(item_id: PathId, body: AssessmentIn, ctx: Ctx, principal: Writer) -> dict[str, Any]:
    """CAT-2: record the expert assessment and the public-comment period."""
    return catalog.record_assessment(
        ctx,
        principal,
        item_id,
        expert_assessment=body.expert_assessment,
        comment_start=body.comment_start,
        comment_end=body.comment_end,
    ).as_dict()


@router.post("/items/{item_id}/approve", response_model=CatalogItem, responses=errors(NOT_A_DRAFT))
def approve(item_id: PathId, ctx: Ctx, principal: Writer) -> dict[str, Any]:
    """Approve a draft; the previous version is retired for new records."""
    return catalog.approve(ctx, principal, item_id).as_dict()
