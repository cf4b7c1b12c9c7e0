"""Password login for people; who am I."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from creditreg.api.deps import Ctx, public, require
from creditreg.api.routing import DocumentedRoute, errors
from creditreg.api.schemas.access import LoggedOut, LoginIn, Me, Session
from creditreg.domain.access.principals import Principal
from creditreg.services.access import access, subject_accounts
from creditreg.services.access.views import (
    PrincipalView,
)

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], route_class=DocumentedRoute)


@router.post(
    "/login",
    dependencies=[Depends(public)],
    response_model=Session,
    responses=errors(
        {
            401: "wrong username or password (`auth.bad_credentials`)",
            429: "too many failed logins for the account or from the address within the "
            "window (`auth.throttled`); retry after the `Retry-After` header's seconds",
        }
    ),
)
def login(body: LoginIn, ctx: Ctx, request: Request) -> dict[str, Any]:
    """Exchange a username and password for a session token (8 hours). After 5 failures
    in 15 minutes (configurable) for an account or from an address, attempts are refused
    until the window passes."""
    address = request.client.host if request.client else "unknown"
    issued = access.login(ctx, body.username, body.password, address)
    return {"token": issued.token, "expires_at": issued.expires_at, "scopes": issued.scopes}


@router.get("/me", response_model=Me)
def me(principal: Annotated[Principal, Depends(require())]) -> PrincipalView:
    """The caller: unit, scope and permissions."""
    return access.principal_dict(principal)


@router.post(
    "/logout",
    response_model=LoggedOut,
    responses=errors({401: "no token, or one already revoked, expired or unknown"}),
)
def logout(
    ctx: Ctx, request: Request, _: Annotated[Principal, Depends(require())]
) -> dict[str, Any]:
    """End the caller's own session at once: the bearer token sent (a person's login, a
    subject account's session, or a machine's token) is refused from then on."""
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    who = subject_accounts.logout(ctx, token)
    return {"revoked": True, "actor": who.actor}
