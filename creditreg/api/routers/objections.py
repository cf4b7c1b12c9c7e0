"""Objections over HTTP (OBJ-1..3, OBJ-6; Art 41; Op(22)): public accounts, filing with
materials (multipart), acceptance, escalation, the provider's answer, pauses, the
decision, attachments served as downloads, and reconsideration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from creditreg.api.deps import ACCESS_ATTR, Ctx, _bearer, context, public, require, require_any
from creditreg.api.routing import DocumentedRoute, PathId, QueryId, errors
from creditreg.api.schemas.rights_objections import (
    AcceptanceIn,
    AnswerIn,
    DecisionIn,
    Objection,
    ObjectionDetail,
    ObjectionUpheldOnEntry,
    PauseIn,
    PublicAccountCreated,
    PublicAccountIn,
    ReasonIn,
    Reconsideration,
    ReconsiderationDecisionIn,
    ReconsiderationIn,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import Unauthenticated
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.rights.objections import TargetType
from creditreg.services.access import subject_accounts
from creditreg.services.context import Context
from creditreg.services.rights import objection_steps, objections, objectors, reconsideration
from creditreg.services.rights.objection_views import (
    ObjectionDetailView,
    ObjectionView,
    PublicAccountCreatedView,
    ReconsiderationView,
    UpheldEntryView,
)
from creditreg.services.rights.objections import Download
from creditreg.services.rights.objectors import Objector

router = APIRouter(prefix="/api/v1", tags=["objections"], route_class=DocumentedRoute)

ANONYMOUS = (
    "no token (`objection.anonymous`: an objection is never anonymous), or an unknown, "
    "revoked or expired one (`auth.*`, `public_account.invalid_token`)"
)


def identified(anonymous: Callable[[], Unauthenticated]) -> Callable[..., Any]:
    """The dependency naming who objects or reports: a unit's token or session, a subject
    account's, or a public account's token; without one, `anonymous()` is raised (an
    objection or a report is never anonymous)."""

    async def caller(
        request: Request,
        ctx: Annotated[Context, Depends(context)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Objector:
        if credentials is None:
            raise anonymous()
        token = credentials.credentials
        if objectors.is_account_token(token):
            return objectors.authenticate(ctx, token)
        principal = subject_accounts.authenticate_any(ctx, token)
        request.state.principal = principal
        return objectors.for_principal(ctx, principal)

    setattr(caller, ACCESS_ATTR, "a unit, a subject account or a public account")
    return caller


_objector = identified(
    lambda: Unauthenticated(
        "objection.anonymous",
        "an objection is never anonymous: send a unit's or an account's token "
        "(register one at POST /api/v1/public-accounts)",
    )
)
Caller = Annotated[Objector, Depends(_objector)]
Handler = Annotated[
    Principal,
    Depends(require_any(Permission.OBJECTIONS_HANDLE, Permission.LISTS_DESIGNATE)),
]
Provider = Annotated[Principal, Depends(require(Permission.RECORDS_SUBMIT))]
Department = Annotated[
    Principal,
    Depends(require_any(Permission.RECONSIDERATION_DECIDE, Permission.OBJECTIONS_HANDLE)),
]

STEP_409 = (
    "the objection's status does not allow the step (`objection.illegal_transition`), it "
    "is paused (`objection.paused`), or not paused (`objection.not_paused`)"
)
FILE_422 = (
    "an attachment is too large (`objection.attachment_too_large`), empty, not a PDF, JPEG "
    "or PNG by its content (`objection.attachment_type_not_allowed`), named or declared as "
    "another type (`objection.attachment_type_mismatch`), or one too many "
    "(`objection.too_many_attachments`); nothing is stored"
)


@router.post(
    "/public-accounts",
    status_code=201,
    response_model=PublicAccountCreated,
    dependencies=[Depends(public)],
    responses=errors({409: "an account with that document number exists"}),
)
def register_account(body: PublicAccountIn, ctx: Ctx) -> PublicAccountCreatedView:
    """OBJ-1, OBJ-4: a person registers to object: a name and a validated identity
    document number (unverified; kept masked and keyed). The token comes back once."""
    return objectors.register(ctx, name=body.name, id_type=body.id_type, id_number=body.id_number)


async def _uploads(files: list[UploadFile], limit: int) -> list[objections.Upload]:
    """Each file read up to one byte past the limit: a larger one is refused by size
    without holding more of it."""
    out = []
    for f in files:
        content = await f.read(limit + 1)
        out.append(objections.Upload(f.filename or "", f.content_type, content))
    return out


@router.post(
    "/objections",
    status_code=201,
    response_model=ObjectionDetail,
    responses=errors(
        {
            401: ANONYMOUS,
            404: "no record or entry with that id that you can see "
            "(`record.not_found`, `entry.not_found`)",
            409: "you have an open objection to it (`objection.already_open`), it ended "
            "(`objection.target_ended`), or the entry cannot be objected to now "
            "(`entry.illegal_transition`)",
            422: FILE_422,
        }
    ),
)
async def file_objection(
    ctx: Ctx,
    objector: Caller,
    target_type: Annotated[TargetType, Form(description="record or list_entry")],
    target_id: Annotated[int, Form(ge=1, le=2**63 - 1)],
    grounds: Annotated[str, Form(max_length=5000, description="what is wrong (Art 41)")],
    files: Annotated[
        list[UploadFile], File(description="PDF, JPEG or PNG materials (at most 5, 10 MiB each)")
    ] = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
) -> ObjectionDetailView:
    """OBJ-1, Art 41: an objection with its materials. The item gets its "under
    objection" marker at once; the Art 41 deadline counts from today."""
    uploads = await _uploads(files, ctx.objection_attachment_max_bytes)
    filed: ObjectionDetailView = await _in_thread(
        objections.file,
        ctx,
        objector,
        target_type=target_type.value,
        target_id=target_id,
        grounds=grounds,
        uploads=uploads,
    )
    return filed


