"""Portal pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from creditreg import __version__
from creditreg.api.deps import Ctx, public
from creditreg.domain.fields import field_label
from creditreg.domain.lists.notices import REMOVAL_REASONS, ROLE_LABELS, channels_text
from creditreg.domain.measures.feedback import GroupBy
from creditreg.services.lists import entry_views, standards
from creditreg.services.lists.entry_writer import LIST_LABELS
from creditreg.services.measures import measure_statistics
from creditreg.services.rights import corrections

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse, dependencies=[Depends(public)])
def home(request: Request, ctx: Ctx) -> HTMLResponse:
    """The portal's home page (a placeholder until the public inquiry pages arrive)."""
    return templates.TemplateResponse(
        request,
        "home.html",
        {
            "version": __version__,
            "today": ctx.today().isoformat(),
            "real_clock": ctx.movable_clock is None,
        },
    )


KIND_LABELS = {
    "announcement": "公示",
    "designation": "认定",
    "removal": "移出",
    "alert": "警示",
    "correction": "更正",
}


@router.get("/standards", response_class=HTMLResponse, dependencies=[Depends(public)])
def standards_page(request: Request, ctx: Ctx) -> HTMLResponse:
    """STD-1: the published standards with their procedures and rules."""
    return templates.TemplateResponse(
        request,
        "standards.html",
        {
            "version": __version__,
            "standards": standards.listing(ctx),
            "list_labels": {k.value: v for k, v in LIST_LABELS.items()},
        },
    )


@router.get("/lists", response_class=HTMLResponse, dependencies=[Depends(public)])
def lists_page(request: Request, ctx: Ctx) -> HTMLResponse:
    """DIS-4, DIS-5: what is published today; personal numbers masked (DIS-3)."""
    return templates.TemplateResponse(
        request,
        "lists.html",
        {
            "version": __version__,
            "items": entry_views.publications(ctx),
            "list_labels": {k.value: v for k, v in LIST_LABELS.items()},
            "kind_labels": KIND_LABELS,
            # A removal names its reason by code; the page says it in Chinese.
            "removal_labels": {k.value: v["zh"] for k, v in REMOVAL_REASONS.items()},
            "channels_text": channels_text,
            "role_labels": {k: v["zh"] for k, v in ROLE_LABELS.items()},
        },
    )


@router.get("/corrections", response_class=HTMLResponse, dependencies=[Depends(public)])
def corrections_page(request: Request, ctx: Ctx) -> HTMLResponse:
    """OBJ-5, Op(23): the reputation-restoring notices within their period (the same as
    GET /api/v1/public/corrections); gone the day after it ends."""
    return templates.TemplateResponse(
        request, "corrections.html", {"version": __version__, "items": corrections.public(ctx)}
    )


@router.get("/measures", response_class=HTMLResponse, dependencies=[Depends(public)])
def measures_page(request: Request, ctx: Ctx) -> HTMLResponse:
    """EXT-4, Op(12), Op(13): the statistics of rewards and punishments applied, by measure
    and by field, and the typical cases (GET /api/v1/public/measure-statistics and
    /api/v1/public/typical-cases)."""
    return templates.TemplateResponse(
        request,
        "measures.html",
        {
            "version": __version__,
            "by_measure": measure_statistics.published_statistics(ctx, GroupBy.MEASURE),
            "by_field": measure_statistics.published_statistics(ctx, GroupBy.FIELD),
            "cases": measure_statistics.published_cases(ctx),
            "field_label": lambda code: field_label(code).label_zh,
            "kind_labels": {"incentive": "激励", "punishment": "惩戒"},
        },
    )
