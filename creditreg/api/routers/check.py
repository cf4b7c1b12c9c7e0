"""The check over HTTP (MEA-3, MEA-7, SUB-4, SEC-2): what an implementing unit's approval,
procurement, licensing, funding, honours or hiring system calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, Depends, Response
from starlette.concurrency import run_in_threadpool

from creditreg.api.deps import Ctx, require
from creditreg.api.routing import DocumentedRoute, errors
from creditreg.api.schemas.measures_check import (
    CheckAnswer,
    CheckBatchAnswer,
    CheckBatchIn,
    CheckIn,
    SharedRecords,
    SharedRecordsIn,
)
from creditreg.domain.access.principals import Principal
from creditreg.services.measures import check as checks
from creditreg.services.measures import shared_records as shared

T = TypeVar("T")

router = APIRouter(prefix="/api/v1", tags=["check"], route_class=DocumentedRoute)

Caller = Annotated[Principal, Depends(require())]
REFUSED = (
    "not an implementing unit (`check.not_implementing_unit`) or without the "
    "`measures:check` scope (`access.missing_permission`); the attempt is audited and "
    "registered"
)
BAD_IDENTIFIER = (
    "unknown identifier type (`subject.unknown_id_type`), malformed identifier "
    "(`subject.invalid_uscc`, `subject.invalid_ric`, `subject.invalid_document`, "
    "`subject.invalid_lei`), unknown purpose (`check.unknown_purpose`), `other` without a "
    "note (`check.note_required`), a bad note (`check.bad_note`)"
)


@router.post(
    "/check", response_model=CheckAnswer, responses=errors({403: REFUSED, 422: BAD_IDENTIFIER})
)
async def check(ctx: Ctx, principal: Caller, body: CheckIn) -> Response:
    """MEA-3, Op(12): every list entry in force of the subject (and of its linked persons,
    Art 35), the Art 32 records usable for joint discipline, every measure the memoranda in
    force oblige the caller's unit to apply, with basis, memorandum and triggering entry,
    the green-channel measures of a red-listed subject (MEA-7) and an under-objection mark.
    A subject with nothing in force gets `clean: true` with the as-of time. The answer is
    in the query register before it is sent (SEC-2)."""
    answer = await _call(
        ctx,
        lambda: checks.check(ctx, principal, body.id_type, body.id_number, body.purpose, body.note),
    )
    return Response(orjson.dumps(_answer(answer), option=JSON_OPTIONS), media_type=JSON_TYPE)


@router.post(
    "/check/batch",
    response_model=CheckBatchAnswer,
    responses=errors(
        {
            403: REFUSED,
            422: BAD_IDENTIFIER + "; an empty batch (`check.empty_batch`), more than 1,000 "
            "identifiers (`check.batch_too_large`) or one twice "
            "(`check.duplicate_identifier`); `details.index` names the identifier",
        }
    ),
)
async def check_batch(ctx: Ctx, principal: Caller, body: CheckBatchIn) -> Response:
    """MEA-3: procurement screening, up to 1,000 identifiers answered (and registered)
    together, in the order given."""
    identifiers = [(i.id_type, i.id_number) for i in body.identifiers]
    answers = await _call(
        ctx, lambda: checks.check_batch(ctx, principal, identifiers, body.purpose, body.note)
    )
    document = {
        "purpose": body.purpose.strip().lower(),
        "count": len(answers),
        "in_force": sum(1 for a in answers if not a.clean),
        "answers": [_answer(a) for a in answers],
    }
    return Response(orjson.dumps(document, option=JSON_OPTIONS), media_type=JSON_TYPE)


# The answer leaves as orjson bytes built here, not through the response model's
# validation and serialization (the models above still document it): measured with `make
# bench --only check`, see README "Benchmarks". The keys are the models' fields in their
# order, and UTC times end in "Z", so the bytes are what the models would give.
JSON_TYPE = "application/json"
JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def _answer(a: checks.Answer) -> dict[str, Any]:
    return a.document()


async def _call(ctx: Ctx, run: Callable[[], T]) -> T:
    """On SQLite the check runs on the event loop: its write transactions take one lock
    anyway, and threads waiting for it in SQLite's busy handler (which sleeps) made the
    tail latency. On PostgreSQL it runs in the thread pool, its round trips overlapping."""
    if ctx.db.dialect == "sqlite":
        return run()
    return await run_in_threadpool(run)


@router.post(
    "/check/records",
    response_model=SharedRecords,
    responses=errors(
        {
            403: REFUSED,
            404: "no subject has the identifier (`subject.not_found`)",
            422: BAD_IDENTIFIER + "; a mode other than public_display and government_sharing "
            "(`check.bad_mode`), or authorized_inquiry, which needs the subject's written "
            "authorization (`check.authorization_required`)",
        }
    ),
)
def shared_records(ctx: Ctx, principal: Caller, body: SharedRecordsIn) -> shared.SharedRecords:
    """DIS-1, Art 18, Art 22: the subject's live records by disclosure mode, for the
    implementing unit's duties (government sharing includes the public ones); registered
    with the ids returned and the answer's digest (SEC-2)."""
    return shared.read(
        ctx, principal, body.id_type, body.id_number, body.mode, body.purpose, body.note
    )
