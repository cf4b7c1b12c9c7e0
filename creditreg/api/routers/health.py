"""Liveness and version."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from creditreg import __version__
from creditreg.api.deps import Ctx, public
from creditreg.api.routing import DocumentedRoute
from creditreg.api.schemas.kernel import Health
from creditreg.store.migrate import current_revision

router = APIRouter(prefix="/api/v1", tags=["health"], route_class=DocumentedRoute)


@router.get("/health", dependencies=[Depends(public)], response_model=Health)
def health(ctx: Ctx) -> dict[str, Any]:
    """The server answers and its database is at the schema revision the code expects."""
    return {
        "status": "ok",
        "version": __version__,
        "database": ctx.db.dialect,
        "schema_revision": current_revision(ctx.db.engine),
    }
