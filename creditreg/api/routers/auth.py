"""Password login for people; who am I."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from creditreg.api.deps import Ctx, public, require
from creditreg.api.routing import DocumentedRoute, errors
from creditreg.api.schemas.access import LoginIn, Me, Session
from creditreg.domain.access.principals import Principal
from creditreg.services.access import access

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], route_class=DocumentedRoute)


@router.post(
    "/login",
    dependencies=[Depends(public)],
    response_model=Session,
    responses=errors({401: "wrong username or password (`auth.bad_credentials`)"}),
)
def login(body: LoginIn, ctx: Ctx) -> dict[str, Any]:
    """Exchange a username and password for a session token (8 hours)."""
    issued = access.login(ctx, body.username, body.password)
    return {"token": issued.token, "expires_at": issued.expires_at, "scopes": issued.scopes}


@router.get("/me", response_model=Me)
def me(principal: Annotated[Principal, Depends(require())]) -> dict[str, Any]:
    """The caller: unit, scope and permissions."""
    return access.principal_dict(principal)
