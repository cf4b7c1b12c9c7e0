"""Portal pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from creditreg import __version__
from creditreg.api.deps import Ctx, public

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
