"""Submitting and verifying credit records (ING-1..3, ING-6), the inbox, consents."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from creditreg.api.deps import Ctx, require
from creditreg.api.responses import JSON
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.services.records import ingest_files, lifecycle, records, verification

router = APIRouter(prefix="/api/v1", tags=["records"])
Submitter = Annotated[Principal, Depends(require(Permission.RECORDS_SUBMIT))]
Reader = Annotated[Principal, Depends(require(Permission.RECORDS_READ))]
Verifier = Annotated[Principal, Depends(require(Permission.RECORDS_VERIFY))]
Inbox = Annotated[Principal, Depends(require(Permission.INBOX_READ))]


class RecordIn(BaseModel):
    catalog: str
    version: int | None = None
    data: dict[str, Any]
    request_id: str | None = Field(
        default=None, max_length=100, description="resending the same id stores nothing new"
    )
    self_declared: bool = Field(default=False, description="ING-6: declared by the subject")


class BatchIn(BaseModel):
    catalog: str
    version: int | None = None
    batch_id: str | None = Field(default=None, max_length=100)
    rows: list[dict[str, Any]] = Field(min_length=1, max_length=10_000)


class VerificationIn(BaseModel):
    passed: bool
    reasons: list[str] = Field(default_factory=list, max_length=50)


class ConsentIn(BaseModel):
    subject_id: int
    unit_id: int
    categories: list[str] = Field(default_factory=list)
    purpose: str = Field(max_length=2000)
    written: bool
    warning_shown: str = Field(default="", max_length=2000)
    granted_on: date


def _answer(result: records.BatchResult, as_csv: bool) -> Response | dict[str, Any]:
    if as_csv and result.rejected:
        return Response(
            ingest_files.rejections_csv(result.rejected),
            status_code=422,
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="rejected-rows.csv"'},
        )
    if result.rejected_count:
        body = {
            "error": {
                "code": "records.batch_rejected",
                "message": f"{result.rejected_count} row(s) rejected; nothing was stored",
                "details": result.as_dict(),
            }
        }
        return JSON(body, status_code=422)
    return result.as_dict()


@router.post("/records", status_code=201, response_model=None)
def submit_one(body: RecordIn, ctx: Ctx, principal: Submitter) -> Response | dict[str, Any]:
    """ING-1: one record against an approved catalog item."""
    result = records.submit(
        ctx,
        principal,
        code=body.catalog,
        version=body.version,
        rows=[body.data],
        content_digest=records.digest_rows([body.data]),
        batch_key=body.request_id,
        source="api",
        self_declared=body.self_declared,
    )
    return _answer(result, as_csv=False)


@router.post("/records/batches", status_code=201, response_model=None)
def submit_batch(
    body: BatchIn, ctx: Ctx, principal: Submitter, format: str = "json"
) -> Response | dict[str, Any]:
    """ING-3: a batch as JSON, all-or-nothing; rejected rows come back row by row."""
    result = records.submit(
        ctx,
        principal,
        code=body.catalog,
        version=body.version,
        rows=body.rows,
        content_digest=records.digest_rows(body.rows),
        batch_key=body.batch_id,
        source="api",
    )
    return _answer(result, as_csv=format == "csv")


@router.post("/records/uploads", status_code=201, response_model=None)
def upload(
    ctx: Ctx,
    principal: Submitter,
    file: Annotated[UploadFile, File(description="CSV, JSON Lines or XLSX")],
    catalog_code: Annotated[str, Form(alias="catalog")],
    version: Annotated[int | None, Form()] = None,
    batch_id: Annotated[str | None, Form()] = None,
    format: str = "json",
) -> Response | dict[str, Any]:
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
            batch_key=batch_id,
            source="upload",
            filename=name,
        )
    return _answer(result, as_csv=format == "csv")


@router.get("/records/verification")
def pending(ctx: Ctx, principal: Verifier, overdue: bool = False) -> list[dict[str, Any]]:
    """ING-2: records awaiting verification (overdue ones with `overdue=true`)."""
    return verification.pending(ctx, principal, overdue_only=overdue)


@router.get("/records/{record_id}")
def get_record(record_id: int, ctx: Ctx, principal: Reader) -> dict[str, Any]:
    """A record, to its provider and the platform."""
    return verification.get(ctx, principal, record_id)


@router.post("/records/{record_id}/verification")
def verify(record_id: int, body: VerificationIn, ctx: Ctx, principal: Verifier) -> dict[str, Any]:
    """ING-2: pass a record, or return it to its provider with reasons."""
    return verification.verify(ctx, principal, record_id, passed=body.passed, reasons=body.reasons)


class WithdrawalIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class OutcomeIn(BaseModel):
    outcome: str = Field(description="upheld or revoked")


@router.post("/records/{record_id}/withdrawal")
def withdraw(record_id: int, body: WithdrawalIn, ctx: Ctx, principal: Submitter) -> dict[str, Any]:
    """ING-7: the basis was revoked; the record is revoked at once (event record.withdrawn)."""
    return lifecycle.withdraw(ctx, principal, record_id, body.reason)


@router.post("/records/{record_id}/review-outcome")
def review_outcome(
    record_id: int, body: OutcomeIn, ctx: Ctx, principal: Submitter
) -> dict[str, Any]:
    """ING-5: upheld on reconsideration or litigation (counts now), or revoked (withdrawn)."""
    return lifecycle.review_outcome(ctx, principal, record_id, body.outcome)


class ArchivingIn(BaseModel):
    applicant: str = Field(max_length=200, description="who asked: the subject or its agent")


@router.post("/records/{record_id}/archiving")
def request_archiving(
    record_id: int, body: ArchivingIn, ctx: Ctx, principal: Verifier
) -> dict[str, Any]:
    """RST-6: archive on the subject's request once the display period has ended."""
    return lifecycle.request_archiving(ctx, principal, record_id, body.applicant)


@router.get("/inbox")
def inbox(ctx: Ctx, principal: Inbox, all: bool = False) -> list[dict[str, Any]]:
    """The unit's notifications (unacknowledged unless `all=true`)."""
    return verification.inbox(ctx, principal, include_acknowledged=all)


@router.post("/inbox/{notification_id}/read", status_code=204)
def read(notification_id: int, ctx: Ctx, principal: Inbox) -> None:
    verification.mark(ctx, principal, notification_id, acknowledge=False)


@router.post("/inbox/{notification_id}/ack", status_code=204)
def acknowledge(notification_id: int, ctx: Ctx, principal: Inbox) -> None:
    verification.mark(ctx, principal, notification_id, acknowledge=True)


@router.post("/consents", status_code=201)
def record_consent(body: ConsentIn, ctx: Ctx, principal: Submitter) -> dict[str, Any]:
    """PRI-1, PRI-2: a person's consent, its agreed use and the warning shown."""
    consent_id = records.record_consent(
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
