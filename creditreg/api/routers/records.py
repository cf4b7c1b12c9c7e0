"""Submitting and verifying credit records (ING-1..3, ING-6), the inbox, consents."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response

from creditreg.api.deps import Ctx, public, require
from creditreg.api.errors import error_response
from creditreg.api.query_purpose import StatedPurpose
from creditreg.api.routing import DocumentedRoute, PathId, errors
from creditreg.api.schemas.records import (
    ArchivingIn,
    BatchIn,
    BatchResult,
    ConsentIn,
    ConsentRecorded,
    ConsentWarning,
    Notification,
    PendingRecord,
    Record,
    RecordArchived,
    RecordDetail,
    RecordIn,
    RecordUpheld,
    RecordWithdrawn,
    ReviewOutcomeIn,
    VerificationIn,
    WithdrawalIn,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.privacy import CONSENT_WARNING, FORBIDDEN, NEEDS_WRITTEN_CONSENT
from creditreg.services.records import (
    consents,
    ingest_files,
    lifecycle,
    record_batches,
    records,
    verification,
)
from creditreg.services.records.views import (
    ArchivedOnRequestView,
    NotificationView,
    PendingRecordView,
    RecordMovedView,
    RecordView,
    ReviewOutcomeView,
)

router = APIRouter(prefix="/api/v1", tags=["records"], route_class=DocumentedRoute)
Submitter = Annotated[Principal, Depends(require(Permission.RECORDS_SUBMIT))]
Reader = Annotated[Principal, Depends(require(Permission.RECORDS_READ))]
Verifier = Annotated[Principal, Depends(require(Permission.RECORDS_VERIFY))]
Inbox = Annotated[Principal, Depends(require(Permission.INBOX_READ))]

SUBMISSION_ERRORS = errors(
    {
        404: "no approved catalog item with that code (`catalog.not_found`)",
        409: "the catalog version is not approved (`catalog.version_retired`), the batch id "
        "was used for other rows (`record.batch_id_reused`), the same batch is being stored "
        "right now (`record.batch_in_progress`: retry shortly), or it was discarded while "
        "being stored (`record.batch_abandoned`: send it again)",
        422: "the request is malformed (`request.invalid`), a file cannot be read "
        "(`file.*`), or rows were rejected (`record.batch_rejected`: `details.rejected` "
        "lists row, field, code and message; nothing was stored)",
    }
)


def _or_as_csv(responses: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """The submission errors, and the rejected rows as CSV with `?format=csv`."""
    out = {status: dict(value) for status, value in responses.items()}
    out[422]["content"] = {"text/csv": {"schema": {"type": "string", "format": "csv"}}}
    out[422]["description"] += (
        "; with `?format=csv`, the rejected rows as text/csv: row, field, code, message"
    )
    return out


def _answer(result: record_batches.BatchResult, as_csv: bool) -> Response | BatchResult:
    if as_csv and result.rejected:
        return Response(
            ingest_files.rejections_csv(result.rejected),
            status_code=422,
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="rejected-rows.csv"'},
        )
    answer = BatchResult.model_validate(result.as_dict())
    if result.rejected_count:
        return error_response(
            422,
            "record.batch_rejected",
            f"{result.rejected_count} row(s) rejected; nothing was stored",
            answer,
        )
    return answer


@router.post("/records", status_code=201, response_model=BatchResult, responses=SUBMISSION_ERRORS)
def submit_one(body: RecordIn, ctx: Ctx, principal: Submitter) -> Response | BatchResult:
    """ING-1: one record against an approved catalog item."""
    result = records.submit(
        ctx,
        principal,
        code=body.catalog,
        version=body.version,
        rows=[body.data],
        content_digest=record_batches.digest_rows([body.data]),
        batch_key=body.request_id,
        source="api",
        self_declared=body.self_declared,
    )
    return _answer(result, as_csv=False)


@router.post(
    "/records/batches",
    status_code=201,
    response_model=BatchResult,
    responses=_or_as_csv(SUBMISSION_ERRORS),
)
def submit_batch(
    body: BatchIn,
    ctx: Ctx,
    principal: Submitter,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Response | BatchResult:
    """ING-3: a batch as JSON, all-or-nothing; rejected rows come back row by row."""
    result = records.submit(
        ctx,
        principal,
        code=body.catalog,
        version=body.version,
        rows=body.rows,
        content_digest=record_batches.digest_rows(body.rows),
        batch_key=body.batch_id,
        source="api",
    )
    return _answer(result, as_csv=format == "csv")


@router.post(
    "/records/uploads",
    status_code=201,
    response_model=BatchResult,
    responses=_or_as_csv(SUBMISSION_ERRORS),
)
def upload(
    ctx: Ctx,
    principal: Submitter,
    file: Annotated[UploadFile, File(description="CSV, JSON Lines or XLSX")],
    catalog_code: Annotated[str, Form(alias="catalog", max_length=40)],
    version: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    batch_id: Annotated[str | None, Form(max_length=100)] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Response | BatchResult:
    """ING-1, ING-3: a bulk file, streamed; `?format=csv` returns rejected rows as CSV."""
    name = file.filename or "upload"
    ingest_files.detect_format(name)  # refuse an unknown format before reading the body
    with tempfile.TemporaryDirectory(prefix="creditreg-upload-") as tmp:
        path = Path(tmp) / ("upload" + Path(name).suffix.lower())
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, length=1 << 20)
        result = ingest_files.submit_file(
            ctx,
            principal,
            path,
            catalog_code=catalog_code,
            version=version,
            batch_key=batch_id or None,  # a form's field left blank names no batch id
            source="upload",
            filename=name,
        )
    return _answer(result, as_csv=format == "csv")


@router.get("/records/verification", response_model=list[PendingRecord])
def pending(ctx: Ctx, principal: Verifier, overdue: bool = False) -> list[PendingRecordView]:
    """ING-2: records awaiting verification (overdue ones with `overdue=true`)."""
    return verification.pending(ctx, principal, overdue_only=overdue)


@router.get("/records/{record_id}", response_model=RecordDetail)
def get_record(
    record_id: PathId, ctx: Ctx, principal: Reader, purpose: StatedPurpose
) -> RecordView:
    """A record, to its provider and the platform (the read registered, SEC-2)."""
    return verification.get(ctx, principal, record_id, purpose)


@router.post(
    "/records/{record_id}/verification",
    response_model=Record,
    responses=errors({409: "the record is not awaiting verification (`verification.not_pending`)"}),
)
def verify(record_id: PathId, body: VerificationIn, ctx: Ctx, principal: Verifier) -> RecordView:
    """ING-2: pass a record, or return it to its provider with reasons."""
    return verification.verify(ctx, principal, record_id, passed=body.passed, reasons=body.reasons)


NOT_LIVE = {409: "the record is no longer live (withdrawn, archived or returned)"}


@router.post(
    "/records/{record_id}/withdrawal", response_model=RecordWithdrawn, responses=errors(NOT_LIVE)
)
def withdraw(
    record_id: PathId, body: WithdrawalIn, ctx: Ctx, principal: Submitter
) -> RecordMovedView:
    """ING-7: the basis was revoked; the record is revoked at once (event record.withdrawn)."""
    return lifecycle.withdraw(ctx, principal, record_id, body.reason)


@router.post(
    "/records/{record_id}/review-outcome",
    response_model=RecordUpheld | RecordWithdrawn,
    responses=errors(NOT_LIVE),
)
def review_outcome(
    record_id: PathId, body: ReviewOutcomeIn, ctx: Ctx, principal: Submitter
) -> ReviewOutcomeView | RecordMovedView:
    """ING-5: upheld on reconsideration or litigation (counts now), or revoked (withdrawn)."""
    return lifecycle.review_outcome(ctx, principal, record_id, body.outcome)


@router.post(
    "/records/{record_id}/archiving",
    response_model=RecordArchived,
    responses=errors(
        {409: "the display period has not ended, or the record is not live (`record.*`)"}
    ),
)
def request_archiving(
    record_id: PathId, body: ArchivingIn, ctx: Ctx, principal: Verifier
) -> ArchivedOnRequestView:
    """RST-6: archive on the subject's request once the display period has ended."""
    return lifecycle.request_archiving(ctx, principal, record_id, body.applicant)