async def _in_thread(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """A service call (blocking database work) off the event loop."""
    return await run_in_threadpool(fn, *args, **kwargs)


@router.get("/objections", response_model=list[Objection], responses=errors({401: ANONYMOUS}))
def list_objections(
    ctx: Ctx,
    reader: Caller,
    status: str | None = None,
    target_type: str | None = None,
    target_id: QueryId = None,
    overdue: bool = False,
) -> list[ObjectionView]:
    """The objections you may read (your own; those you decide or provide for; all for the
    platform); `overdue=true` for the late ones (SEC-5, Art 65)."""
    return objections.listing(
        ctx, reader, status=status, target_type=target_type, target_id=target_id, overdue=overdue
    )


@router.get(
    "/objections/{objection_id}",
    response_model=ObjectionDetail,
    responses=errors({401: ANONYMOUS}),
)
def get_objection(objection_id: PathId, ctx: Ctx, reader: Caller) -> ObjectionDetailView:
    """An objection with its deadlines explained (CAL-3), pauses, materials and history."""
    return objections.get(ctx, reader, objection_id)


@router.post(
    "/objections/{objection_id}/attachments",
    response_model=ObjectionDetail,
    responses=errors({401: ANONYMOUS, 409: "the objection is decided", 422: FILE_422}),
)
async def add_attachments(
    objection_id: PathId,
    ctx: Ctx,
    objector: Caller,
    files: Annotated[list[UploadFile], File(description="PDF, JPEG or PNG")],
) -> ObjectionDetailView:
    """More materials for your own open objection."""
    uploads = await _uploads(files, ctx.objection_attachment_max_bytes)
    result: ObjectionDetailView = await _in_thread(
        objections.add_attachments, ctx, objector, objection_id, uploads
    )
    return result


# The OpenAPI description of a downloaded attachment (objections, red-list feedback).
DOWNLOAD_200: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "the file, as a download of its detected type",
    }
}


@router.get(
    "/objections/{objection_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={**DOWNLOAD_200, **errors({401: ANONYMOUS})},
)
def download(objection_id: PathId, attachment_id: PathId, ctx: Ctx, reader: Caller) -> Response:
    """An attachment's bytes: always a download (`Content-Disposition: attachment`),
    never sniffed (`X-Content-Type-Options: nosniff`), under its detected type, in a
    sandbox: nothing uploaded is ever rendered as a page of the platform."""
    return attachment_response(objections.attachment(ctx, reader, objection_id, attachment_id))


def attachment_response(found: Download) -> Response:
    """Uploaded bytes as a download (never inline, never sniffed, sandboxed)."""
    ascii_name = found.filename.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        found.content,
        media_type=found.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(found.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "private, no-store",
        },
    )


@router.post(
    "/objections/{objection_id}/acceptance",
    response_model=ObjectionDetail,
    responses=errors({403: "you do not decide it (`objection.not_decider`)", 409: STEP_409}),
)
def accept(
    objection_id: PathId, body: AcceptanceIn, ctx: Ctx, principal: Handler
) -> ObjectionDetailView:
    """OBJ-6, Op(22): accepted or not, with the reason, said to the objector (the platform
    for records, the designating unit for its entries)."""
    return objection_steps.accept(
        ctx,
        principal,
        objection_id,
        accepted=body.accepted,
        reason=body.reason,
        track=body.track.value if body.track else None,
    )


