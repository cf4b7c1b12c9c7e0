"""The audit log (SEC-3)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from creditreg.api.deps import Ctx, require
from creditreg.api.routing import MAX_ID, DocumentedRoute
from creditreg.api.schemas.access import Refusal
from creditreg.api.schemas.kernel import AuditEvent, AuditVerification
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.access import access
from creditreg.services.access.views import RefusalView
from creditreg.services.kernel import audit
from creditreg.services.kernel.views import AuditEventView

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], route_class=DocumentedRoute)
Auditor = Annotated[Principal, Depends(require(Permission.AUDIT_READ))]


@router.get("/events", response_model=list[AuditEvent])
def events(
    ctx: Ctx,
    principal: Auditor,
    object_type: str | None = None,
    object_id: str | None = None,
    after_seq: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEventView]:
    """Audit events in order, paged by sequence number."""
    return audit.list_events(
        ctx,
        principal,
        object_type=object_type,
        object_id=object_id,
        after_seq=after_seq,
        limit=limit,
    )


@router.get("/verify", response_model=AuditVerification)
def verify(ctx: Ctx, principal: Auditor) -> dict[str, Any]:
    """Recompute the hash chain; names the first broken event."""
    result = audit.verify(ctx)
    return {
        "ok": result.ok,
        "checked": result.checked,
        "first_broken_seq": result.broken.seq if result.broken else None,
        "reason": result.broken.reason if result.broken else None,
    }


@router.get("/refusals", response_model=list[Refusal])
def refusals(
    ctx: Ctx, principal: Auditor, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[RefusalView]:
    """SEC-3: the register of refused calls, counted per caller, minute and code."""
    return access.refusals(ctx, principal, limit)
