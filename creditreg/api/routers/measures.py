"""The catalog of measures and the memoranda of cooperation over HTTP (MEA-1, MEA-2;
Art 29, Op(12)): public to read; the platform compiles them (`measures:write`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from creditreg.api.deps import Ctx, public, require
from creditreg.api.routing import DocumentedRoute, errors
from creditreg.api.schemas.measures import (
    Measure,
    MeasureIn,
    MeasureUpdateIn,
    MeasureWithdrawIn,
    Memorandum,
    MemorandumIn,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.measures.catalog import measure_from_dict
from creditreg.domain.measures.memoranda import memorandum_from_dict
from creditreg.services.measures import catalog, memoranda
from creditreg.services.measures.catalog import MeasureView
from creditreg.services.measures.memoranda import MemorandumView

router = APIRouter(prefix="/api/v1", tags=["measures"], route_class=DocumentedRoute)

Compiler = Annotated[Principal, Depends(require(Permission.MEASURES_WRITE))]
NOT_FOUND = {404: "no measure of that code (`measure.not_found`)"}


@router.get(
    "/measures",
    dependencies=[Depends(public)],
    response_model=list[Measure],
    responses=errors(
        {
            422: "a filter that names no trigger (`measure.bad_trigger`), kind "
            "(`measure.bad_kind`) or status (`measure.bad_status`: active, withdrawn)"
        }
    ),
)
def list_measures(
    ctx: Ctx,
    trigger: Annotated[str | None, Query(max_length=30)] = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> list[MeasureView]:
    """MEA-1, Art 29: the public catalog: each measure's content, the facts it answers,
    its implementing units and its legal basis."""
    return catalog.listing(ctx, trigger, kind, status)


@router.get(
    "/measures/{code}",
    dependencies=[Depends(public)],
    response_model=Measure,
    responses=errors(NOT_FOUND),
)
def get_measure(ctx: Ctx, code: str) -> MeasureView:
    """MEA-1: one measure."""
    return catalog.get(ctx, code)


@router.post(
    "/measures",
    status_code=201,
    response_model=Measure,
    responses=errors(
        {
            409: "the catalog has that code (`measure.code_taken`)",
            403: "a unit other than the platform (`measure.platform_only`)",
            422: "a bad code, kind, trigger or severity (`measure.bad_code`, `measure.bad_kind`, "
            "`measure.bad_trigger`, `measure.bad_severity`), an incentive off the red list "
            "(`measure.kind_mismatch`), a unit that does not implement "
            "(`measure.not_implementing_unit`), an empty content or basis "
            "(`measure.missing_element`), a text too long or a malformed value "
            "(`measure.bad_input`)",
        }
    ),
)
def create_measure(ctx: Ctx, principal: Compiler, body: MeasureIn) -> MeasureView:
    """MEA-1, Art 29: a new measure of the catalog."""
    return catalog.create(ctx, principal, measure_from_dict(body.model_dump(exclude_unset=True)))


@router.patch(
    "/measures/{code}",
    response_model=Measure,
    responses=errors(
        {
            **NOT_FOUND,
            403: "a unit other than the platform (`measure.platform_only`)",
            409: "the measure is withdrawn (`measure.illegal_transition`)",
            422: "an empty content or basis (`measure.missing_element`), a malformed value "
            "(`measure.bad_input`), a unit that does not implement "
            "(`measure.not_implementing_unit`), facilitation on a measure that is not a red "
            "list incentive (`measure.kind_mismatch`); a key other than the body's fields "
            "(kind, trigger and severity never change) is `request.invalid`",
        }
    ),
)
def update_measure(ctx: Ctx, principal: Compiler, code: str, body: MeasureUpdateIn) -> MeasureView:
    """Art 29: correct a measure's texts, basis or implementing units."""
    return catalog.update(ctx, principal, code, body.model_dump(exclude_unset=True))


@router.post(
    "/measures/{code}/withdraw",
    response_model=Measure,
    responses=errors(
        {
            **NOT_FOUND,
            403: "a unit other than the platform (`measure.platform_only`)",
            409: "withdrawn already (`measure.illegal_transition`)",
            422: "no reason given (`measure.no_reason`)",
        }
    ),
)
def withdraw_measure(
    ctx: Ctx, principal: Compiler, code: str, body: MeasureWithdrawIn
) -> MeasureView:
    """Art 29: withdraw a measure: memoranda stop obliging it; nothing may name it again."""
    return catalog.withdraw(ctx, principal, code, body.reason)


@router.get(
    "/memoranda",
    dependencies=[Depends(public)],
    response_model=list[Memorandum],
    responses=errors(
        {
            422: "a status that is none, or `draft` (`memorandum.bad_status`: published, "
            "in_force, superseded, ended; drafts are not public)"
        }
    ),
)
def list_memoranda(
    ctx: Ctx, status: Annotated[str | None, Query(max_length=20)] = None
) -> list[MemorandumView]:
    """MEA-2, Op(12): the memoranda of cooperation, every published version."""
    return memoranda.listing(ctx, status)


@router.get(
    "/memoranda/{code}",
    dependencies=[Depends(public)],
    response_model=Memorandum,
    responses=errors({404: "no such memorandum, or only a draft (`memorandum.not_found`)"}),
)
def get_memorandum(
    ctx: Ctx, code: str, version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None
) -> MemorandumView:
    """MEA-2: a memorandum's version in force (else its newest), or the version named."""
    return memoranda.get(ctx, code, version)


@router.post(
    "/memoranda",
    status_code=201,
    response_model=Memorandum,
    responses=errors(
        {
            403: "a unit other than the platform (`measure.platform_only`)",
            422: "a code that is not letters, digits, - and _ (`memorandum.bad_code`), no "
            "items (`memorandum.no_items`), an unknown or withdrawn measure "
            "(`memorandum.unknown_measure`), one its trigger never makes grave enough "
            "(`memorandum.measure_beyond_severity`) or does not answer "
            "(`memorandum.measure_wrong_list`), a trigger that is none "
            "(`memorandum.bad_trigger`), a field not of the taxonomy "
            "(`memorandum.unknown_field`), a unit that does not exist "
            "(`memorandum.unknown_unit`) or does not implement "
            "(`memorandum.not_implementing_unit`), bad dates (`memorandum.bad_date`), an "
            "item listed twice (`memorandum.duplicate_item`), a malformed value "
            "(`memorandum.bad_input`)",
        }
    ),
)
def create_memorandum(ctx: Ctx, principal: Compiler, body: MemorandumIn) -> MemorandumView:
    """MEA-2, Op(12): a memorandum's next version, as a draft."""
    raw = body.model_dump(mode="json")
    return memoranda.create(ctx, principal, memorandum_from_dict(raw))


@router.post(
    "/memoranda/{code}/publish",
    response_model=Memorandum,
    responses=errors(
        {
            403: "a unit other than the platform (`measure.platform_only`)",
            404: "no such memorandum (`memorandum.not_found`)",
            409: "its newest version is published already (`memorandum.already_published`)",
        }
    ),
)
def publish_memorandum(ctx: Ctx, principal: Compiler, code: str) -> MemorandumView:
    """MEA-2: publish the newest draft: in force from its effective date (at once if that
    has come; the sweep brings later ones into force and supersedes the previous version)."""
    return memoranda.publish(ctx, principal, code)
