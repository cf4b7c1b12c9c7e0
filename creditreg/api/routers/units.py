"""Units, their users and their API tokens (SEC-1)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from creditreg.api.deps import Ctx, require
from creditreg.api.routing import DocumentedRoute, PathId, errors
from creditreg.api.schemas.access import (
    IssuedToken,
    Token,
    TokenIn,
    TokenRevoked,
    Unit,
    UnitIn,
    User,
    UserIn,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.access import access
from creditreg.services.access.views import (
    TokenRevokedView,
    TokenView,
    UnitView,
    UserView,
)

router = APIRouter(prefix="/api/v1", tags=["units"], route_class=DocumentedRoute)
Admin = Annotated[Principal, Depends(require(Permission.UNITS_ADMIN))]
Anyone = Annotated[Principal, Depends(require())]


@router.post(
    "/units",
    status_code=201,
    response_model=Unit,
    responses=errors(
        {
            409: "a unit with that USCC exists (`unit.duplicate`)",
            422: "a field not of the taxonomy (`unit.unknown_field`, GET /api/v1/fields)",
        }
    ),
)
def create_unit(body: UnitIn, ctx: Ctx, principal: Admin) -> UnitView:
    """Register a unit with its kind and scope."""
    return access.create_unit(
        ctx,
        principal,
        name=body.name,
        uscc=body.uscc,
        kind=body.kind,
        region=body.region,
        level=body.level,
        fields=body.fields,
    )


@router.get("/units", response_model=list[Unit])
def list_units(ctx: Ctx, principal: Anyone) -> list[UnitView]:
    """Every unit for an administrator; one's own otherwise."""
    return access.list_units(ctx, principal)


@router.post(
    "/units/{unit_id}/users",
    status_code=201,
    response_model=User,
    responses=errors({409: "the username is taken (`user.duplicate`)"}),
)
def create_user(unit_id: PathId, body: UserIn, ctx: Ctx, principal: Admin) -> UserView:
    """A person of the unit who logs in with a password."""
    return access.create_user(
        ctx,
        principal,
        unit_id=unit_id,
        username=body.username,
        display_name=body.display_name,
        password=body.password,
        roles=body.roles,
    )


@router.post("/units/{unit_id}/tokens", status_code=201, response_model=IssuedToken)
def create_token(unit_id: PathId, body: TokenIn, ctx: Ctx, principal: Anyone) -> dict[str, Any]:
    """An API token for a machine client. The secret is in this answer only."""
    issued = access.create_token(
        ctx, principal, unit_id=unit_id, name=body.name, scopes=body.scopes
    )
    return {
        "id": issued.id,
        "token": issued.token,
        "name": issued.name,
        "unit_id": issued.unit_id,
        "scopes": issued.scopes,
        "note": "store the token now: it is not shown again",
    }


@router.get("/units/{unit_id}/tokens", response_model=list[Token])
def list_tokens(unit_id: PathId, ctx: Ctx, principal: Anyone) -> list[TokenView]:
    """A unit's tokens, without secrets."""
    return access.list_tokens(ctx, principal, unit_id)


@router.post(
    "/tokens/{token_id}/revoke",
    response_model=TokenRevoked,
    responses=errors({409: "the token was already revoked (`token.already_revoked`)"}),
)
def revoke_token(token_id: PathId, ctx: Ctx, principal: Anyone) -> TokenRevokedView:
    """Revoke a token at once."""
    return access.revoke_token(ctx, principal, token_id)