@router.get("/inbox", response_model=list[Notification])
def inbox(ctx: Ctx, principal: Inbox, all: bool = False) -> list[NotificationView]:
    """The unit's notifications (unacknowledged unless `all=true`)."""
    return verification.inbox(ctx, principal, include_acknowledged=all)


@router.post("/inbox/{notification_id}/read", status_code=204, response_class=Response)
def read(notification_id: PathId, ctx: Ctx, principal: Inbox) -> None:
    """Mark a notification read."""
    verification.mark(ctx, principal, notification_id, acknowledge=False)


@router.post("/inbox/{notification_id}/ack", status_code=204, response_class=Response)
def acknowledge(notification_id: PathId, ctx: Ctx, principal: Inbox) -> None:
    """Acknowledge a notification (which also marks it read)."""
    verification.mark(ctx, principal, notification_id, acknowledge=True)


@router.get("/consents/warning", dependencies=[Depends(public)], response_model=ConsentWarning)
def consent_warning() -> ConsentWarning:
    """PRI-2, Art 45: the exact warning to show before a consent, and what it covers."""
    return ConsentWarning(
        warning=CONSENT_WARNING,
        categories=sorted(c.value for c in NEEDS_WRITTEN_CONSENT),
        forbidden=sorted(c.value for c in FORBIDDEN),
    )


@router.post(
    "/consents",
    status_code=201,
    response_model=ConsentRecorded,
    responses=errors(
        {404: "no subject or unit with that id (`subject.not_found`, `unit.not_found`)"}
    ),
)
def record_consent(body: ConsentIn, ctx: Ctx, principal: Submitter) -> dict[str, Any]:
    """PRI-1, PRI-2: a person's consent, its agreed use and the warning shown."""
    consent_id = consents.record_consent(
        ctx,
        principal,
        subject_id=body.subject_id,
        unit_id=body.unit_id,
        categories=body.categories,
        purpose=body.purpose,
        written=body.written,
        warning_shown=body.warning_shown,
        granted_on=body.granted_on,
    )
    return {"id": consent_id}
