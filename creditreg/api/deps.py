"""Who may call an endpoint. Every route declares exactly one of `public` or `require(...)`;
a test walks the app and fails on any route that declares neither."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Unauthenticated
from creditreg.domain.kernel.actor import Permission
from creditreg.services.access import subject_accounts
from creditreg.services.context import Context

_bearer = HTTPBearer(
    auto_error=False,
    description="An API token, a session token from login, or a subject account's session token",
)

ACCESS_ATTR = "__creditreg_access__"
AUTHENTICATED = "authenticated"
PUBLIC = "public"


async def context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


Ctx = Annotated[Context, Depends(context)]


async def _principal(
    request: Request,
    ctx: Annotated[Context, Depends(context)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthenticated("auth.missing_token", "send 'Authorization: Bearer <token>'")
    # Inline on the event loop, on purpose: one indexed SELECT on this thread's read
    # connection costs less than a hop to the thread pool (measured: bench/, see README).
    principal = subject_accounts.authenticate_any(ctx, credentials.credentials)
    request.state.principal = principal
    return principal


def require(*permissions: Permission) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency giving the caller, after checking it holds every permission (403 if not)."""

    async def dependency(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
        for permission in permissions:
            principal.require(permission)
        return principal

    label = " ".join(p.value for p in permissions) or AUTHENTICATED
    setattr(dependency, ACCESS_ATTR, label)
    return dependency


def require_any(*permissions: Permission) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency giving the caller, after checking it holds at least one of
    `permissions` (403 if none): authorization comes before the body is validated."""

    async def dependency(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
        if not any(p in principal.permissions for p in permissions):
            principal.require(permissions[0])
        return principal

    setattr(dependency, ACCESS_ATTR, " | ".join(p.value for p in permissions))
    return dependency


async def public() -> None:
    """Marks an endpoint as open to anyone, on purpose."""


setattr(public, ACCESS_ATTR, PUBLIC)


def access_of(call: Any) -> str | None:
    """The access declaration a dependency carries, if any."""
    return getattr(call, ACCESS_ATTR, None)
