"""Red-list feedback over HTTP (OBJ-4, Op(21)): anyone reports, with evidence, that a
red-listed subject is not trustworthy; the designating unit verifies; a confirmed report
removes the entry (`unfit_conduct`); the reporter and the subject are told."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from creditreg.api.deps import Ctx, require
from creditreg.api.routers.objections import (
    DOWNLOAD_200,
    FILE_422,
    _uploads,
    attachment_response,
    identified,
)
from creditreg.api.routing import DocumentedRoute, PathId, errors
from creditreg.api.schemas.rights_objections import FeedbackDecisionIn, RedListFeedback
from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Unauthenticated
from creditreg.domain.kernel.actor import Permission
from creditreg.services.rights import feedback
from creditreg.services.rights.feedback import FeedbackView
from creditreg.services.rights.objectors import Objector

router = APIRouter(prefix="/api/v1", tags=["red-list feedback"], route_class=DocumentedRoute)

ANONYMOUS = (
    "no token (`feedback.anonymous`: a report is never anonymous), or an unknown, revoked "
    "or expired one (`auth.*`, `public_account.invalid_token`)"
)


_reporter = identified(
    lambda: Unauthenticated(
        "feedback.anonymous",
        "a report is never anonymous: send a unit's or an account's token "
        "(register one at POST /api/v1/public-accounts)",
    )
)
Reporter = Annotated[Objector, Depends(_reporter)]
Designator = Annotated[Principal, Depends(require(Permission.LISTS_DESIGNATE))]


@router.post(
    "/red-list-feedback",
    status_code=201,
    response_model=RedListFeedback,
    responses=errors(
        {
            401: ANONYMOUS,
            404: "no list entry with that id (`feedback.entry_not_found`)",
            409: "the entry is not on the red list (`feedback.not_red_list`), not designated "
            "and in force (`feedback.entry_not_in_force`), or you have an open report on it "
            "(`feedback.already_open`); nothing is stored",
            422: "no evidence (`feedback.no_evidence`), or " + FILE_422,
        }
    ),
)
async def report(
    ctx: Ctx,
    reporter: Reporter,
    entry_id: Annotated[int, Form(ge=1, le=2**63 - 1, description="the red-list entry")],
    evidence: Annotated[
        str, Form(max_length=5000, description="why the subject is not trustworthy")
    ],
    files: Annotated[
        list[UploadFile], File(description="PDF, JPEG or PNG evidence (at most 5, 10 MiB each)")
    ] = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
) -> FeedbackView:
    """OBJ-4, Op(21): a report, with evidence, that a red-listed subject is not
    trustworthy. The entry's designating unit is told at once, to verify it."""
    uploads = await _uploads(files, ctx.objection_attachment_max_bytes)
    made: FeedbackView = await run_in_threadpool(
        feedback.report, ctx, reporter, entry_id=entry_id, evidence=evidence, uploads=uploads
    )
    return made


@router.get(
    "/red-list-feedback", response_model=list[RedListFeedback], responses=errors({401: ANONYMOUS})
)
def list_feedback(ctx: Ctx, reader: Reporter, status: str | None = None) -> list[FeedbackView]:
    """The reports you may read: your own; your unit's entries'; all for the platform."""
    return feedback.listing(ctx, reader, status)


@router.get(
    "/red-list-feedback/{feedback_id}",
    response_model=RedListFeedback,
    responses=errors({401: ANONYMOUS, 404: "no report you may read (`feedback.not_found`)"}),
)
def get_feedback(feedback_id: PathId, ctx: Ctx, reader: Reporter) -> FeedbackView:
    """A report and its outcome (a public account reads its outcome here)."""
    return feedback.get(ctx, reader, feedback_id)


@router.get(
    "/red-list-feedback/{feedback_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={
        **DOWNLOAD_200,
        **errors(
            {
                401: ANONYMOUS,
                404: "no report you may read (`feedback.not_found`) or no such file "
                "(`feedback.attachment_not_found`)",
            }
        ),
    },
)
def download(feedback_id: PathId, attachment_id: PathId, ctx: Ctx, reader: Reporter) -> Response:
    """An evidence file, for the designating unit verifying the report (Op(21)), the
    reporter and the platform: always a download, never rendered."""
    return attachment_response(feedback.attachment(ctx, reader, feedback_id, attachment_id))


@router.post(
    "/red-list-feedback/{feedback_id}/decision",
    response_model=RedListFeedback,
    responses=errors(
        {
            403: "not the entry's designating unit (`feedback.not_designating_unit`)",
            404: "no such report (`feedback.not_found`)",
            409: "the report is decided or closed (`feedback.illegal_transition`)",
        }
    ),
)
def decide(
    feedback_id: PathId, body: FeedbackDecisionIn, ctx: Ctx, principal: Designator
) -> FeedbackView:
    """Op(21): the designating unit's verification. `confirmed` removes the entry (reason
    `unfit_conduct`, published where it was); `dismissed` changes nothing. The reporter
    and the subject are told the outcome with its reasons."""
    return feedback.decide(ctx, principal, feedback_id, outcome=body.outcome, reason=body.reason)
