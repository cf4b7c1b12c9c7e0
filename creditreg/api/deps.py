"""Who may call an endpoint. Every route declares exactly one of `public` or `require(...)`;
a test walks the app and fails on any route that declares neither."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from creditreg.domain.access import Permission, Principal
from creditreg.domain.errors import Unauthenticated
from creditreg.services import access
from creditreg.services.context import Context

_bearer = HTTPBearer(auto_error=False, description="An API token or a session token from login")

ACCESS_ATTR = "__creditreg_access__"
AUTHENTICATED = "authenticated"
PUBLIC = "public"


def context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


Ctx = Annotated[Context, Depends(context)]


def _principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthenticated("auth.missing_token", "send 'Authorization: Bearer <token>'")
    principal = access.authenticate(context(request), credentials.credentials)
    request.state.principal = principal
    return principal


def require(*permissions: Permission) -> Callable[..., Principal]:
    """A dependency giving the caller, after checking it holds every permission (403 if not)."""

    def dependency(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
        for permission in permissions:
            principal.require(permission)
        return principal

    label = " ".join(p.value for p in permissions) or AUTHENTICATED
    setattr(dependency, ACCESS_ATTR, label)
    return dependency


def public() -> None:
    """Marks an endpoint as open to anyone, on purpose."""


setattr(public, ACCESS_ATTR, PUBLIC)


def access_of(call: Any) -> str | None:
    """The access declaration a dependency carries, if any."""
    return getattr(call, ACCESS_ATTR, None)
