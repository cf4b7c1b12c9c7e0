"""The credit-information catalog (CAT-1..4)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from creditreg.api.deps import Ctx, public, require
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.records import catalog

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])
Writer = Annotated[Principal, Depends(require(Permission.CATALOG_WRITE))]
Anyone = Annotated[Principal, Depends(require())]


class ItemIn(BaseModel):
    providing_unit_id: int
    item: dict[str, Any] = Field(
        description="code, name, content_class, info_kind, subject_kinds, character, "
        "disclosure, scope, information_items, reduces_rights, template (list of fields)"
    )


class AssessmentIn(BaseModel):
    expert_assessment: str = Field(min_length=1, max_length=20_000)
    comment_start: date
    comment_end: date


@router.get("", dependencies=[Depends(public)])
def published(ctx: Ctx) -> list[dict[str, Any]]:
    """The approved catalog, as published (Art 11), by Art 12 class."""
    return [item.as_dict() for item in catalog.published(ctx)]


@router.get("/{code}", dependencies=[Depends(public)])
def item(code: str, ctx: Ctx, version: int | None = None) -> dict[str, Any]:
    """One item's approved version (or a named, non-draft version) with its template."""
    return catalog.find(ctx, code, version).as_dict()


@router.post("/items", status_code=201)
def draft(body: ItemIn, ctx: Ctx, principal: Anyone) -> dict[str, Any]:
    """Draft a new item or a new version (market providers file their own: Art 14)."""
    parsed = catalog.parse_draft(body.item)
    return catalog.draft_item(ctx, principal, parsed, body.providing_unit_id).as_dict()


@router.post("/items/{item_id}/assessment")
def assess(item_id: int, body: AssessmentIn, ctx: Ctx, principal: Writer) -> dict[str, Any]:
    """CAT-2: record the expert assessment and the public-comment period."""
    return catalog.record_assessment(
        ctx,
        principal,
        item_id,
        expert_assessment=body.expert_assessment,
        comment_start=body.comment_start,
        comment_end=body.comment_end,
    ).as_dict()


@router.post("/items/{item_id}/approve")
def approve(item_id: int, ctx: Ctx, principal: Writer) -> dict[str, Any]:
    """Approve a draft; the previous version is retired for new records."""
    return catalog.approve(ctx, principal, item_id).as_dict()
