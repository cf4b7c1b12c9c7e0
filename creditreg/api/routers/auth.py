"""Password login for people; who am I."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from creditreg.api.deps import Ctx, public, require
from creditreg.domain.access.principals import Principal
from creditreg.services.access import access

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


@router.post("/login", dependencies=[Depends(public)])
def login(body: LoginIn, ctx: Ctx) -> dict[str, Any]:
    """Exchange a username and password for a session token (8 hours)."""
    issued = access.login(ctx, body.username, body.password)
    return {"token": issued.token, "expires_at": issued.expires_at, "scopes": issued.scopes}


@router.get("/me")
def me(principal: Annotated[Principal, Depends(require())]) -> dict[str, Any]:
    """The caller: unit, scope and permissions."""
    return access.principal_dict(principal)