@router.post(
    "/objections/{objection_id}/escalation",
    response_model=ObjectionDetail,
    responses=errors({403: "you do not decide it (`objection.not_decider`)", 409: STEP_409}),
)
def escalate(
    objection_id: PathId, body: ReasonIn, ctx: Ctx, principal: Handler
) -> ObjectionDetailView:
    """Art 41: the provider must verify: 7 working days from receipt; the provider answers
    within 3 working days of being asked."""
    return objection_steps.escalate(ctx, principal, objection_id, body.reason)


@router.post(
    "/objections/{objection_id}/answer",
    response_model=ObjectionDetail,
    responses=errors({403: "not the record's provider (`objection.not_provider`)", 409: STEP_409}),
)
def answer(
    objection_id: PathId, body: AnswerIn, ctx: Ctx, principal: Provider
) -> ObjectionDetailView:
    """Art 41: the provider's verification of its record."""
    return objection_steps.answer(ctx, principal, objection_id, body.answer)


@router.post(
    "/objections/{objection_id}/pauses",
    response_model=ObjectionDetail,
    responses=errors({403: "you do not decide it (`objection.not_decider`)", 409: STEP_409}),
)
def pause(objection_id: PathId, body: PauseIn, ctx: Ctx, principal: Handler) -> ObjectionDetailView:
    """Art 41: inspection, testing, quarantine, evaluation or expert review: the clock
    stands still from today."""
    return objection_steps.pause(
        ctx, principal, objection_id, kind=body.kind.value, reason=body.reason
    )


@router.post(
    "/objections/{objection_id}/resumption",
    response_model=ObjectionDetail,
    responses=errors({403: "you do not decide it (`objection.not_decider`)", 409: STEP_409}),
)
def resume(objection_id: PathId, ctx: Ctx, principal: Handler) -> ObjectionDetailView:
    """The pause ends; the deadlines are counted again without its days."""
    return objection_steps.resume(ctx, principal, objection_id)


@router.post(
    "/objections/{objection_id}/decision",
    response_model=ObjectionDetail | ObjectionUpheldOnEntry,
    responses=errors({403: "you do not decide it (`objection.not_decider`)", 409: STEP_409}),
)
def decide(
    objection_id: PathId, body: DecisionIn, ctx: Ctx, principal: Handler
) -> ObjectionDetailView | UpheldEntryView:
    """OBJ-3: upheld or dismissed, with the reasons, told to the objector. Upheld: the
    record is corrected by its lifecycle (withdrawn or returned to its provider); an entry
    made in error is deleted with nothing kept (Op(20))."""
    return objection_steps.decide(
        ctx,
        principal,
        objection_id,
        outcome=body.outcome.value,
        reason=body.reason,
        correction=body.correction.value if body.correction else None,
    )


@router.post(
    "/objections/{objection_id}/reconsideration",
    status_code=201,
    response_model=Reconsideration,
    responses=errors(
        {
            401: ANONYMOUS,
            409: "the decision cannot be reconsidered (`reconsideration.not_reconsiderable`), "
            "was already (`reconsideration.exists`), or no department is registered",
        }
    ),
)
def apply_reconsideration(
    objection_id: PathId, body: ReconsiderationIn, ctx: Ctx, objector: Caller
) -> ReconsiderationView:
    """OBJ-3, Op(22): still dissatisfied, the objector applies to the provincial
    department (due within CREDITREG_RECONSIDERATION_WORKING_DAYS working days)."""
    return reconsideration.apply(ctx, objector, objection_id, body.grounds)


@router.get("/reconsiderations", response_model=list[Reconsideration])
def list_reconsiderations(
    ctx: Ctx, principal: Department, overdue: bool = False
) -> list[ReconsiderationView]:
    """The applications: the department's own (all for the platform); late ones with
    `overdue=true`."""
    return reconsideration.listing(ctx, principal, overdue=overdue)


@router.post(
    "/reconsiderations/{reconsideration_id}/decision",
    response_model=Reconsideration,
    responses=errors(
        {
            403: "not the department it was made to (`reconsideration.not_department`)",
            409: "it is decided (`reconsideration.illegal_transition`)",
        }
    ),
)
def decide_reconsideration(
    reconsideration_id: PathId, body: ReconsiderationDecisionIn, ctx: Ctx, principal: Department
) -> ReconsiderationView:
    """The department upholds the decision, or revises it (the record is corrected, the
    entry made in error deleted)."""
    return reconsideration.decide(
        ctx,
        principal,
        reconsideration_id,
        outcome=body.outcome,
        reason=body.reason,
        correction=body.correction.value if body.correction else None,
    )
