"""The audit log (SEC-3)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from creditreg.api.deps import Ctx, require
from creditreg.api.routing import MAX_ID, DocumentedRoute, errors
from creditreg.api.schemas.access import Refusal
from creditreg.api.schemas.kernel import (
    AuditCheckpoint,
    AuditCheckpointWritten,
    AuditEvent,
    AuditVerification,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.access import access
from creditreg.services.access.views import RefusalView
from creditreg.services.kernel import audit, checkpoints
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
    """Recompute the chain under the audit key and compare it with the checkpoints in the
    database and in the file outside it; check the append-only triggers. Names every
    finding (`creditreg audit verify` says the same)."""
    result = audit.verify(ctx)
    return {
        "ok": result.ok,
        "checked": result.checked,
        "first_broken_seq": result.broken.seq if result.broken else None,
        "reason": result.broken.reason if result.broken else None,
        "last_seq": result.last_seq,
        "unkeyed_until": result.unkeyed_until,
        "checkpoints": result.checkpoints,
        "file_entries": result.file_entries,
        "findings": [
            {"code": f.code, "message": f.message, "more": f.more} for f in result.findings
        ],
    }


@router.post(
    "/checkpoints",
    status_code=201,
    response_model=AuditCheckpointWritten,
    responses=errors(
        {
            409: "the database holds no checkpoint to follow: they were deleted "
            "(`audit.start_missing`)"
        }
    ),
)
def checkpoint(ctx: Ctx, principal: Auditor) -> dict[str, Any]:
    """SEC-3: sign the chain's head now, in the database and in the checkpoint file outside
    it (the sweep does so at every pass that finds new events). Audited."""
    written = checkpoints.take(ctx, principal)
    return {
        **written.checkpoint.as_dict(),
        "file_written": written.copy.written,
        "file_error": written.copy.error,
    }


@router.get("/checkpoints", response_model=list[AuditCheckpoint])
def list_checkpoints(
    ctx: Ctx,
    principal: Auditor,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="a checkpoint number")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """SEC-3: the checkpoints numbered above `after`, in order: keep copies of them where
    no one who can write to the database can reach."""
    return [c.as_dict() for c in checkpoints.checkpoints(ctx, principal, after=after, limit=limit)]


@router.get("/refusals", response_model=list[Refusal])
def refusals(
    ctx: Ctx, principal: Auditor, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[RefusalView]:
    """SEC-3: the register of refused calls, counted per caller, minute and code."""
    return access.refusals(ctx, principal, limit)
