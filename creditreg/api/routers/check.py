"""The check over HTTP (MEA-3, MEA-7, SUB-4, SEC-2): what an implementing unit's approval,
procurement, licensing, funding, honours or hiring system calls."""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import anyio
import orjson
from fastapi import APIRouter, Depends, Response
from pydantic import ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from creditreg.api.deps import Ctx, require
from creditreg.api.errors import (
    DATABASE_ERRORS,
    database_error_response,
    domain_error_response,
    not_json_response,
    problem,
    register_refusal,
    unreadable_body_response,
    validation_response,
)
from creditreg.api.responses import json_media_type
from creditreg.api.routing import DocumentedRoute, errors
from creditreg.api.schemas.errors import Problem
from creditreg.api.schemas.measures_check import (
    CheckAnswer,
    CheckBatchAnswer,
    CheckBatchIn,
    CheckIn,
    SharedRecords,
    SharedRecordsIn,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import DomainError, Unauthenticated
from creditreg.domain.measures.check import check_batch_size
from creditreg.services.access import subject_accounts
from creditreg.services.measures import check as checks
from creditreg.services.measures import shared_records as shared
from creditreg.services.measures.check_answers import Answer

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
    return Response(orjson.dumps(answer.document(), option=JSON_OPTIONS), media_type=JSON_TYPE)


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
    document = _batch_document(body.purpose, answers)
    return Response(orjson.dumps(document, option=JSON_OPTIONS), media_type=JSON_TYPE)


# The answer leaves as orjson bytes built here, not through the response model's
# validation and serialization (the models above still document it): measured with `make
# bench --only check`, see README "Benchmarks". The keys are the models' fields in their
# order, and UTC times end in "Z", so the bytes are what the models would give.
JSON_TYPE = "application/json"
JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def _batch_document(purpose: str, answers: list[Answer]) -> dict[str, Any]:
    return {
        "purpose": purpose.strip().lower(),
        "count": len(answers),
        "in_force": sum(1 for a in answers if not a.clean),
        "answers": [a.document() for a in answers],
    }


class LeanCheck:
    """`POST /api/v1/check` and `/api/v1/check/batch` answered on the ASGI layer, beside
    the routes above that document them (issue 11, performance: FastAPI's dependency
    resolution, request object and body validation were over half of a check's time over
    HTTP, README "Benchmarks"). The same steps in the same order, with the same models and
    error bodies: the bearer token authenticated (401, counted as a refusal), the body
    validated by `CheckIn` / `CheckBatchIn` (422 `request.invalid` naming each problem),
    the service called (403 for a caller that is no implementing unit, audited and
    registered there; 422 for a bad identifier or purpose), the answer committed to the
    register before its bytes are sent. Installed inside the body-size limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.group = GroupCommit()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            batch = _LEAN_PATHS.get(scope["path"])
            if batch is not None:
                await _lean(scope, receive, send, batch, self.group)
                return
        await self.app(scope, receive, send)


class GroupCommit:
    """SQLite's group commit for single checks: those that arrive while the event loop is
    busy with others are answered together (`checks.run_together`: one transaction, one
    COMMIT), and each answer is sent once that COMMIT is done. A check arriving alone is
    answered alone, at once; a group holds at most `LIMIT` checks. Each event loop has its
    own queue (an app served by several loops, as in tests, never mixes them)."""

    LIMIT = 32

    def __init__(self) -> None:
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[_Waiting]] = (
            weakref.WeakKeyDictionary()
        )

    async def answer(self, ctx: Ctx, pending: checks.Pending) -> Answer:
        loop = asyncio.get_running_loop()
        queue = self._queues.setdefault(loop, [])
        future: asyncio.Future[list[Answer]] = loop.create_future()
        if not queue:
            # After the callbacks already due: the requests read with this one join it.
            loop.call_soon(self._flush, ctx, queue)
        queue.append((pending, future))
        return (await future)[0]

    def _flush(self, ctx: Ctx, queue: list[_Waiting]) -> None:
        group = queue[: self.LIMIT]
        del queue[: self.LIMIT]
        if queue:
            asyncio.get_running_loop().call_soon(self._flush, ctx, queue)
        outcomes: list[list[Answer] | Exception]
        try:
            outcomes = checks.run_together(ctx, [pending for pending, _ in group])
        except Exception as exc:  # the transaction itself failed: every check's error
            outcomes = [exc] * len(group)
        except BaseException:
            for _, future in group:  # interrupted: no request is left waiting
                if not future.done():
                    future.cancel()
            raise
        for (_, future), outcome in zip(group, outcomes, strict=True):
            if future.done():  # its request went away; the check is registered all the same
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


_Waiting = tuple[checks.Pending, "asyncio.Future[list[Answer]]"]


_LEAN_PATHS = {"/api/v1/check": False, "/api/v1/check/batch": True}


async def _lean(
    scope: Scope, receive: Receive, send: Send, batch: bool, group: GroupCommit
) -> None:
    """FastAPI's order: the body read and, when its type says JSON, decoded (422 if it is
    not JSON); the bearer token (401); the body validated (422); then the service."""
    ctx: Ctx = scope["app"].state.ctx
    headers: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:  # the first of each, as Starlette reads them
        if name in (b"authorization", b"content-type") and name not in headers:
            headers[name] = value
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    principal = None
    try:
        value, refused = _decoded(body, headers.get(b"content-type", b""))
        if refused is not None:
            await refused(scope, receive, send)
            return
        token = _bearer(headers.get(b"authorization"))
        if token is None:
            raise Unauthenticated("auth.missing_token", "send 'Authorization: Bearer <token>'")
        principal = subject_accounts.authenticate_any(ctx, token)
        if batch and isinstance(value, dict) and isinstance(value.get("identifiers"), list):
            # One code for a batch over the limit, by one or by thousands.
            check_batch_size(len(value["identifiers"]))
        request, problems = _validated(value, CheckBatchIn if batch else CheckIn)
        if request is None and isinstance(value, bytes) and value:
            # As the other routes say (errors.py): the body was not sent as JSON at all.
            sent = headers.get(b"content-type", b"").decode("latin-1")
            response: Response = not_json_response(sent)
        elif request is None:
            response = validation_response(problems)
        elif isinstance(request, CheckBatchIn):
            identifiers = [(i.id_type, i.id_number) for i in request.identifiers]
            purpose, note = request.purpose, request.note
            answers = await _call(
                ctx, lambda: checks.check_batch(ctx, principal, identifiers, purpose, note)
            )
            data = orjson.dumps(_batch_document(purpose, answers), option=JSON_OPTIONS)
            await _send_json(send, data)
            return
        else:
            one = request
            if ctx.db.dialect == "sqlite":  # answered with the checks sent beside it
                pending = checks.prepare(
                    ctx, principal, one.id_type, one.id_number, one.purpose, one.note
                )
                answer = await group.answer(ctx, pending)
            else:
                answer = await _call(
                    ctx,
                    lambda: checks.check(
                        ctx, principal, one.id_type, one.id_number, one.purpose, one.note
                    ),
                )
            await _send_json(send, orjson.dumps(answer.document(), option=JSON_OPTIONS))
            return
    except DomainError as exc:
        if exc.status in (401, 403):
            client = scope.get("client")
            host = client[0] if client else "unknown"
            await register_refusal(ctx, principal, host, exc.code, scope["path"])
        response = domain_error_response(exc)
    except DATABASE_ERRORS as exc:
        response = database_error_response(exc)
    await response(scope, receive, send)


def _bearer(header: bytes | None) -> str | None:
    """The token as HTTPBearer reads it: "<scheme> <credentials>", the scheme in any case,
    the credentials stripped; None when absent or not a bearer token."""
    if not header:
        return None
    scheme, _, credentials = header.decode("latin-1").partition(" ")
    credentials = credentials.strip()
    return credentials if scheme.lower() == "bearer" and credentials else None


_MISSING = object()


def _decoded(body: bytes, content_type: bytes) -> tuple[Any, Response | None]:
    """The body as FastAPI hands it to validation: missing, decoded JSON when its type is
    application/json or application/*+json, else the bytes; or the 422 of a JSON body that
    does not decode."""
    if not body:
        return _MISSING, None
    if not json_media_type(content_type):
        return body, None
    try:
        return orjson.loads(body), None
    except orjson.JSONDecodeError:
        pass
    try:  # what orjson refuses, the standard library may read (UTF-16, huge numbers)
        return json.loads(body), None
    except json.JSONDecodeError as exc:
        where = {"type": "json_invalid", "loc": ("body", exc.pos), "msg": exc.msg}
        return None, validation_response([problem({**where, "ctx": {"error": exc.msg}})])
    except Exception:
        return None, unreadable_body_response("There was an error parsing the body")


def _validated(
    value: Any, model: type[CheckIn] | type[CheckBatchIn]
) -> tuple[CheckIn | CheckBatchIn | None, list[Problem]]:
    if value is _MISSING:
        return None, [Problem(field="body", message="Field required")]
    try:
        return model.model_validate(value), []
    except ValidationError as exc:
        return None, [problem(e) for e in exc.errors(include_url=False)]


async def _send_json(send: Send, data: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


async def _call(ctx: Ctx, run: Callable[[], T]) -> T:
    """On SQLite the check runs on the event loop: its write transactions take one lock
    anyway, and threads waiting for it in SQLite's busy handler (which sleeps) made the
    tail latency. On PostgreSQL it runs in worker threads, its round trips overlapping,
    at most `PG_THREADS` at once: more threads only contend for the interpreter's lock
    (measured with eight clients: 606 checks/s with p99 28 ms on the default pool of
    forty threads, 673/s with p99 24 ms on four; README "Benchmarks")."""
    if ctx.db.dialect == "sqlite":
        return run()
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(PG_THREADS)
    return await anyio.to_thread.run_sync(run, limiter=_limiter)


PG_THREADS = 4
_limiter: anyio.CapacityLimiter | None = None


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
